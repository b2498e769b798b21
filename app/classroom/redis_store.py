"""Classes in Redis (``NNLIVE_REDIS_URL``): every worker of every machine sees the same
classes. The record is the string ``nnlive:class:CODE``, tiles the hash ``…:tiles``,
blobs the hash ``…:blobs``, each expiring at the class's end (Redis deletes them); the
sorted set ``nnlive:classes`` counts the live classes. The interface: ``store.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from app.classroom.records import ClassRecord
from app.classroom.store import LocalClassStore, StoreUnavailable

PREFIX = "nnlive:class:"
INDEX = "nnlive:classes"
TIMEOUT = 2.0  # seconds for one Redis round trip


class RedisClassStore(LocalClassStore):
    """The same, in Redis: every worker of every machine sees the same classes."""

    def __init__(self, url: str):
        import redis.asyncio as aioredis  # only when configured

        super().__init__()
        self.client = aioredis.from_url(url, socket_timeout=TIMEOUT,
                                        socket_connect_timeout=TIMEOUT)

    async def close(self) -> None:
        await self.client.aclose()

    async def create(self, record: ClassRecord) -> bool:
        key, at = PREFIX + record.code, _ms(record.expires)
        async with _answering():
            created = await self.client.set(key, record.to_json(), nx=True, pxat=at)
            if created:
                await self.client.zadd(INDEX, {record.code: record.expires})
        return bool(created)

    async def get(self, code: str) -> ClassRecord | None:
        async with _answering():
            text = await self.client.get(PREFIX + code)
        return ClassRecord.from_json(text) if text is not None else None

    async def change(self, code: str, change: Callable[[ClassRecord], None]) -> ClassRecord | None:
        """Optimistic: read under WATCH, write in MULTI; a concurrent change retries."""
        from redis.exceptions import WatchError

        key = PREFIX + code
        async with _answering(), self.client.pipeline() as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    text = await pipe.get(key)
                    if text is None:
                        return None
                    record = ClassRecord.from_json(text)
                    change(record)
                    pipe.multi()
                    pipe.set(key, record.to_json(), keepttl=True)
                    await pipe.execute()
                    return record
                except WatchError:
                    continue

    async def delete(self, code: str) -> None:
        async with _answering():
            await self.client.delete(*(PREFIX + code + s for s in ("", ":tiles", ":blobs")))
            await self.client.zrem(INDEX, code)

    async def count(self) -> int:
        async with _answering():
            await self.client.zremrangebyscore(INDEX, "-inf", time.time())
            return await self.client.zcard(INDEX)

    async def prune(self, now: float | None = None) -> None:
        """Nothing to do: Redis lets every key go at its class's end."""

    async def put_tiles(self, code: str, tiles: dict[str, bytes], expires: float) -> None:
        await self._put(PREFIX + code + ":tiles", tiles, expires)

    async def tiles(self, code: str) -> dict[str, bytes]:
        async with _answering():
            raw = await self.client.hgetall(PREFIX + code + ":tiles")
        return {k.decode(): v for k, v in raw.items()}

    async def drop_tiles(self, code: str, ids: list[str]) -> None:
        if ids:
            async with _answering():
                await self.client.hdel(PREFIX + code + ":tiles", *ids)

    async def put_blobs(self, code: str, blobs: dict[str, bytes], expires: float) -> None:
        await self._put(PREFIX + code + ":blobs", blobs, expires)

    async def blob(self, code: str, name: str) -> bytes | None:
        async with _answering():
            return await self.client.hget(PREFIX + code + ":blobs", name)

    async def drop_blobs(self, code: str, names: list[str]) -> None:
        if names:
            async with _answering():
                await self.client.hdel(PREFIX + code + ":blobs", *names)

    async def _put(self, key: str, mapping: dict[str, bytes], expires: float) -> None:
        if not mapping:
            return
        async with _answering(), self.client.pipeline(transaction=False) as pipe:
            pipe.hset(key, mapping=mapping)
            pipe.pexpireat(key, _ms(expires))
            await pipe.execute()


def _ms(unix_seconds: float) -> int:
    return int(unix_seconds * 1000)


class _answering:
    """Turns any Redis failure into ``StoreUnavailable``."""

    async def __aenter__(self):
        return self

    async def __aexit__(self, kind, exc, tb):
        if exc is not None and not isinstance(exc, StoreUnavailable) and isinstance(exc, Exception):
            raise StoreUnavailable(f"the class store did not answer: {exc}") from exc
        return False
