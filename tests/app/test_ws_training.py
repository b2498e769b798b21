"""The training conversation over a real socket: start, frames, pause/step/resume,
updates, reset, speed, probe and restore."""

from tests.app.live import Client


def test_hello_start_dataset_epoch0_then_advancing_frames(server, run):
    async def scenario():
        async with Client.connect(server.ws_url) as c:
            hello = await c.recv()
            assert hello["type"] == "hello" and hello["protocol"] == 1
            assert hello["session"] and hello["limits"]["max_fps"] == 30
            dataset, first = await c.start(seed=7)
            assert dataset["config"]["seed"] == 7 and len(dataset["train"]) == 250
            assert first.header["epoch"] == 0 and first.header["generation"] == 1
            assert [h["epoch"] for h in first.header["history"]] == [0]
            grid = first.header["grid"]
            assert grid["shape"] == [50, 50] and len(first.grid()) == 50 * 50
            assert len(first.header["lines"]) == 4 and first.header["neurons"]["layers"] == [4, 2]
            later = await c.frame(lambda f: f.header["epoch"] >= 30)
            assert later.grid() != first.grid()
            epochs = [h["epoch"] for f in c.frames for h in f.header["history"]]
            assert epochs == list(range(epochs[-1] + 1))  # complete, in order, no repeats
    run(scenario())


def test_pause_step_resume_exact_epochs(server, run):
    async def scenario():
        async with Client.connect(server.ws_url) as c:
            await c.start(seed=3)
            await c.send("pause")
            paused = await c.expect("status", state="paused")
            await c.send("step", epochs=5)
            stepped = await c.expect("status", state="paused")
            assert stepped["epoch"] == paused["epoch"] + 5
            frame = await c.frame(lambda f: f.header["epoch"] == stepped["epoch"])
            assert frame.header["state"] == "paused"
            await c.send("resume")
            assert (await c.expect("status"))["state"] == "running"
            await c.frame(lambda f: f.header["epoch"] > stepped["epoch"])
    run(scenario())


def test_hot_update_keeps_weights_and_shape_update_restarts(server, run):
    async def scenario():
        async with Client.connect(server.ws_url) as c:
            await c.start(seed=4)
            await c.send("pause")
            paused = await c.expect("status", state="paused")
            await c.send("update", config={"learning_rate": 0.1, "reg_rate": 0.001})
            hot = await c.expect("status")
            assert hot["reset"] is False and hot["epoch"] == paused["epoch"]
            assert hot["updated"] == ["learning_rate", "reg_rate"] and hot["generation"] == 1
            await c.send("update", config={"hidden": [3]})
            dataset = await c.expect("dataset")
            assert dataset["config"]["hidden"] == [3] and dataset["config"]["seed"] == 4
            status = await c.expect("status")
            assert status["reset"] is True and status["epoch"] == 0 and status["generation"] == 2
            first = await c.frame(lambda f: f.header["generation"] == 2)
            assert first.header["epoch"] == 0 and len(first.header["weights"][0][0]) == 3
    run(scenario())


def test_reset_speed_probe_and_restore(server, run):
    async def scenario():
        async with Client.connect(server.ws_url) as c:
            await c.start(seed=5)
            await c.send("speed", epochs_per_second=0)
            assert (await c.expect("status"))["speed"] == 0
            await c.frame(lambda f: f.header["epoch"] >= 60)
            await c.send("probe", x=[1.0, -2.0], label=1)
            probe = await c.expect("probe")
            assert probe["x"] == [1.0, -2.0] and len(probe["layers"]) == 3
            assert probe["loss"] > 0 and len(probe["gradients"]["weights"]) == 3
            await c.send("pause")
            paused = await c.expect("status", state="paused")
            seen = [f.header["epoch"] for f in c.frames if f.header["generation"] == 1]
            target = seen[len(seen) // 2]
            await c.send("restore", epoch=target)
            restored = await c.expect("status")
            back = restored["epoch"]  # the newest snapshot at or before the target
            assert restored["state"] == "paused" and back <= target and back in seen
            assert restored["generation"] == 2 and target < paused["epoch"]
            frame = await c.frame(lambda f: f.header["generation"] == 2)
            assert frame.header["epoch"] == back
            assert [h["epoch"] for h in frame.header["history"]] == list(range(back + 1))
            await c.send("reset")
            assert (await c.expect("status"))["epoch"] == 0
            zero = await c.frame(lambda f: f.header["generation"] == 3)
            assert zero.header["epoch"] == 0 and zero.grid() == c.frames[0].grid()
    run(scenario())
