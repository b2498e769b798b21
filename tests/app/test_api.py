"""The JSON API and HTTP headers on a real server."""

import httpx
import pytest

from core.presets import PRESETS


def _post(server, path, body):
    return httpx.post(server.url + path, json=body, timeout=30)


def test_healthz_presets_and_config(server):
    assert httpx.get(server.url + "/healthz").json()["status"] == "ok"
    presets = httpx.get(server.url + "/api/presets").json()["presets"]
    ids = {p["id"] for p in presets}
    assert {"one_neuron", "two_neurons", "three_neurons", "perceptron", "xor_linear",
            "xor_hidden", "three_blobs_softmax", "l1", "l2"} <= ids
    assert all(p["title"]["zh"] and p["title"]["en"] for p in presets)
    schema = httpx.get(server.url + "/api/config").json()
    assert "learning_rate" in str(schema) and "hidden" in str(schema)


def test_train_is_reproducible_for_a_fixed_seed(server):
    body = {"config": {"seed": 42, "n_points": 100}, "epochs": 20}
    first, second = _post(server, "/api/train", body), _post(server, "/api/train", body)
    assert first.status_code == 200 and first.json() == second.json()
    data = first.json()
    assert data["config"]["seed"] == 42 and len(data["dataset"]["train"]) == 50
    assert [h["epoch"] for h in data["history"]] == list(range(21))
    assert set(data["history"][0]) == {"epoch", "train_loss", "test_loss", "train_error",
                                       "test_error", "validation_loss", "validation_error"}
    assert data["initial"]["weights"] != data["final"]["weights"]
    zero = _post(server, "/api/train", {"config": {"seed": 42, "n_points": 100}, "epochs": 0})
    assert zero.json()["final"] == data["initial"] and len(zero.json()["history"]) == 1


@pytest.mark.parametrize("body, field", [
    ({"config": {"learning_rate": 0}, "epochs": 1}, "learning_rate"),
    ({"config": {"hidden": [1, 2, 3, 4, 5, 6, 7]}, "epochs": 1}, "hidden"),
    ({"config": {}, "epochs": 10_001}, "epochs"),
    ({"config": {}}, "epochs"),
    ({"config": {}, "epochs": 1, "extra": True}, "extra"),
    ([1, 2], None),
])
def test_train_refusals_name_the_field(server, body, field):
    answer = _post(server, "/api/train", body)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["field"] == field and error["code"] and len(error["message"]) > 15


def test_train_bad_json_is_400(server):
    answer = httpx.post(server.url + "/api/train", content=b"{nope",
                        headers={"content-type": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "bad_json"


def test_sweep_variants_match_train_and_best_is_lowest_validation_loss(server):
    config = {"seed": 9, "n_points": 100, "hidden": [3]}
    values = [0.01, 0.3]
    answer = _post(server, "/api/sweep", {"config": config, "epochs": 15,
                                          "vary": {"field": "learning_rate", "values": values}})
    assert answer.status_code == 200
    sweep = answer.json()
    assert [v["value"] for v in sweep["variants"]] == values
    losses = [v["history"][-1]["validation_loss"] for v in sweep["variants"]]
    assert sweep["best"] == losses.index(min(losses))
    alone = _post(server, "/api/train", {"config": {**config, "learning_rate": 0.3,
                                                    "validation_ratio": 20},  # as the sweep
                                         "epochs": 15}).json()
    variant = sweep["variants"][1]
    assert variant["config"] == alone["config"]
    assert [h["epoch"] for h in variant["history"]] == [h["epoch"] for h in alone["history"]]
    assert variant["history"][-1]["test_loss"] == pytest.approx(
        alone["history"][-1]["test_loss"], rel=1e-9)


@pytest.mark.parametrize("vary, field", [
    ({"field": "seed", "values": [1, 2]}, "vary.field"),
    ({"field": "learning_rate", "values": [0.1]}, "vary.values"),
    ({"field": "learning_rate", "values": [0.1, -1]}, "vary.values[1]"),
])
def test_sweep_refusals(server, vary, field):
    answer = _post(server, "/api/sweep", {"config": {}, "epochs": 1, "vary": vary})
    assert answer.status_code == 422 and answer.json()["error"]["field"] == field


def test_security_headers(server):
    headers = httpx.get(server.url + "/api/presets").headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'self'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"]


def test_presets_cover_the_lessons():
    by_id = {p["id"]: p["config"] for p in PRESETS}
    assert [by_id[k]["hidden"] for k in ("one_neuron", "two_neurons", "three_neurons")] == [
        [1], [2], [3]]
    assert by_id["perceptron"]["hidden"] == [] and by_id["perceptron"]["dataset"] == "gaussian"
    assert by_id["xor_linear"]["hidden"] == [] and by_id["xor_hidden"]["hidden"]
    assert (by_id["l1"]["regularization"], by_id["l2"]["regularization"]) == ("l1", "l2")
