"""Where classes live: beside the runs, wherever the runs live, so a wall sees learners
trained by any worker of the server — in the runs' SQLite file (the default, shared by
the workers of one machine: ``sqlite_store.py``), in Redis (``NNLIVE_REDIS_URL``, shared
by several machines: ``redis_store.py``), or, when runs are kept nowhere
(``NNLIVE_STORE_PATH=none``), in this process only (``LocalClassStore``).

One interface (``LocalClassStore``'s methods, all ``async``):

- a class's **record** (``records.ClassRecord``): ``create``, ``get``, ``change`` (one
  atomic read-modify-write: the teacher's settings and commands), ``delete``, ``count``;
- its **tiles**, one per learner (JSON bytes): ``put_tiles``, ``tiles``, ``drop_tiles``;
- its **blobs**, named bytes: a learner's data (``data:ID``) and the spotlight's frame
  (``spotlight``): ``put_blobs``, ``blob``, ``drop_blobs``.

Everything of a class expires with it (``record.expires``); ``prune`` deletes what has.
A store that fails raises ``StoreUnavailable``: the teacher gets a 503, learners train on.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from app.classroom.records import ClassRecord


class StoreUnavailable(RuntimeError):
    """The shared store did not answer."""


class LocalClassStore:
    """Classes of this process only: dictionaries, pruned as classes expire."""


    def __init__(self):
        self.records: dict[str, ClassRecord] = {}
        self.tile_maps: dict[str, dict[str, bytes]] = {}
        self.blob_maps: dict[str, dict[str, bytes]] = {}

    def start(self) -> None: ...

    async def close(self) -> None: ...

    async def create(self, record: ClassRecord) -> bool:
        """Store a new class; False if its code is taken."""
        await self.prune()
        if record.code in self.records:
            return False
        self.records[record.code] = record
        return True

    async def get(self, code: str) -> ClassRecord | None:
        record = self.records.get(code)
        if record is not None and record.expired():
            await self.delete(code)
            return None
        return record

    async def change(self, code: str, change: Callable[[ClassRecord], None]) -> ClassRecord | None:
        """``change(record)`` applied to the stored record; the record after, or None."""
        record = await self.get(code)
        if record is not None:
            change(record)
        return record

    async def delete(self, code: str) -> None:
        for table in (self.records, self.tile_maps, self.blob_maps):
            table.pop(code, None)

    async def count(self) -> int:
        await self.prune()
        return len(self.records)

    async def prune(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        for code in [c for c, r in self.records.items() if r.expired(now)]:
            for table in (self.records, self.tile_maps, self.blob_maps):
                table.pop(code, None)

    async def put_tiles(self, code: str, tiles: dict[str, bytes], expires: float) -> None:
        if code in self.records:
            self.tile_maps.setdefault(code, {}).update(tiles)

    async def tiles(self, code: str) -> dict[str, bytes]:
        return dict(self.tile_maps.get(code, {}))

    async def drop_tiles(self, code: str, ids: list[str]) -> None:
        table = self.tile_maps.get(code, {})
        for learner in ids:
            table.pop(learner, None)

    async def put_blobs(self, code: str, blobs: dict[str, bytes], expires: float) -> None:
        if code in self.records:
            self.blob_maps.setdefault(code, {}).update(blobs)

    async def blob(self, code: str, name: str) -> bytes | None:
        return self.blob_maps.get(code, {}).get(name)

    async def drop_blobs(self, code: str, names: list[str]) -> None:
        table = self.blob_maps.get(code, {})
        for name in names:
            table.pop(name, None)


def make_class_store(records, redis_url: str | None) -> LocalClassStore:
    """Beside the runs' store ``records`` (``app.live.store.make_store``'s)."""
    if redis_url:
        from app.classroom.redis_store import RedisClassStore

        return RedisClassStore(redis_url)
    if getattr(records, "persistent", False):
        from app.classroom.sqlite_store import SqliteClassStore

        return SqliteClassStore(records)
    return LocalClassStore()
