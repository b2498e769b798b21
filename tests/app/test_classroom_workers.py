"""A class spans workers: learners on the two workers of one ``nnlive serve`` (sharing its
SQLite file), or on two servers sharing Redis, are one class, seen and commanded through
either; the class stores keep the same rules."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sqlite3
import time

import httpx
import pytest

from app.classroom.records import ClassRecord
from app.classroom.redis_store import RedisClassStore
from app.classroom.sqlite_store import SqliteClassStore
from app.classroom.store import LocalClassStore
from app.live.store import make_store as make_runs_store
from app.main import create_app
from app.metrics import Metrics
from app.settings import Settings
from tests.app import live
from tests.app.live import Client, LiveServer
from tests.app.redis_server import redis_server  # noqa: F401  (a fixture)
from tests.serve import ServerProcess, free_port


@pytest.fixture
def two_workers(redis_server):  # noqa: F811
    args = ("--log-format", "json", "--redis-url", redis_server.url)
    with ServerProcess(*args) as a, ServerProcess(*args) as b:
        yield a, b


def _auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


async def _learners(server, code: str, key: str, until) -> list[dict]:
    for _ in range(100):
        answer = await asyncio.to_thread(httpx.get, f"{server.url}/api/classes/{code}",
                                         headers=_auth(key), timeout=5)
        learners = answer.json()["learners"]
        if until(learners):
            return learners
        await asyncio.sleep(0.1)
    raise AssertionError(f"the class never showed what was expected: {learners}")


def test_one_class_spans_two_workers(two_workers, run):
    a, b = two_workers
    opened = httpx.post(f"{a.url}/api/classes", json={}, timeout=5).json()
    code, key = opened["code"], opened["key"]

    async def scenario():
        async with Client.connect(f"{a.ws_url}?class={code}&name=OnA") as on_a, \
                Client.connect(f"{b.ws_url}?class={code}&name=OnB") as on_b:
            for c in (on_a, on_b):
                await c.expect("class")
                await c.start(seed=5)
            def both(learners):
                return {x["name"] for x in learners if x["epoch"] > 2} == {"OnA", "OnB"}
            for server in (a, b):  # every worker's answer shows every learner
                await _learners(server, code, key, both)
            pushed = await asyncio.to_thread(
                httpx.post, f"{b.url}/api/classes/{code}/config", headers=_auth(key),
                json={"config": {"dataset": "gaussian"}, "lock": ["dataset"]}, timeout=5)
            config = pushed.json()["config"]
            for c in (on_a, on_b):  # pushed on b, it reaches the learner on a too
                await c.expect("dataset", config=config)
                assert (await c.expect("class"))["locks"] == ["dataset"]
                await c.send("update", config={"dataset": "xor"})
                assert (await c.expect("error"))["code"] == "locked"
            await asyncio.to_thread(httpx.post, f"{a.url}/api/classes/{code}/pause",
                                    headers=_auth(key), json={}, timeout=5)
            for c in (on_a, on_b):
                await c.expect("status", state="paused")
        await _learners(a, code, key, lambda ls: ls == [])  # they left when they closed
    run(scenario(), timeout=60)
    for server in (a, b):
        assert "Traceback" not in server.log()


@pytest.fixture(params=["local", "sqlite", "redis"])
def make_store(request, redis_server, tmp_path):  # noqa: F811
    """A new, empty store of each kind (made inside the test's event loop)."""
    async def make():
        if request.param == "local":
            return LocalClassStore()
        if request.param == "sqlite":  # the runs' SQLite store, as `nnlive serve` makes it
            runs = make_runs_store(Settings(store_path=str(tmp_path / "runs.sqlite3")),
                                   Metrics())
            runs.start()
            return SqliteClassStore(runs)
        store = RedisClassStore(redis_server.url)
        await store.client.flushdb()
        return store
    return make


def _record(code: str, seconds: float = 60) -> ClassRecord:
    now = time.time()
    return ClassRecord(code, "t", "d" * 64, now, now + seconds)


def test_both_stores_keep_the_same_rules(make_store, run):
    async def scenario():
        store = await make_store()
        try:
            assert await store.create(_record("AAAAAA"))
            assert not await store.create(_record("AAAAAA"))  # a code is never reused
            changed = await asyncio.gather(*(store.change("AAAAAA", lambda r: r.add_command(
                "pause")) for _ in range(20)))
            assert sorted(r.seq for r in changed)[-1] == 20  # no change lost
            record = await store.get("AAAAAA")
            assert record.seq == 20 and len(record.commands) == 20
            assert record.commands_after(18) == ["pause", "pause"]
            await store.put_tiles("AAAAAA", {"x": b"1", "y": b"2"}, record.expires)
            await store.drop_tiles("AAAAAA", ["x"])
            assert await store.tiles("AAAAAA") == {"y": b"2"}
            await store.put_blobs("AAAAAA", {"data:y": b"rows"}, record.expires)
            assert await store.blob("AAAAAA", "data:y") == b"rows"
            assert await store.change("BBBBBB", lambda r: None) is None
            assert await store.create(_record("CCCCCC", seconds=0.3))
            await asyncio.sleep(0.4)
            assert await store.get("CCCCCC") is None  # expired with everything it held
            assert await store.count() == 1
            await store.delete("AAAAAA")
            assert await store.get("AAAAAA") is None and await store.tiles("AAAAAA") == {}
        finally:
            if isinstance(store, RedisClassStore):
                await store.client.flushdb()
            await store.close()
            if isinstance(store, SqliteClassStore):
                await store.records_store.close()
    run(scenario())


@pytest.mark.parametrize("store", ["redis", "sqlite"])
def test_with_the_store_away_a_learner_trains_outside_the_class(store, monkeypatch, tmp_path,
                                                                 run):
    """Redis that does not answer, or a SQLite file that cannot be opened (its directory
    would be under a plain file)."""
    overrides = {}
    if store == "redis":
        port = free_port()  # a port nobody listens on
        monkeypatch.setattr(live, "create_app", functools.partial(
            create_app, redis_url=f"redis://127.0.0.1:{port}/0"))
    else:
        (tmp_path / "plain").write_text("not a directory")
        overrides = {"store_path": str(tmp_path / "plain" / "runs.sqlite3"),
                     "data_dir": str(tmp_path / "datasets")}  # the datasets elsewhere
    with LiveServer(**overrides) as server:
        opened = httpx.post(f"{server.url}/api/classes", json={}, timeout=10)
        assert opened.status_code == 503
        assert opened.json()["error"]["code"] == "store_unavailable"

        async def scenario():
            async with Client.connect(f"{server.ws_url}?class=K7QM3X&name=Ann") as c:
                await c.recv()
                refused = await c.expect("error")
                assert (refused["code"], refused["field"]) == ("store_unavailable", "class")
                await c.start(seed=1)  # the socket stays; the run is an ordinary one
                await c.frame(lambda f: f.header["epoch"] >= 3)
        run(scenario())


def _workers_holding_sessions(store_path: str) -> int:
    """How many workers of the server hold sessions, from their heartbeats (once a
    second) in the runs' SQLite file."""
    with contextlib.closing(sqlite3.connect(store_path, timeout=5)) as db:
        return db.execute("SELECT COUNT(*) FROM workers WHERE sessions > 0").fetchone()[0]


def test_a_class_spans_the_workers_of_one_server_without_redis(run):
    """`nnlive serve` with two workers and no Redis: the class lives in the runs' SQLite
    file. Learners join until both workers train some; whichever worker the teacher's
    requests reach, the wall shows all of them and every command reaches all of them."""
    with ServerProcess("--log-format", "json", "--workers", "2") as server:
        opened = httpx.post(f"{server.url}/api/classes", json={}, timeout=5).json()
        code, key = opened["code"], opened["key"]

        async def scenario():
            async with contextlib.AsyncExitStack() as stack:
                async def join(name: str) -> Client:
                    c = await stack.enter_async_context(Client.connect(
                        f"{server.ws_url}?class={code}&name={name}"))
                    await c.expect("class")
                    await c.start(seed=4)
                    return c
                learners = []
                while len(learners) < 16:  # four at once: both workers accept some
                    learners += await asyncio.gather(*(
                        join(f"L{len(learners) + i}") for i in range(4)))
                    if await _spread(server.store_path):
                        break
                assert await _spread(server.store_path), "every learner landed on one worker"
                names = {f"L{i}" for i in range(len(learners))}
                for _ in range(4):  # fresh connections: the answers come from either worker
                    await _learners(server, code, key, lambda ls: {
                        x["name"] for x in ls if x["epoch"] > 0} == names)
                pushed = await asyncio.to_thread(
                    httpx.post, f"{server.url}/api/classes/{code}/config",
                    headers=_auth(key), timeout=5,
                    json={"config": {"dataset": "gaussian", "hidden": [3]}, "lock": ["hidden"]})
                assert pushed.status_code == 200, pushed.text
                for c in learners:
                    await c.expect("dataset", config=pushed.json()["config"])
                    assert (await c.expect("class"))["locks"] == ["hidden"]
                    await c.send("update", config={"hidden": [5]})
                    assert (await c.expect("error"))["code"] == "locked"
                await asyncio.to_thread(httpx.post, f"{server.url}/api/classes/{code}/pause",
                                        headers=_auth(key), json={}, timeout=5)
                for c in learners:
                    await c.expect("status", state="paused")
        run(scenario(), timeout=90)
        server.assert_alive_and_clean()


async def _spread(store_path: str) -> bool:
    """Whether both workers hold sessions (waiting for a heartbeat or two)."""
    for _ in range(25):
        if await asyncio.to_thread(_workers_holding_sessions, store_path) >= 2:
            return True
        await asyncio.sleep(0.1)
    return False
