"""The live sweep over a real socket: sweep frames decoded byte by byte, sweep_done,
its numbers against lone runs, field-level refusals, and the main run going on."""

import httpx
import numpy as np

from app.live.sweeps import SWEEP_RESOLUTION, LiveSweep, live_sweeps, train_sweeps
from app.protocol import decode_frame
from core.config import validate_config
from core.trainer import Trainer
from tests.app.live import Client

HIDDEN = [[1], [2], [3], [8]]


def is_sweep(frame) -> bool:
    return frame.header.get("kind") == "sweep"


def variant_grid(frame, i: int) -> np.ndarray:
    g = frame.header["variants"][i]["grid"]
    data = frame.payload[g["offset"] : g["offset"] + g["length"]]
    return np.frombuffer(data, dtype=np.uint8).reshape(g["shape"])


async def collect_sweep(c: Client, sweep_id: int, timeout: float = 30):
    """Every sweep frame of ``sweep_id`` and the sweep_done, in any order of arrival."""
    frames, done = [], None
    for _ in range(5000):
        message = await c.recv(timeout)
        if isinstance(message, dict) and message["type"] == "sweep_done":
            done = message
        elif not isinstance(message, dict) and is_sweep(message):
            frames.append(message)
        if done is not None and frames and frames[-1].header["done"]:
            return frames, done
    raise AssertionError("the sweep did not finish")


def test_sweep_streams_small_multiples_and_equals_lone_runs(server, run):
    epochs = 60

    async def scenario():
        async with Client.connect(server.ws_url) as c:
            await c.recv()
            await c.start(seed=11, hidden=[4])
            await c.send("sweep", vary={"field": "hidden", "values": HIDDEN}, epochs=epochs)
            started = await c.expect("sweep_started")
            assert started["values"] == HIDDEN and started["config"]["seed"] == 11
            frames, done = await collect_sweep(c, started["sweep"])
            main = [f for f in c.frames if not is_sweep(f)]
            return started, frames, done, main

    started, frames, done, main = run(scenario(), timeout=60)
    assert {f.header["sweep"] for f in frames} == {started["sweep"]}
    last = frames[-1]
    for i, hidden in enumerate(HIDDEN):
        variant = last.header["variants"][i]
        assert variant["value"] == hidden and variant["epoch"] == epochs
        grid = variant_grid(last, i)
        assert grid.shape == (SWEEP_RESOLUTION, SWEEP_RESOLUTION) and grid.std() > 0
        history = [h for f in frames for h in f.header["variants"][i]["history"]]
        assert [h["epoch"] for h in history] == list(range(epochs + 1))  # complete
        # the sweep holds 20 % out for validation: the config had validation_ratio 0
        lone = Trainer(validate_config({"seed": 11, "hidden": hidden, "validation_ratio": 20}))
        lone.train_epochs(epochs)
        ours = [[h["train_loss"], h["test_loss"]] for h in history]
        theirs = [[h["train_loss"], h["test_loss"]] for h in lone.history]
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
        assert done["variants"][i]["test_loss"] == history[-1]["test_loss"]
    finals = [v["validation_loss"] for v in done["variants"]]
    assert done["best"] == int(np.argmin(finals)) == last.header["best"]
    assert done["stopped"] is False and done["epoch"] == epochs
    assert len(main) >= 2 and main[-1].header["epoch"] > main[0].header["epoch"]


def test_bad_sweeps_are_refused_per_field_and_the_run_goes_on(server, run):
    bad = [
        ({"vary": {"field": "hidden", "values": [[h] for h in range(1, 18)]}, "epochs": 10},
         "invalid_field", "vary.values"),
        ({"vary": {"field": "learning_rate", "values": [0.1, 0.3, 99, 0.01]}, "epochs": 10},
         "invalid_config", "vary.values[2]"),
        ({"vary": {"field": "hidden", "values": [[2], [4, 40]]}, "epochs": 10},
         "invalid_config", "vary.values[1]"),
        ({"vary": {"field": "seed", "values": [1, 2]}, "epochs": 10},
         "invalid_field", "vary.field"),
        ({"vary": {"field": "hidden", "values": [[2], [4]]}, "epochs": 0},
         "invalid_field", "epochs"),
        ({"vary": {"field": "hidden", "values": [[2], [4]]}, "epochs": 10, "speed": 3},
         "invalid_field", "speed"),
    ]

    async def scenario():
        async with Client.connect(server.ws_url) as c:
            await c.recv()
            await c.send("sweep", vary={"field": "hidden", "values": [[1], [2]]}, epochs=5)
            assert (await c.expect("error"))["code"] == "no_run"
            await c.start(seed=2)
            for message, code, field in bad:
                await c.send("sweep", **message)
                error = await c.expect("error")
                assert (error["code"], error["field"]) == (code, field), error
                assert field.split("[")[0] in error["message"]
            await c.send("sweep_stop")
            assert (await c.expect("error"))["code"] == "no_sweep"
            before = c.frames[-1].header["epoch"]
            await c.frame(lambda f: not is_sweep(f) and f.header["epoch"] > before + 5)

    run(scenario())


