"""Where detached sessions wait: this process (the default) or Redis, shared by workers.

A session lives where its socket is. With ``NNLIVE_REDIS_URL`` set, each session also
has one Redis hash ``nnlive:session:TOKEN`` with:

- ``owner``: the worker holding the session (set on every attach and claim);
- ``attached``: ``1`` while a socket is attached there, ``0`` once it detached;
- ``snapshot``: the session as JSON (``Session.to_record``), written on detach, and as a
  checkpoint while paused or diverged.

The hash expires ``grace_seconds`` after the owner last touched it: the owner refreshes
it while a socket is attached, so a crashed worker's sessions expire like dropped ones.
Every write is a Lua script that checks ``owner`` first, so a worker whose copy was
claimed elsewhere can never overwrite or delete the new owner's state.

Claiming (another worker, ``?session=TOKEN``): take the snapshot, delete it from the
hash and become the owner, atomically. If the owner still has a socket attached, wait
a moment (its drop may not have been noticed and saved yet), then take it anyway: the
last socket wins, as within one process; the old owner learns it lost the session at
its next refresh and closes that socket (4001).

Writes go through one queue and one task, in order, never blocking the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable

from app.metrics import Metrics

log = logging.getLogger("nnlive.store")
PREFIX = "nnlive:session:"
CLAIM_WAIT = 2.0      # seconds to wait for the owner to save a session that just dropped
CLAIM_POLL = 0.05     # seconds between looks meanwhile
MAX_PENDING = 10_000  # queued writes; beyond (Redis far too slow) new ones are dropped
TIMEOUT = 2.0         # seconds for one Redis round trip or connection
NOT_FOUND, WAIT, CLAIMED = 0, 1, 2

_SAVE = """
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and owner ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'attached', ARGV[2], 'snapshot', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
"""
_ATTACH = """
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'attached', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""
_FORGET = """
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""
_REFRESH = """
local lost = {}
for i, key in ipairs(KEYS) do
  local owner = redis.call('HGET', key, 'owner')
  if owner and owner ~= ARGV[1] then
    table.insert(lost, i)
  else
    redis.call('HSET', key, 'owner', ARGV[1], 'attached', '1')
    redis.call('PEXPIRE', key, ARGV[2])
  end
