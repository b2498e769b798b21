"""What a learner is told about their run being saved, while the store fails and after."""

from __future__ import annotations

import sqlite3

from tests.app.live import Client, LiveServer


def test_a_locked_store_leaves_training_alone_and_the_status_says_so(run):
    with LiveServer() as server:
        async def scenario():
            async with Client.connect(server.ws_url) as c:
                await c.recv()
                await c.start(seed=4)
                await c.send("speed", epochs_per_second=60)
                status = await c.expect("status")
                assert status["saving"] == "on"
                holder = sqlite3.connect(server.store_path, isolation_level=None)
                holder.execute("BEGIN EXCLUSIVE")  # another program holds the file
                try:
                    failing = await c.expect("status", saving="failing", timeout=20)
                    assert failing["saving_error"]["code"] == "locked"
                    assert "locked" in failing["saving_error"]["message"]
                    await c.frame(lambda f: f.header["epoch"] > failing["epoch"] + 20)
                finally:
                    holder.execute("ROLLBACK")
                    holder.close()
                saved = await c.expect("status", saving="on", timeout=20)
                assert "saving_error" not in saved and saved["state"] == "running"
        run(scenario(), timeout=60)


def test_without_a_store_the_status_says_runs_are_not_kept(run):
    with LiveServer(store_path="none") as server:
        async def scenario():
            async with Client.connect(server.ws_url) as c:
                hello = await c.recv()
                assert "restored" not in hello
                await c.start(seed=4)
                await c.send("speed", epochs_per_second=60)
                assert (await c.expect("status"))["saving"] == "off"
        run(scenario())
