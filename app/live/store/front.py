"""The store as the event loop sees it: every operation runs in one thread, in order.

``RecordStore`` keeps one writer thread per process. Checkpoints are queued by record
(a newer one replaces one not yet written, so the queue is bounded by the sessions
held) and written together, in one transaction; other operations (claims, ownership
looks, heartbeats, deletes) queue behind them, so a claim always sees the checkpoints
queued before it. Answers come back to the loop (``loop.call_soon_threadsafe``).
Nothing here ever raises into the loop: a store that fails makes its checkpoints
answer with the ``Fault`` (the learner's status says "not saved") and logs one warning
when it starts failing and one line when it works again.

``MemoryStore`` is the store that keeps nothing (``NNLIVE_STORE_PATH=none``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import threading
import time
from collections import deque
from collections.abc import Callable

from app.live.store.base import (
    Backend,
    Beat,
    Claimed,
    Fault,
    Limits,
    Put,
    Stored,
    StoreFault,
)
from app.metrics import Metrics

log = logging.getLogger("nnlive.store")
CLAIM_WAIT = 2.0      # seconds to wait for a live owner to save a session that just dropped
CLAIM_POLL = 0.05     # seconds between looks meanwhile
TRIM_EVERY = 60.0     # seconds between looks for records past the retention or the bound
CLOSE_WAIT = 10.0     # seconds to write what is queued at shutdown

Done = Callable[[Exception | None], None]


class MemoryStore:
    """Runs live in this process only: nothing is saved or shared."""

    persistent = False
    worker = "local"

    def start(self) -> None: ...
    async def close(self) -> None: ...
    def put(self, kind: str, key: str, put: Callable[[], Put], done: Done) -> None: ...
    def delete(self, kind: str, key: str) -> None: ...
    def heartbeat(self, sessions: int, crowds: dict, keys: list[str],
                  then: Callable) -> None: ...

    async def owner(self, kind: str, key: str) -> str | None:
        return None

    async def claim(self, kind: str, key: str) -> Stored | None:
        return None


class RecordStore:
    persistent = True

    def __init__(self, backend: Callable[[], Backend], limits: Limits, metrics: Metrics,
                 group: str):
        self.make_backend, self.limits, self.metrics = backend, limits, metrics
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.group = group  # the workers of one server: they share its session cap
        self.claim_wait = CLAIM_WAIT
        self.failing: Fault | None = None
        self._puts: dict[tuple[str, str], tuple[Callable[[], Put], Done]] = {}
        self._calls: deque = deque()
        self._wake = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- the loop's side --------------------------------------------------------------
    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._work, name="nnlive-store", daemon=True)
        self._thread.start()

    async def close(self) -> None:
        """Write what is queued (bounded in time), then stop the thread."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, CLOSE_WAIT)
            if self._thread.is_alive():
                log.warning("shutdown: the store's writes did not finish in %g s", CLOSE_WAIT)

    def put(self, kind: str, key: str, put: Callable[[], Put], done: Done) -> None:
        """Write ``put()`` (called in the thread: encoding takes milliseconds); then, on
        the loop, ``done(None)`` or ``done(why)``: a ``StoreFault``, ``NotOwner`` or
        ``Gone``. A newer put of the same record, queued before this one is written,
        replaces it."""
        with self._wake:
            self._puts[(kind, key)] = (put, done)
            self._wake.notify()

    def delete(self, kind: str, key: str) -> None:
        self._submit("delete", lambda b: b.delete(kind, key, self.worker), None)

    def heartbeat(self, sessions: int, crowds: dict, keys: list[str],
                  then: Callable) -> None:
        """This worker lives with ``sessions`` (``crowds``: so many from each
        address); ``then(Others)`` on the loop: what the other workers of this server
        hold, and which of ``keys`` another worker took."""
        beat = Beat(self.worker, self.group, sessions, crowds, keys)
        self._submit("heartbeat", lambda b: b.heartbeat(beat, time.time()), then)

    async def owner(self, kind: str, key: str) -> str | None:
        try:
            return await self._ask("owner", lambda b: b.owner(kind, key))
        except StoreFault:
            return None

    async def claim(self, kind: str, key: str) -> Stored | None:
        """The record, now owned here; None if there is none to take (or the store
        fails). While a live owner has a socket attached, wait a moment for its drop to
        be saved, then take it anyway: the last socket wins."""
        deadline = time.monotonic() + self.claim_wait
        force = False
        while True:
            try:
                claimed, stored = await self._ask("claim", lambda b, f=force: b.claim(
                    kind, key, self.worker, f, time.time()))
            except StoreFault:
                return None
            if claimed is not Claimed.WAIT:
                return stored
            force = time.monotonic() >= deadline
            await asyncio.sleep(CLAIM_POLL)

    async def ask(self, op: str, work: Callable):
        """``work(backend)`` in the store's thread, after what is queued before it; its
        answer, or the ``StoreFault`` it raised (the class store's tables, beside the
        runs': app/classroom/sqlite_store.py)."""
        return await self._ask(op, work)

    def _submit(self, op: str, work: Callable, then: Callable | None) -> None:
        with self._wake:
            self._calls.append((op, work, then, None))
            self._wake.notify()

    async def _ask(self, op: str, work: Callable):
        future = self._loop.create_future()
        with self._wake:
            self._calls.append((op, work, None, future))
            self._wake.notify()
        return await future

    # --- the thread's side ------------------------------------------------------------
    def _work(self) -> None:
        backend, trimmed = self.make_backend(), 0.0
        while True:
            with self._wake:
                if not (self._puts or self._calls or self._stopping):
                    self._wake.wait(TRIM_EVERY)
                puts, self._puts = list(self._puts.values()), {}
                calls, self._calls = list(self._calls), deque()
                stopping = self._stopping and not puts and not calls
            if puts:
                self._write(backend, puts)
            for call in calls:
                self._call(backend, *call)
            if time.monotonic() - trimmed > TRIM_EVERY:
                trimmed = time.monotonic()
                self._call(backend, "trim", lambda b: b.trim(self.limits, time.time()),
                           None, None)
            if stopping:
                break
        self._call(backend, "leave", lambda b: b.leave(self.worker), None, None)
        backend.close()

    def _write(self, backend: Backend, puts: list) -> None:
        encoded, dones = [], []
        for make, done in puts:
            try:
                encoded.append(make())
                dones.append(done)
            except Exception:  # a bug in encoding one run must not stop the others
                log.exception("could not encode a checkpoint")
        try:
            results = backend.put_many(encoded, self.worker, self.limits, time.time())
        except StoreFault as exc:
            results = [exc] * len(encoded)
        except Exception as exc:
            log.exception("the store failed")
            results = [StoreFault(Fault.IO_ERROR, str(exc))] * len(encoded)
        faults = [r for r in results if isinstance(r, StoreFault)]
        for _ in faults:
            self.metrics.store_errors.labels(op="put").inc()
        broken = [f for f in faults if f.fault is not Fault.TOO_LARGE]  # the store's, not a run's
        self._health(broken[0] if broken else None, bool(encoded))
        for done, result in zip(dones, results):
            self._answer(done, result)

    def _call(self, backend: Backend, op: str, work: Callable, then, future) -> None:
        try:
            result, error = work(backend), None
        except Exception as exc:
            result, error = None, exc if isinstance(exc, StoreFault) else \
                StoreFault(Fault.IO_ERROR, str(exc))
            self.metrics.store_errors.labels(op=op).inc()
            log.warning("store %s failed: %s", op, exc)
        if future is not None:
            self._answer(_settle, future, result, error)
        elif then is not None and error is None:
            self._answer(then, result)

    def _answer(self, callback: Callable, *args) -> None:
        try:
            self._loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # the loop has closed (the end of a shutdown)
            pass

    def _health(self, fault: StoreFault | None, wrote: bool) -> None:
        """One warning when writes start failing, one line when they work again."""
        if fault is not None and self.failing is None:
            log.warning("runs are not being saved: %s", fault)
        elif fault is None and wrote and self.failing is not None:
            log.warning("runs are being saved again (after: %s)", self.failing.value)
        if fault is not None or wrote:
            self.failing = fault.fault if fault is not None else None


def _settle(future: asyncio.Future, result, error: Exception | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