def test_a_new_sweep_replaces_the_old_and_stop_ends_it(server, run):
    async def scenario():
        async with Client.connect(server.ws_url) as c:
            await c.recv()
            await c.start(seed=5)
            vary = {"field": "learning_rate", "values": [0.01, 0.03, 0.1]}
            await c.send("sweep", vary=vary, epochs=2000)
            first = await c.expect("sweep_started")
            await c.frame(lambda f: is_sweep(f) and f.header["epoch"] > 0)
            await c.send("sweep", vary={"field": "activation", "values": ["tanh", "relu"]},
                         epochs=2000)
            second = await c.expect("sweep_started")
            assert second["replaced"] == first["sweep"] and second["values"] == ["tanh", "relu"]
            frame = await c.frame(lambda f: is_sweep(f) and f.header["sweep"] == second["sweep"]
                                  and f.header["epoch"] > 0)
            assert [v["value"] for v in frame.header["variants"]] == ["tanh", "relu"]
            await c.send("sweep_stop")
            done = await c.expect("sweep_done")
            assert done["stopped"] is True and done["sweep"] == second["sweep"]
            assert 0 < done["epoch"] < 2000 and done["best"] in (0, 1)
            await c.send("pause")  # the main run still answers
            assert (await c.expect("status"))["state"] == "paused"

    run(scenario())


def _post(server, path: str, body: dict) -> dict:
    answer = httpx.post(server.url + path, json=body, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_api_sweep_variants_equal_api_train_and_best_is_lowest(server):
    config = {"seed": 21, "n_points": 200, "hidden": [4, 2], "dataset": "xor"}
    values = [[], [1], [3], [8], [2, 2], [6, 3]]  # three stacks: 0, 1 and 2 layers, padded
    sweep = _post(server, "/api/sweep", {"config": config, "epochs": 40,
                                         "vary": {"field": "hidden", "values": values}})
    assert [v["value"] for v in sweep["variants"]] == values
    for variant, hidden in zip(sweep["variants"], values):
        alone = _post(server, "/api/train", {"config": {**config, "hidden": hidden,
                                                        "validation_ratio": 20}, "epochs": 40})
        assert variant["config"] == alone["config"]
        keys = ("train_loss", "test_loss", "train_error", "test_error")
        ours = [[h[k] for k in keys] for h in variant["history"]]
        theirs = [[h[k] for k in keys] for h in alone["history"]]
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
        for a, b in zip(variant["final"]["weights"] + variant["final"]["biases"],
                        alone["final"]["weights"] + alone["final"]["biases"]):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    finals = [v["history"][-1]["validation_loss"] for v in sweep["variants"]]
    assert sweep["best"] == int(np.argmin(finals))
    assert finals[0] > min(finals)  # xor needs a hidden layer


class _Outbox:
    frame = None
    in_flight = False
    texts = ()

    def put_frame(self, frame):
        self.frame = frame


def test_a_waiting_sweep_frame_gives_way_and_its_history_is_resent():
    configs = [validate_config({"seed": 3, "hidden": [h]}) for h in (1, 2)]
    sweep = LiveSweep("hidden", configs, 50)
    outbox = _Outbox()
    sweep.run.train_epochs(1)
    first = sweep.build_frame(outbox)
    assert [len(v["history"]) for v in first_header(first)["variants"]] == [2, 2]
    sweep.run.train_epochs(1)
    second = sweep.build_frame(outbox)  # waits in the slot…
    assert [h["epoch"] for h in first_header(second)["variants"][0]["history"]] == [2]
    sweep.dropped(second)               # …and a main frame takes its place
    sweep.run.train_epochs(1)
    third = sweep.build_frame(outbox)
    assert [h["epoch"] for h in first_header(third)["variants"][1]["history"]] == [2, 3]


def first_header(frame) -> dict:
    return decode_frame(frame.data)[0]


def test_a_slice_of_a_long_epoch_ends_mid_epoch():
    configs = [validate_config({"seed": 3, "n_points": 2000, "batch_size": 1, "hidden": [h]})
               for h in (4, 8)]
    sweep = LiveSweep("hidden", configs, 2)
    sweep.train(0.0)  # no time at all: one mini-batch step, of 1,000 in this epoch
    assert sweep.run.epoch == 0 and sweep.run.groups[0][1].next_batch == 1
    assert sweep.wants_training() and not sweep.finished


class _Session:
    token = "abcdef"

    def __init__(self, sweep):
        self.sweep, self.outbox, self.sent = sweep, _Outbox(), []

    def send(self, message):
        self.sent.append(message)


def test_a_failing_sweep_is_stopped_and_told_while_others_go_on(caplog):
    configs = [validate_config({"seed": 3, "hidden": [h]}) for h in (1, 2)]
    broken, fine = LiveSweep("hidden", configs, 3), LiveSweep("hidden", configs, 3)
    broken.run.train_steps = None  # calling it raises TypeError
    sessions = [_Session(broken), _Session(fine)]
    for _ in range(200):
        if not live_sweeps(sessions):
            break
        train_sweeps(live_sweeps(sessions), 0.01)
    assert broken.finished and sessions[0].sent[0]["code"] == "internal_error"
    assert fine.finished and fine.run.epoch == 3
    assert sessions[1].sent[-1]["type"] == "sweep_done"
    assert "sweep of session abcdef failed" in caplog.text
