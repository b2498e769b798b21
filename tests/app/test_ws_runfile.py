"""save / load over a real WebSocket: a run file opened in a new session continues
with the same bits as the run that never stopped; bad files are refused by name."""

import json

from tests.app.live import Client

CONFIG = {"seed": 21, "n_points": 120, "optimizer": "adam", "hidden": [3],
          "validation_ratio": 20, "batch_size": 7}




async def _saved(client: Client) -> dict:
    """A run started, paused wherever it got to (maybe inside an epoch), and saved."""
    await client.start(**CONFIG)
    await client.pause()
    await client.send("save")
    return await client.expect("run")


def test_saved_run_continues_bit_for_bit_in_another_session(server, run):
    async def scenario():
        async with Client.connect(server.ws_url) as a:
            saved = await _saved(a)
            epoch = saved["epoch"]
            await a.send("step", epochs=5)
            ahead = await a.frame(lambda f: f.header["epoch"] == epoch + 5, timeout=20)
        async with Client.connect(server.ws_url) as b:
            await b.recv()  # hello
            await b.send("load", run=json.loads(json.dumps(saved["run"])))
            dataset = await b.expect("dataset")
            status = await b.expect("status", loaded=True)
            assert status["state"] == "paused" and status["epoch"] == epoch
            assert dataset["config"]["seed"] == 21
            await b.send("step", epochs=5)
            again = await b.frame(lambda f: f.header["epoch"] == epoch + 5, timeout=20)
        assert again.header["weights"] == ahead.header["weights"]
        assert again.header["biases"] == ahead.header["biases"]
        assert again.header["train_loss"] == ahead.header["train_loss"]
    run(scenario())


def test_bad_run_files_are_refused_by_name_and_the_session_keeps_working(server, run):
    async def scenario():
        async with Client.connect(server.ws_url) as a:
            good = (await _saved(a))["run"]
            cases = [
                ({**good, "format": "other"}, "run.format"),
                ({**good, "config": {**good["config"], "hidden": [99]}}, "run.config.hidden[0]"),
                ({**good, "weights": [[[0.0]]]}, "run.weights"),
                ({**good, "snapshot": {**good["snapshot"], "row": 10_000}}, "run.snapshot.row"),
                ({**good, "snapshot": {**good["snapshot"], "params": {"f8": "AAAA"}}},
                 "run.snapshot"),
                ({k: v for k, v in good.items() if k != "history"}, "run.history"),
                ("not a file", "run.run"),
            ]
            for bad, field in cases:
                await a.send("load", run=bad)
                error = await a.expect("error")
                assert error["code"] == "invalid_run" and error["field"] == field, error
                assert "run file" in error["message"]
            await a.send("step", epochs=2)  # the run in the session is untouched
            status = await a.expect("status", state="paused")
            assert status["epoch"] >= 0
    run(scenario())


def test_a_load_message_may_be_larger_than_other_messages_but_is_bounded(run):
    from tests.app.live import LiveServer
    with LiveServer(max_message_bytes=2048, max_run_bytes=65_536) as live:
        async def scenario():
            async with Client.connect(live.ws_url) as a:
                await a.recv()
                await a.ws.send(json.dumps({"type": "load", "run": {"pad": "x" * 10_000}}))
                error = await a.expect("error")
                assert error["code"] == "invalid_run"  # read, then refused for its content
                await a.ws.send(json.dumps({"type": "probe", "pad": "x" * 10_000}))
                assert (await a.expect("error"))["code"] == "message_too_big"
                await a.ws.send(json.dumps({"type": "load", "run": "x" * 70_000}))
                error = await a.expect("error")
                assert error["code"] == "message_too_big" and "load" in error["message"]
                await a.start(seed=2, n_points=1500)  # its file: about 90 KB of rows
                await a.send("save")
                error = await a.expect("error")
                assert error["code"] == "run_too_large" and "65,536" in error["message"]
        run(scenario())
