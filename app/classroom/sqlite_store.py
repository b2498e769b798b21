"""Classes in the runs' SQLite file (the default store, ``app/live/store/``): two tables
beside the runs', read and written through the runs' own store thread
(``RecordStore.ask``), in order with the checkpoints, so every worker of one
``nnlive serve`` sees the same classes and one thread per process touches the file.

``classes`` holds each record (JSON) with its end; ``class_items`` a class's tiles
(``shelf = 'tile'``) and blobs (``'blob'``). A change is one ``BEGIN IMMEDIATE``
transaction, so two workers changing one class never lose either change. What has
expired is invisible at once and deleted by ``prune``. The interface: ``store.py``.

What a class holds is bounded by the sessions the server admits (one tile and one data
blob per learner, one spotlight frame per class) and by ``NNLIVE_MAX_CLASSES``; it is
not counted in ``NNLIVE_STORE_MAX_MB``, which bounds the runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from app.classroom.records import ClassRecord
from app.classroom.store import LocalClassStore, StoreUnavailable

SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    code TEXT PRIMARY KEY, expires REAL NOT NULL, record BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS class_items (
    code TEXT NOT NULL, shelf TEXT NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (code, shelf, name));
"""
LIVE = "SELECT record FROM classes WHERE code = ? AND expires > ?"


class SqliteClassStore(LocalClassStore):
    """The same, in the runs' SQLite file: every worker of one machine sees them."""

    def __init__(self, records):
        super().__init__()
        self.records_store = records  # the runs' RecordStore (its thread, its backend)
        self._ready = None            # the backend the tables were made in

    async def close(self) -> None: ...  # the runs' store closes the file

    # --- records ----------------------------------------------------------------------
    async def create(self, record: ClassRecord) -> bool:
        def work(db) -> bool:
            if db.execute("SELECT 1 FROM classes WHERE code = ?", (record.code,)).fetchone():
                return False  # taken, or expired and not yet pruned: a code is never reused
            db.execute("INSERT INTO classes (code, expires, record) VALUES (?, ?, ?)",
                       (record.code, record.expires, record.to_json()))
            return True
        return await self._write(work)

    async def get(self, code: str) -> ClassRecord | None:
        row = await self._read(lambda db: db.execute(LIVE, (code, time.time())).fetchone())
        return ClassRecord.from_json(row[0]) if row else None

    async def change(self, code: str, change: Callable[[ClassRecord], None]) -> ClassRecord | None:
        def work(db) -> ClassRecord | None:
            row = db.execute(LIVE, (code, time.time())).fetchone()
            if row is None:
                return None
            record = ClassRecord.from_json(row[0])
            change(record)
            db.execute("UPDATE classes SET record = ? WHERE code = ?", (record.to_json(), code))
            return record
        return await self._write(work)

    async def delete(self, code: str) -> None:
        def work(db) -> None:
            db.execute("DELETE FROM classes WHERE code = ?", (code,))
            db.execute("DELETE FROM class_items WHERE code = ?", (code,))
        await self._write(work)

    async def count(self) -> int:
        row = await self._read(lambda db: db.execute(
            "SELECT COUNT(*) FROM classes WHERE expires > ?", (time.time(),)).fetchone())
        return row[0]

    async def prune(self, now: float | None = None) -> None:
        now = time.time() if now is None else now

        def work(db) -> None:
            db.execute("DELETE FROM class_items WHERE code IN "
                       "(SELECT code FROM classes WHERE expires <= ?)", (now,))
            db.execute("DELETE FROM classes WHERE expires <= ?", (now,))
        await self._write(work)

    # --- tiles and blobs ----------------------------------------------------------------
    async def put_tiles(self, code: str, tiles: dict[str, bytes], expires: float) -> None:
        await self._put(code, "tile", tiles)

    async def tiles(self, code: str) -> dict[str, bytes]:
        return dict(await self._read(lambda db: db.execute(
            "SELECT name, data FROM class_items WHERE code = ? AND shelf = 'tile'",
            (code,)).fetchall()))

    async def drop_tiles(self, code: str, ids: list[str]) -> None:
        await self._drop(code, "tile", ids)

    async def put_blobs(self, code: str, blobs: dict[str, bytes], expires: float) -> None:
        await self._put(code, "blob", blobs)

    async def blob(self, code: str, name: str) -> bytes | None:
        row = await self._read(lambda db: db.execute(
            "SELECT data FROM class_items WHERE code = ? AND shelf = 'blob' AND name = ?",
            (code, name)).fetchone())
        return row[0] if row else None

    async def drop_blobs(self, code: str, names: list[str]) -> None:
        await self._drop(code, "blob", names)

    async def _put(self, code: str, shelf: str, items: dict[str, bytes]) -> None:
        """Only into a live class: a learner's last tile never outlives its class."""
        if not items:
            return

        def work(db) -> None:
            if db.execute("SELECT 1 FROM classes WHERE code = ?", (code,)).fetchone():
                db.executemany("INSERT OR REPLACE INTO class_items (code, shelf, name, data) "
                               "VALUES (?, ?, ?, ?)",
                               [(code, shelf, name, data) for name, data in items.items()])
        await self._write(work)

    async def _drop(self, code: str, shelf: str, names: list[str]) -> None:
        if names:
            await self._write(lambda db: db.executemany(
                "DELETE FROM class_items WHERE code = ? AND shelf = ? AND name = ?",
                [(code, shelf, name) for name in names]))

    # --- the runs' store thread -----------------------------------------------------------
    async def _read(self, work: Callable):
        return await self._ask(lambda backend: work(self._tables(backend)))

    async def _write(self, work: Callable):
        def transaction(backend):
            self._tables(backend)
            with backend.transaction() as db:
                return work(db)
        return await self._ask(transaction)

    def _tables(self, backend):
        """The backend's connection, the class tables made in it once."""
        db = backend.connection()
        if self._ready is not backend:
            db.executescript(SCHEMA)
            self._ready = backend
        return db

    async def _ask(self, work: Callable):
        from app.live.store.base import StoreFault

        try:
            return await self.records_store.ask("class", work)
        except StoreFault as exc:
            raise StoreUnavailable(f"the class store did not answer: {exc}") from exc
