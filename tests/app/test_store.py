"""The stores' rules (app/live/store/base.py), the same for SQLite and a real Redis:
ownership and claims, heartbeats, the bounds, and what a failing store answers."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest

from app.live.store.base import (
    Beat,
    Claimed,
    Fault,
    Gone,
    Limits,
    NotOwner,
    Others,
    Put,
    StoreFault,
)
from app.live.store.front import RecordStore
from app.live.store.sqlite_backend import SqliteBackend
from app.metrics import Metrics
from tests.app.redis_server import redis_server  # noqa: F401  (a fixture)

ROOMY = Limits(run_bytes=10_000, max_bytes=100_000, retention=3600)


@pytest.fixture(params=["sqlite", "redis"])
def backend(request, tmp_path):
    if request.param == "sqlite":
        store = SqliteBackend(tmp_path / "runs.sqlite3")
    else:
        from app.live.store.redis_backend import RedisBackend

        server = request.getfixturevalue("redis_server")
        store = RedisBackend(server.url)
        store.client.flushdb()
    yield store
    store.close()


def put(key: str, owner: str, *, size: int = 10, attached: bool = False, first: int = 0,
        at: float | None = None) -> Put:
    return Put("session", key, owner, attached, time.time() if at is None else at,
               b"m" * size, [b"p0", b"p1"][first:], first)


def write(backend, p: Put, worker: str, limits: Limits = ROOMY):
    (result,) = backend.put_many([p], worker, limits, time.time())
    return result


def alive(backend, *workers: str) -> None:
    for worker in workers:
        backend.heartbeat(Beat(worker, "g", 1, {}, []), time.time())


def test_a_claim_moves_ownership_and_a_stale_owner_can_no_longer_write(backend):
    alive(backend, "A", "B")
    assert write(backend, put("T1", "A"), "A") is None
    claimed, stored = backend.claim("session", "T1", "B", False, time.time())
    assert claimed is Claimed.TAKEN and (stored.meta, stored.parts) == (b"m" * 10, [b"p0", b"p1"])
    assert backend.owner("session", "T1") == "B"
    assert isinstance(write(backend, put("T1", "A"), "A"), NotOwner)  # A is stale
    backend.delete("session", "T1", "A")                              # …and so is its delete
    assert backend.owner("session", "T1") == "B"
    beat = backend.heartbeat(Beat("A", "g", 3, {"10.0.0.9": 9}, ["T1"]), time.time())
    assert beat == Others(1, {}, ["T1"])                               # A learns
    beat = backend.heartbeat(Beat("B", "g", 2, {"10.0.0.9": 20}, ["T1"]), time.time())
    assert beat == Others(3, {"10.0.0.9": 9}, [])  # what A holds, its crowd among it
    backend.heartbeat(Beat("C", "elsewhere", 50, {"10.0.0.9": 50}, []), time.time())
    assert backend.heartbeat(Beat("B", "g", 2, {}, []), time.time()).sessions == 3
    assert backend.claim("session", "nope", "A", False, time.time()) == (Claimed.NOT_FOUND, None)


def test_a_claim_waits_for_a_live_attached_owner_but_not_for_a_dead_one(backend):
    alive(backend, "A")
    write(backend, put("T2", "A", attached=True), "A")
    assert backend.claim("session", "T2", "B", False, time.time())[0] is Claimed.WAIT
    assert backend.claim("session", "T2", "B", True, time.time())[0] is Claimed.TAKEN
    write(backend, put("T3", "B", attached=True), "B")  # B never beat: as if crashed
    assert backend.claim("session", "T3", "C", False, time.time())[0] is Claimed.TAKEN
    write(backend, put("T4", ""), "C")                  # released: anyone takes it
    assert backend.claim("session", "T4", "D", False, time.time())[0] is Claimed.TAKEN


def test_parts_are_rewritten_from_the_first_given_and_a_lost_record_must_come_whole(backend):
    write(backend, put("T5", "A"), "A")
    write(backend, Put("session", "T5", "A", False, time.time(), b"n", [b"q1"], 1), "A")
    assert backend.claim("session", "T5", "A", False, time.time())[1].parts == [b"p0", b"q1"]
    assert isinstance(write(backend, put("T6", "A", first=1), "A"), Gone)


def test_one_record_over_its_bound_is_refused_and_the_oldest_at_rest_go_first(backend):
    limits = Limits(run_bytes=500, max_bytes=1000, retention=3600)
    assert write(backend, put("big", "A", size=600), "A", limits).fault is Fault.TOO_LARGE
    now = time.time()
    alive(backend, "A")
    for i in range(3):  # 3 × ≈ 304 bytes: 912
        old = put(f"old{i}", "", size=300, at=now - 100 + i)
        assert write(backend, old, "A", limits) is None
    assert write(backend, put("live", "A", size=300), "A", limits) is None  # old0 goes
    assert backend.owner("session", "old0") is None
    assert backend.owner("session", "old1") == ""
    full = Limits(run_bytes=500, max_bytes=500, retention=3600)
    backend.trim(full, time.time())  # down to the bound: old1, then old2, go; live stays
    assert [backend.owner("session", k) for k in ("old1", "old2", "live")] == [None, None, "A"]
    assert write(backend, put("more", "A", size=450), "A", full).fault is Fault.STORE_FULL


def test_records_at_rest_go_after_the_retention(backend):
    alive(backend, "A")
    write(backend, put("stale", "", at=time.time() - 100), "A")
    write(backend, put("held", "A", at=time.time() - 100), "A")  # its owner is alive
    write(backend, put("fresh", ""), "A")
    backend.trim(Limits(10_000, 100_000, retention=50), time.time())
    assert [backend.owner("session", k) for k in ("stale", "held", "fresh")] == [None, "A", ""]


def test_a_claim_through_the_store_thread_waits_for_the_drop_then_takes_over(tmp_path, run):
    """As a reconnect on another worker sees it: the claim waits while the owner still
    has the socket, gets the state saved at its drop, or takes over after a moment."""
    async def scenario():
        a, b = (RecordStore(lambda: SqliteBackend(tmp_path / "runs.sqlite3"), ROOMY,
                            Metrics(), "g") for _ in range(2))
        for store in (a, b):
            store.claim_wait = 1.0
            store.start()
        try:
            beat = asyncio.Event()
            a.heartbeat(1, {}, [], lambda _: beat.set())
            await beat.wait()
            answered = asyncio.Event()
            a.put("session", "T7", lambda: put("T7", a.worker, attached=True),
                  lambda outcome: answered.set())
            await answered.wait()
            claim = asyncio.ensure_future(b.claim("session", "T7"))
            await asyncio.sleep(0.3)
            assert not claim.done()                   # b waits for a's drop to be saved
            a.put("session", "T7", lambda: Put("session", "T7", a.worker, False,
                                               time.time(), b"dropped", [b"p0"]),
                  lambda outcome: None)
            assert (await asyncio.wait_for(claim, 5)).meta == b"dropped"
            a.put("session", "T8", lambda: put("T8", a.worker, attached=True),
                  lambda outcome: None)
            await asyncio.sleep(0.2)
            began = time.monotonic()
            assert (await b.claim("session", "T8")) is not None  # after the wait: last wins
            assert time.monotonic() - began >= 0.9
        finally:
            for store in (a, b):
                await store.close()
    run(scenario())


def test_a_locked_database_answers_not_saved_then_saves_again(tmp_path, run):
    path = tmp_path / "runs.sqlite3"

    async def scenario():
        store = RecordStore(lambda: SqliteBackend(path), ROOMY, Metrics(), "g")
        store.start()
        try:
            async def save() -> Exception | None:
                answer = asyncio.get_running_loop().create_future()
                store.put("session", "T9", lambda: put("T9", store.worker),
                          answer.set_result)
                return await answer
            assert await save() is None
            other = sqlite3.connect(path, isolation_level=None)
            other.execute("BEGIN EXCLUSIVE")         # another program holds the file
            refused = await save()
            assert isinstance(refused, StoreFault) and refused.fault is Fault.LOCKED
            assert store.failing is Fault.LOCKED
            other.execute("ROLLBACK")
            other.close()
            assert await save() is None and store.failing is None
        finally:
            await store.close()
    run(scenario(), timeout=30)
