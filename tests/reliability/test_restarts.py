"""Runs that survive ``kill -9``: `nnlive serve` started as a user would, killed with
every worker, started again with the same command; the learner's reconnect with its
token gets the run back at its last checkpoint — at most a second of training lost, its
weights and history those of the checkpoint and of the same run trained without a stop,
bit for bit — and training goes on from there identically. Also across two workers
sharing the store, with Redis, and with a disk that fills up."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import tempfile

import httpx
import pytest

from app.live.records import rebuild
from app.live.store.base import Stored
from tests.app.live import Client
from tests.app.redis_server import redis_server  # noqa: F401  (a fixture)
from tests.serve import ServerProcess, free_port

SPEED = 60  # epochs a second: a second of training is this many epochs
CONFIG = {"seed": 11, "optimizer": "adam", "hidden": [4, 3]}


@pytest.fixture
def store_path():
    with tempfile.TemporaryDirectory(prefix="nnlive-restart-") as folder:
        yield os.path.join(folder, "runs.sqlite3")


def checkpoint(path: str, token: str):
    """The run the SQLite store holds for ``token``, read straight from the file."""
    with sqlite3.connect(path) as db:
        owner, attached, saved_at, meta = db.execute(
            "SELECT owner, attached, saved_at, meta FROM records WHERE key = ?",
            (token,)).fetchone()
        parts = [d for (d,) in db.execute(
            "SELECT data FROM parts WHERE key = ? ORDER BY part", (token,))]
    return rebuild(Stored("session", token, owner, bool(attached), saved_at, meta, parts))


async def train_then_crash(server: ServerProcess, epochs: int) -> tuple[str, int]:
    """A learner trains past ``epochs``; the server dies under it. (token, the newest
    epoch the learner saw)."""
    async with Client.connect(server.ws_url) as c:
        token = (await c.recv())["session"]
        await c.start(**CONFIG)
        frame = await c.frame(lambda f: f.header["epoch"] >= epochs, timeout=30)
        server.crash()
        seen = frame.header["epoch"]
        try:
            while True:  # whatever was on its way before the end
                message = await c.recv(timeout=5)
                if hasattr(message, "header"):
                    seen = max(seen, message.header["epoch"])
        except Exception:  # the connection is gone
            pass
    return token, seen


def alone(server: ServerProcess, epochs: int) -> dict:
    """The same run trained without a stop, by the API."""
    answer = httpx.post(f"{server.url}/api/train", json={"config": CONFIG, "epochs": epochs},
                        timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()


def api_history(frames) -> list[dict]:
    by_epoch = {e["epoch"]: e for f in frames for e in f.header["history"]}
    keys = ("epoch", "train_loss", "test_loss", "train_error", "test_error",
            "validation_loss", "validation_error")
    return [{k: by_epoch[e][k] for k in keys} for e in range(max(by_epoch) + 1)]


async def come_back(server: ServerProcess, token: str, seen: int, held=None) -> int:
    """Reconnect with the token: the run is back at its checkpoint (bit for bit), and
    trains on as if it had never stopped. Returns the restored epoch."""
    async with Client.connect(f"{server.ws_url}?session={token}") as c:
        hello = await c.recv(timeout=20)
        assert hello["session"] == token and hello["resumed"] is False  # older than seen
        restored = hello["restored"]["epoch"]
        assert 0 < restored <= seen and seen - restored <= SPEED  # ≤ 1 s of training lost
        dataset = await c.expect("dataset")
        assert dataset["config"]["seed"] == CONFIG["seed"]
        status = await c.expect("status")
        assert (status["epoch"], status["state"], status["saving"]) == \
            (restored, "running", "on")
        first = await c.frame()
        assert first.header["epoch"] == restored
        same = alone(server, restored)
        if held is not None:  # what the store held, read from its file
            assert held.trainer.epoch == restored
            assert first.header["weights"] == [w.tolist() for w in held.trainer.network.weights()]
        assert first.header["weights"] == same["final"]["weights"]
        assert first.header["biases"] == same["final"]["biases"]
        assert api_history([first]) == same["history"]
        paused, at = await c.pause()
        assert paused["epoch"] > restored
        later = alone(server, paused["epoch"])
        assert at.header["weights"] == later["final"]["weights"]
        assert api_history(c.frames) == later["history"]
    return restored


def test_a_run_survives_kill_9_of_the_server_and_its_workers(store_path, run):
    port = free_port()
    with ServerProcess(port=port, workers=None, NNLIVE_STORE_PATH=store_path) as first:
        token, seen = run(train_then_crash(first, 2 * SPEED))
    held = checkpoint(store_path, token)
    assert held.exact is False  # a checkpoint of a running run, not its last state
    with ServerProcess(port=port, workers=None, NNLIVE_STORE_PATH=store_path) as again:
        run(come_back(again, token, seen, held), timeout=60)
        again.assert_alive_and_clean()


def test_a_run_dropped_by_a_dead_worker_comes_back_on_another(store_path, run):
    """Two servers (as two workers) share one store; the one holding the run dies."""
    with ServerProcess(NNLIVE_STORE_PATH=store_path) as a, \
            ServerProcess(NNLIVE_STORE_PATH=store_path) as b:
        token, seen = run(train_then_crash(a, SPEED))
        run(come_back(b, token, seen, checkpoint(store_path, token)), timeout=60)
        b.assert_alive_and_clean()


def test_a_run_kept_in_redis_survives_kill_9(redis_server, run):  # noqa: F811
    port, url = free_port(), redis_server.url
    with ServerProcess("--redis-url", url, port=port, workers=None) as first:
        token, seen = run(train_then_crash(first, SPEED))
    with ServerProcess("--redis-url", url, port=port, workers=None) as again:
        run(come_back(again, token, seen), timeout=60)
        again.assert_alive_and_clean()


def test_a_full_disk_leaves_training_alone_and_says_the_run_is_not_saved(run):
    """No file of the server may grow past 256 KB: the store soon cannot write. The
    learners train on; their status says their runs are not being saved, and why."""
    with ServerProcess(file_size_limit=256 * 1024) as server:
        async def learner(seed: int) -> dict:
            async with Client.connect(server.ws_url) as c:
                await c.recv()
                await c.start(seed=seed, hidden=[8, 8])
                await c.send("speed", epochs_per_second=0)  # as fast as the server can
                failing = await c.expect("status", saving="failing", timeout=60,
                                         limit=100_000)
                after = await c.frame(lambda f: f.header["epoch"] > failing["epoch"] + 50,
                                      timeout=30, limit=100_000)
                return {"failing": failing, "after": after.header["epoch"]}

        async def class_of_four():
            return await asyncio.gather(*(learner(s) for s in range(4)))

        results = run(class_of_four(), timeout=120)
        for r in results:
            assert r["failing"]["saving_error"]["code"] in ("disk_full", "io_error")
            assert r["failing"]["state"] == "running" and r["after"] > r["failing"]["epoch"]
        assert server.proc.poll() is None
        assert "runs are not being saved" in server.log()
