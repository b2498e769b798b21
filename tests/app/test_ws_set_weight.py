"""``set_weight`` over a real socket: a weight or bias set by hand while paused shows in
the next frame, with the losses measured again at the new weights; refusals name the
field and leave the run as it was. And each classification frame's confusion matrix."""

import numpy as np

from tests.app.live import Client


def cross_entropy(rows, weights, biases) -> float:
    """Mean binary cross-entropy of a tanh network with a sigmoid output, by hand."""
    a = np.asarray(rows)[:, :2]
    for w, b in zip(weights[:-1], biases[:-1], strict=True):
        a = np.tanh(a @ np.asarray(w) + np.asarray(b))
    z = (a @ np.asarray(weights[-1]) + np.asarray(biases[-1]))[:, 0]
    y = np.asarray(rows)[:, 2]
    p = 1 / (1 + np.exp(-z))
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


async def paused_at_zero(c: Client, **config):
    """start, then restore {epoch: 0}: paused at the initial weights."""
    dataset, _ = await c.start(**config)
    await c.send("restore", epoch=0)
    status = await c.expect("status", state="paused")
    frame = await c.frame(lambda f: f.header["generation"] == status["generation"])
    return dataset, frame


def test_a_weight_and_a_bias_set_while_paused(server, run):
    async def scenario():
        async with Client.connect(server.ws_url) as c:
            dataset, before = await paused_at_zero(c, seed=5, hidden=[2], n_points=100)
            await c.send("set_weight", layer=1, to=0, value=-2.5, **{"from": 1})
            await c.expect("status", state="paused")
            after = await c.frame()
            assert after.header["weights"][1][1][0] == -2.5
            assert after.header["epoch"] == before.header["epoch"] == 0
            # the losses are those of the new weights, recomputed here by hand
            h = after.header
            assert abs(h["train_loss"] - cross_entropy(dataset["train"], h["weights"],
                                                       h["biases"])) < 1e-9
            assert abs(h["test_loss"] - cross_entropy(dataset["test"], h["weights"],
                                                      h["biases"])) < 1e-9
            assert h["train_loss"] != before.header["train_loss"]
            assert h["history"][-1]["train_loss"] == h["train_loss"]
            assert after.grid() != before.grid()
            # a bias: from "bias"
            await c.send("set_weight", layer=0, to=1, value=0.75, **{"from": "bias"})
            await c.expect("status")
            frame = await c.frame(lambda f: f.header["biases"][0][1] == 0.75)
            assert frame.header["weights"][1][1][0] == -2.5
            # training goes on from the edit: one step, and "train from here" keeps it
            await c.send("step", epochs=1)
            await c.frame(lambda f: f.header["epoch"] == 1)
            await c.send("restore", epoch=0)
            status = await c.expect("status", state="paused")
            back = await c.frame(lambda f: f.header["generation"] == status["generation"])
            assert back.header["biases"][0][1] == 0.75 and back.header["weights"][1][1][0] == -2.5
    run(scenario())


def test_set_weight_refusals_name_the_field(server, run):
    async def scenario():
        async with Client.connect(server.ws_url) as c:
            await c.start(seed=5, hidden=[3])
            await c.send("set_weight", layer=0, to=0, value=1, **{"from": 0})
            error = await c.expect("error")
            assert error["code"] == "not_paused"  # running: refused
            await paused_at_zero(c, seed=5, hidden=[3])
            cases = [
                ({"layer": 2, "from": 0, "to": 0, "value": 1}, "layer", "from 0 to 1"),
                ({"layer": 0, "from": 2, "to": 0, "value": 1}, "from", "from 0 to 1"),
                ({"layer": 0, "from": "b", "to": 0, "value": 1}, "from", "bias"),
                ({"layer": 0, "from": 0, "to": 3, "value": 1}, "to", "from 0 to 2"),
                ({"layer": 0, "from": 0, "to": 0, "value": 1e9}, "value", "from -100 to 100"),
                ({"layer": 0, "from": 0, "to": 0}, "value", "from -100 to 100"),
            ]
            for fields, field, allowed in cases:
                await c.send("set_weight", **fields)
                error = await c.expect("error")
                assert error["code"] == "invalid_field" and error["field"] == field, error
                assert allowed in error["allowed"] and field in error["message"]
            await c.send("set_weight", layer=0, to=0, value=1, **{"from": 0}, extra=1)
            assert (await c.expect("error"))["field"] == "extra"
            # nothing changed, and the session still works
            await c.send("step", epochs=2)
            frame = await c.frame(lambda f: f.header["epoch"] == 2)
            assert frame.header["weights"][0][0][0] != 1
    run(scenario())


def test_frames_carry_the_test_confusion_matrix(server, run):
    async def scenario():
        async with Client.connect(server.ws_url) as c:
            dataset, first = await c.start(seed=2, dataset="three_blobs", noise=30)
            frame = await c.frame(lambda f: f.header["epoch"] >= 20)
            for f in (first, frame):
                counts = np.asarray(f.header["confusion"])
                assert counts.shape == (3, 3) and counts.sum() == len(dataset["test"])
                labels = np.asarray(dataset["test"])[:, 2]
                assert counts.sum(axis=1).tolist() == [int((labels == k).sum()) for k in range(3)]
                wrong = counts.sum() - np.trace(counts)
                assert abs(wrong / counts.sum() - f.header["test_error"]) < 1e-12
            await c.send("update", config={"dataset": "plane"})
            await c.expect("dataset")
            regression = await c.frame(lambda f: f.header["generation"] == 2)
            assert regression.header["confusion"] is None
    run(scenario())
