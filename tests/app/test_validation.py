"""The validation split over HTTP and the WebSocket: rows, history keys, and sweeps that
choose on validation rows."""

import httpx
import numpy as np

from tests.app.live import Client


def _post(server, path: str, body: dict) -> httpx.Response:
    return httpx.post(server.url + path, json=body, timeout=60)


def test_train_with_a_split_gives_the_rows_and_numbers(server):
    answer = _post(server, "/api/train", {"config": {"seed": 4, "n_points": 100,
                                                     "validation_ratio": 20}, "epochs": 3})
    assert answer.status_code == 200
    data = answer.json()
    assert len(data["dataset"]["train"]) == 40 and len(data["dataset"]["validation"]) == 10
    assert len(data["dataset"]["test"]) == 50
    for entry in data["history"]:
        assert entry["validation_loss"] > 0 and 0 <= entry["validation_error"] <= 1
    plain = _post(server, "/api/train", {"config": {"seed": 4, "n_points": 100},
                                         "epochs": 1}).json()
    assert "validation" not in plain["dataset"]
    assert all(e["validation_loss"] is None and e["validation_error"] is None
               for e in plain["history"])


def test_a_sweep_holds_out_twenty_percent_and_chooses_on_it(server):
    body = {"config": {"seed": 9, "n_points": 100}, "epochs": 10,
            "vary": {"field": "hidden", "values": [[1], [4]]}}
    sweep = _post(server, "/api/sweep", body).json()
    assert sweep["config"]["validation_ratio"] == 20
    assert [v["config"]["validation_ratio"] for v in sweep["variants"]] == [20, 20]
    finals = [v["history"][-1]["validation_loss"] for v in sweep["variants"]]
    assert sweep["best"] == int(np.argmin(finals))


def test_a_sweep_refuses_a_batch_size_too_large_for_the_rows_it_trains_on(server):
    body = {"config": {"seed": 9, "n_points": 100, "batch_size": 45}, "epochs": 2,
            "vary": {"field": "learning_rate", "values": [0.1, 0.3]}}
    assert _post(server, "/api/train", {"config": body["config"], "epochs": 1}).status_code == 200
    answer = _post(server, "/api/sweep", body)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["field"] == "batch_size" and "validation" in error["message"]
    varied = _post(server, "/api/sweep", {**body, "config": {"seed": 9},  # the split is data
                                          "vary": {"field": "validation_ratio",
                                                   "values": [10, 30]}})
    assert varied.status_code == 422 and varied.json()["error"]["field"] == "vary.field"


def test_the_socket_sends_validation_rows_and_history_keys(server, run):
    async def scenario():
        async with Client.connect(server.ws_url) as c:
            await c.recv()
            dataset, first = await c.start(seed=3, n_points=100, validation_ratio=30)
            later = await c.frame(lambda f: f.header["epoch"] >= 2)
            await c.send("update", config={"validation_ratio": 0})
            plain = await c.expect("dataset")
            again = await c.frame(lambda f: f.header["epoch"] >= 1)
            return dataset, first, later, plain, again

    dataset, first, later, plain, again = run(scenario())
    assert len(dataset["validation"]) == 15 and len(dataset["train"]) == 35
    for frame in (first, later):
        assert all(e["validation_loss"] > 0 and e["validation_error"] is not None
                   for e in frame.header["history"])
    assert "validation" not in plain and len(plain["train"]) == 50
    assert all(e["validation_loss"] is None for e in again.header["history"])