end
return lost
"""
_CLAIM = """
local h = redis.call('HMGET', KEYS[1], 'owner', 'attached', 'snapshot')
if not h[1] then return {0} end
if h[2] == '1' and h[1] ~= ARGV[1] and ARGV[2] == '0' then return {1} end
if not h[3] then return {0} end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'attached', '1')
redis.call('HDEL', KEYS[1], 'snapshot')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {2, h[3]}
"""


class LocalStore:
    """The default: sessions stay in this process; nothing is shared or written."""

    shared = False
    worker = "local"
    on_lost: Callable[[list[str]], None] | None = None

    def start(self) -> None: ...
    async def close(self) -> None: ...
    def attached(self, token: str) -> None: ...
    def save(self, token: str, encode: Callable[[], str], *, attached: bool) -> None: ...
    def forget(self, token: str) -> None: ...
    def refresh(self, tokens: list[str]) -> None: ...

    async def owner(self, token: str) -> str | None:
        return None

    async def claim(self, token: str) -> bytes | None:
        return None


class RedisStore(LocalStore):
    shared = True

    def __init__(self, url: str, grace_seconds: float, metrics: Metrics):
        import redis.asyncio as aioredis  # only when configured

        self.client = aioredis.from_url(url, socket_timeout=TIMEOUT,
                                        socket_connect_timeout=TIMEOUT)
        self.metrics = metrics
        self.ttl_ms = max(1, int(grace_seconds * 1000))
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.scripts = {name: self.client.register_script(src) for name, src in
                        (("save", _SAVE), ("attach", _ATTACH), ("forget", _FORGET),
                         ("refresh", _REFRESH), ("claim", _CLAIM))}
        self.claim_wait = CLAIM_WAIT
        self.pending: asyncio.Queue | None = None
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.pending = asyncio.Queue(MAX_PENDING)
        self.task = asyncio.create_task(self._write_loop(), name="nnlive-store")

    async def close(self) -> None:
        """Write what is queued (bounded in time: sessions detached at shutdown are saved
        so another replica can resume them), then disconnect."""
        if self.task is not None:
            try:
                await asyncio.wait_for(self.pending.join(), 2 * TIMEOUT)
            except TimeoutError:
                log.warning("shutdown: %d session writes not flushed", self.pending.qsize())
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
            self.task = None
        await self.client.aclose()

    # --- writes: queued, in order -----------------------------------------------------
    def attached(self, token: str) -> None:
        self._queue("attach", [PREFIX + token], [self.worker, self.ttl_ms])

    def save(self, token: str, encode: Callable[[], str], *, attached: bool) -> None:
        """Store ``encode()``'s JSON text (called in a worker thread: long histories take
        tens of milliseconds to encode)."""
        self._queue("save", [PREFIX + token], [self.worker, int(attached), encode,
                                                self.ttl_ms])

    def forget(self, token: str) -> None:
        self._queue("forget", [PREFIX + token], [self.worker])

    def refresh(self, tokens: list[str]) -> None:
        """Keep attached sessions alive in Redis; report those claimed elsewhere."""
        if tokens:
            self._queue("refresh", [PREFIX + t for t in tokens], [self.worker, self.ttl_ms],
                        then=lambda lost: self._lost([tokens[i - 1] for i in lost]))

    def _lost(self, tokens: list[str]) -> None:
        if tokens and self.on_lost is not None:
            self.on_lost(tokens)

    def _queue(self, op: str, keys: list, args: list, then=None) -> None:
        try:
            self.pending.put_nowait((op, keys, args, then))
        except asyncio.QueueFull:
            self.metrics.store_errors.labels(op=op).inc()

    async def _write_loop(self) -> None:
        while True:
            op, keys, args, then = await self.pending.get()
            try:
                if op == "save":
                    args = [*args[:2], await asyncio.to_thread(args[2]), args[3]]
                result = await self.scripts[op](keys=keys, args=args)
                if then is not None:
                    then(result)
            except Exception as exc:  # Redis away: sessions still work in this process
                self.metrics.store_errors.labels(op=op).inc()
                log.warning("redis %s failed: %s", op, exc)
            finally:
                self.pending.task_done()

    # --- reads ------------------------------------------------------------------------
    async def owner(self, token: str) -> str | None:
        try:
            owner = await self.client.hget(PREFIX + token, "owner")
        except Exception as exc:
            self.metrics.store_errors.labels(op="owner").inc()
            log.warning("redis owner failed: %s", exc)
            return None
        return owner.decode() if owner is not None else None

    async def claim(self, token: str) -> bytes | None:
        """The session's JSON text, now owned here; ``None`` if there is none to take."""
        deadline = time.monotonic() + self.claim_wait
        force = False
        for _ in range(int(self.claim_wait / CLAIM_POLL) + 2):
            try:
                result = await self.scripts["claim"](
                    keys=[PREFIX + token], args=[self.worker, int(force), self.ttl_ms])
            except Exception as exc:
                self.metrics.store_errors.labels(op="claim").inc()
                log.warning("redis claim failed: %s", exc)
                return None
            if result[0] != WAIT:
                return result[1] if result[0] == CLAIMED else None
            force = time.monotonic() >= deadline
            await asyncio.sleep(CLAIM_POLL)
        return None


def make_store(redis_url: str | None, grace_seconds: float, metrics: Metrics) -> LocalStore:
    if not redis_url or grace_seconds == 0:  # with no grace there is nothing to resume
        return LocalStore()
    return RedisStore(redis_url, grace_seconds, metrics)
