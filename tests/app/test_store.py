"""Sessions as JSON (bit for bit) and the Redis store's ownership rules, on a real Redis."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import time

import numpy as np
import pytest

from app.live.run import RunState
from app.live.session import Session
from app.live.snapshots import pack_run, unpack_run
from app.live.store import RedisStore
from app.metrics import Metrics
from app.settings import load_settings
from core.config import validate_config
from core.trainer import Trainer
from tests.serve import free_port


class RedisServer:
    """A throwaway ``redis-server`` on a free 127.0.0.1 port, no persistence."""

    def __init__(self):
        binary = shutil.which("redis-server")
        assert binary, "redis-server is missing: run scripts/ensure-redis.sh"
        self.port = free_port()
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self._answers():
            assert self.proc.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), 0.2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer()
    yield server
    server.stop()


def _json(record: dict):
    return lambda: json.dumps(record)


def _read(text: bytes | None):
    return None if text is None else json.loads(text)


def _trained(**fields) -> Trainer:
    trainer = Trainer(validate_config({"seed": 5, **fields}))
    trainer.train_epochs(7)
    return trainer


def _same_run(a: Trainer, b: Trainer) -> None:
    assert a.epoch == b.epoch and a.state == b.state and a.config == b.config
    assert a.network.params.tobytes() == b.network.params.tobytes()
    assert a.history == b.history
    for key, value in a.optimizer.state().items():
        assert np.asarray(value).tobytes() == np.asarray(b.optimizer.state()[key]).tobytes()


@pytest.mark.parametrize("fields", [
    {"optimizer": "adam", "hidden": [3, 2]},
    {"optimizer": "momentum", "regularization": "l2", "reg_rate": 0.01},
    {"dataset": "multi_gaussian", "loss": "mae", "hidden": []},        # errors are None
    {"dataset": "three_blobs", "activation": "relu", "batch_size": 3},
    {"dataset": "custom", "points": [[1, 1, 1], [-1, -1, 0], [2, -3, 1], [-4, 5, 0]]},
], ids=["adam", "momentum-l2", "regression", "three-classes", "custom"])
def test_a_packed_run_comes_back_bit_for_bit_and_trains_on_identically(fields):
    original = _trained(**fields)
    restored, initial = unpack_run(pack_run(original))
    _same_run(original, restored)
    assert initial.epoch == 0
    original.train_epochs(5)
    restored.train_epochs(5)
    _same_run(original, restored)


def test_a_session_record_keeps_run_state_and_restores_to_epoch_zero():
    settings = load_settings({})
    session = Session("tok" * 8, "1.2.3.4", settings)
    session.run.adopt(_trained(optimizer="adam"), None, generation=3, speed=250,
                      state=RunState.PAUSED)
    record = Session.encode_record(session.to_record())
    back = Session.from_record(session.token, "5.6.7.8", settings, record)
    assert (back.run.state, back.run.generation, back.run.speed) == (RunState.PAUSED, 3, 250)
    _same_run(session.trainer, back.trainer)
    assert back.run.snapshots.at_or_before(0).epoch == 0  # "train from here" still has 0
    idle = Session.encode_record(Session("t", "a", settings).to_record())
    assert Session.from_record("t", "a", settings, idle).trainer is None  # never started


def test_store_claim_moves_ownership_and_stale_owners_cannot_write(redis_server, run):
    async def scenario():
        a, b = (RedisStore(redis_server.url, 30, Metrics()) for _ in range(2))
        lost: list[str] = []
        a.on_lost = lost.extend
        for store in (a, b):
            store.claim_wait = 1.0  # shorter than in service: the forced claims are tested
            store.start()
        try:
            a.attached("T1")
            a.save("T1", _json({"epoch": 7}), attached=False)
            await a.pending.join()
            assert _read(await b.claim("T1")) == {"epoch": 7}
            assert await b.owner("T1") == b.worker
            assert await a.claim("T1") is None          # the snapshot went with the claim
            a.save("T1", _json({"epoch": 3}), attached=False)  # refused: a is stale
            a.forget("T1")                              # …and so is its delete
            await a.pending.join()
            assert await b.owner("T1") == b.worker
            a.refresh(["T1"])                           # a learns that it lost T1
            await a.pending.join()
            assert lost == ["T1"]
            b.save("T1", _json({"epoch": 9}), attached=False)
            await b.pending.join()
            assert _read(await a.claim("T1")) == {"epoch": 9}  # and can claim it back later
            assert await b.claim("nope") is None
        finally:
            for store in (a, b):
                await store.close()
    run(scenario())


def test_store_waits_for_an_attached_owner_then_takes_over(redis_server, run):
    async def scenario():
        a, b = (RedisStore(redis_server.url, 30, Metrics()) for _ in range(2))
        for store in (a, b):
            store.claim_wait = 1.0  # shorter than in service: the forced claims are tested
            store.start()
        try:
            a.attached("T2")
            a.save("T2", _json({"epoch": 1}), attached=True)  # a pause checkpoint
            await a.pending.join()
            claim = asyncio.ensure_future(b.claim("T2"))
            await asyncio.sleep(0.2)
            assert not claim.done()                      # b waits for a's drop to be saved
            a.save("T2", _json({"epoch": 4}), attached=False)
            assert _read(await asyncio.wait_for(claim, 5)) == {"epoch": 4}
            a.attached("T3")
            a.save("T3", _json({"epoch": 2}), attached=True)
            await a.pending.join()
            assert _read(await b.claim("T3")) == {"epoch": 2}  # after the wait: last wins
        finally:
            for store in (a, b):
                await store.close()
    run(scenario())


def test_store_records_expire_after_the_grace_period(redis_server, run):
    async def scenario():
        store = RedisStore(redis_server.url, 0.3, Metrics())
        store.start()
        try:
            store.save("T4", _json({"epoch": 1}), attached=False)
            await store.pending.join()
            for _ in range(100):
                if await store.owner("T4") is None:
                    break
                await asyncio.sleep(0.02)
            assert await store.owner("T4") is None
        finally:
            await store.close()
    run(scenario())
