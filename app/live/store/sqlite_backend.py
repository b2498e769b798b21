"""Records in a local SQLite database (Python's ``sqlite3``, WAL mode): the default store,
shared by the worker processes of one machine.

WAL lets readers go on while one process writes; ``synchronous=NORMAL`` keeps every
committed transaction through a crash of the process (``kill -9``), if not of the
machine's power. A writer waits ``BUSY_SECONDS`` for another's lock, then the write
fails as ``locked``. The file is opened lazily, in the store's thread, so a server
whose store cannot be opened still starts (its runs are then not saved, and say so).
"""

from __future__ import annotations

import errno
import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from app.live.store.base import (
    WORKER_FORGET,
    WORKER_TIMEOUT,
    Beat,
    Claimed,
    Fault,
    Gone,
    Limits,
    NotOwner,
    Others,
    Put,
    Stored,
    StoreFault,
)

BUSY_SECONDS = 2.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, key TEXT NOT NULL, owner TEXT NOT NULL, attached INTEGER NOT NULL,
    saved_at REAL NOT NULL, size INTEGER NOT NULL, meta BLOB NOT NULL,
    PRIMARY KEY (kind, key));
CREATE INDEX IF NOT EXISTS records_by_age ON records (saved_at);
CREATE TABLE IF NOT EXISTS parts (
    kind TEXT NOT NULL, key TEXT NOT NULL, part INTEGER NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (kind, key, part));
CREATE TABLE IF NOT EXISTS workers (
    id TEXT PRIMARY KEY, grp TEXT NOT NULL, seen REAL NOT NULL, sessions INTEGER NOT NULL,
    crowds TEXT NOT NULL);
"""
AT_REST = "(owner = '' OR owner NOT IN (SELECT id FROM workers WHERE seen >= ?))"


class SqliteBackend:
    def __init__(self, path: Path):
        self.path = path
        self.db: sqlite3.Connection | None = None

    # --- the connection ---------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        if self.db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None,
                                     check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(SCHEMA)
            except (OSError, sqlite3.Error) as exc:
                raise StoreFault(fault_of(exc), str(exc)) from exc
            self.db = db
        return self.db

    @contextmanager
    def _writing(self):
        """One write transaction; any failure rolls it back and says why."""
        db = self._open()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StoreFault(fault_of(exc), str(exc)) from exc

    # for tables beside the records, in the store's thread (app/classroom/sqlite_store.py)
    def connection(self) -> sqlite3.Connection:
        return self._open()

    def transaction(self):
        return self._writing()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    # --- writes -----------------------------------------------------------------------
    def put_many(self, puts: list[Put], worker: str, limits: Limits,
                 now: float) -> list[Exception | None]:
        """Every put in one transaction; each answered ``None`` or why it was refused."""
        results: list[Exception | None] = []
        with self._writing() as db:
            total = db.execute("SELECT COALESCE(SUM(size), 0) FROM records").fetchone()[0]
            for put in puts:
                try:
                    total = self._put(db, put, worker, limits, total, now)
                    results.append(None)
                except (NotOwner, Gone, StoreFault) as exc:
                    results.append(exc)
        return results

    def _put(self, db, put: Put, worker: str, limits: Limits, total: int, now: float) -> int:
        name = (put.kind, put.key)
        row = db.execute("SELECT owner, size FROM records WHERE kind = ? AND key = ?",
                         name).fetchone()
        if row is None and put.first_part > 0:
            raise Gone(put.key)
        if row is not None and row[0] not in ("", worker):
            raise NotOwner(f"owned by {row[0]}")
        kept = db.execute("SELECT COALESCE(SUM(length(data)), 0) FROM parts WHERE kind = ? "
                          "AND key = ? AND part < ?", (*name, put.first_part)).fetchone()[0]
        size = len(put.meta) + kept + sum(len(p) for p in put.parts)
        if size > limits.run_bytes:
            raise StoreFault(Fault.TOO_LARGE, f"{size} bytes")
        grown = total - (row[1] if row else 0) + size
        if grown > limits.max_bytes:
            grown -= self._evict(db, grown - limits.max_bytes, now, name)
            if grown > limits.max_bytes:
                raise StoreFault(Fault.STORE_FULL, f"{grown} bytes")
        db.execute("INSERT INTO records (kind, key, owner, attached, saved_at, size, meta) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET "
                   "owner = excluded.owner, attached = excluded.attached, "
                   "saved_at = excluded.saved_at, size = excluded.size, meta = excluded.meta",
                   (*name, put.owner, int(put.attached), put.saved_at, size, put.meta))
        db.execute("DELETE FROM parts WHERE kind = ? AND key = ? AND part >= ?",
                   (*name, put.first_part))
        db.executemany("INSERT INTO parts (kind, key, part, data) VALUES (?, ?, ?, ?)",
                       [(*name, put.first_part + i, p) for i, p in enumerate(put.parts)])
        return grown

    def _evict(self, db, needed: int, now: float, keep: tuple[str, str]) -> int:
        """Delete the oldest records at rest until ``needed`` bytes are free; how many."""
        freed = 0
        rows = db.execute(f"SELECT kind, key, size FROM records WHERE {AT_REST} "
                          "ORDER BY saved_at", (now - WORKER_TIMEOUT,)).fetchall()
        for kind, key, size in rows:
            if freed >= needed:
                break
            if (kind, key) != keep:
                self._drop(db, kind, key)
                freed += size
        return freed

    @staticmethod
    def _drop(db, kind: str, key: str) -> None:
        db.execute("DELETE FROM parts WHERE kind = ? AND key = ?", (kind, key))
        db.execute("DELETE FROM records WHERE kind = ? AND key = ?", (kind, key))

    def delete(self, kind: str, key: str, worker: str) -> None:
        with self._writing() as db:
            row = db.execute("SELECT owner FROM records WHERE kind = ? AND key = ?",
                             (kind, key)).fetchone()
            if row is not None and row[0] in ("", worker):
                self._drop(db, kind, key)

    def trim(self, limits: Limits, now: float) -> int:
        """Drop records at rest older than the retention, then the oldest while the
        whole is over its bound, and workers long dead; how many records went."""
        with self._writing() as db:
            old = db.execute(f"SELECT kind, key FROM records WHERE saved_at < ? AND {AT_REST}",
                             (now - limits.retention, now - WORKER_TIMEOUT)).fetchall()
            for kind, key in old:
                self._drop(db, kind, key)
            total = db.execute("SELECT COALESCE(SUM(size), 0) FROM records").fetchone()[0]
            before = db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
            if total > limits.max_bytes:
                self._evict(db, total - limits.max_bytes, now, ("", ""))
            after = db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
            db.execute("DELETE FROM workers WHERE seen < ?", (now - WORKER_FORGET,))
        return len(old) + before - after

    # --- claims and ownership ---------------------------------------------------------
    def claim(self, kind: str, key: str, worker: str, force: bool,
              now: float) -> tuple[Claimed, Stored | None]:
        if self.owner(kind, key) is None:  # without the write lock: a guessed token is cheap
            return Claimed.NOT_FOUND, None
        with self._writing() as db:
            row = db.execute("SELECT owner, attached, saved_at, meta FROM records "
                             "WHERE kind = ? AND key = ?", (kind, key)).fetchone()
            if row is None:
                return Claimed.NOT_FOUND, None
            owner, attached, saved_at, meta = row
            if owner not in ("", worker) and attached and not force and \
                    self._alive(db, owner, now):
                return Claimed.WAIT, None
            db.execute("UPDATE records SET owner = ?, attached = 1 WHERE kind = ? AND key = ?",
                       (worker, kind, key))
            parts = [data for (data,) in db.execute(
                "SELECT data FROM parts WHERE kind = ? AND key = ? ORDER BY part", (kind, key))]
        return Claimed.TAKEN, Stored(kind, key, owner, bool(attached), saved_at, meta, parts)

    @staticmethod
    def _alive(db, worker: str, now: float) -> bool:
        row = db.execute("SELECT seen FROM workers WHERE id = ?", (worker,)).fetchone()
        return row is not None and row[0] >= now - WORKER_TIMEOUT

    def owner(self, kind: str, key: str) -> str | None:
        db = self._open()
        try:
            row = db.execute("SELECT owner FROM records WHERE kind = ? AND key = ?",
                             (kind, key)).fetchone()
        except sqlite3.Error as exc:
            raise StoreFault(fault_of(exc), str(exc)) from exc
        return row[0] if row is not None else None

    def heartbeat(self, beat: Beat, now: float) -> Others:
        """This worker lives; what the other live workers of its group hold, and which
        of its sessions another worker took."""
        with self._writing() as db:
            db.execute("INSERT OR REPLACE INTO workers (id, grp, seen, sessions, crowds) "
                       "VALUES (?, ?, ?, ?, ?)", (beat.worker, beat.group, now, beat.sessions,
                                                  json.dumps(beat.crowds)))
            others = Others()
            for sessions, crowds in db.execute(
                    "SELECT sessions, crowds FROM workers WHERE grp = ? AND id != ? AND "
                    "seen >= ?", (beat.group, beat.worker, now - WORKER_TIMEOUT)):
                others.sessions += sessions
                for address, count in json.loads(crowds).items():
                    others.crowds[address] = others.crowds.get(address, 0) + count
            for i in range(0, len(beat.keys), 500):
                batch = beat.keys[i:i + 500]
                marks = ",".join("?" * len(batch))
                others.lost += [key for (key,) in db.execute(
                    f"SELECT key FROM records WHERE kind = 'session' AND key IN ({marks}) "
                    "AND owner NOT IN ('', ?)", (*batch, beat.worker))]
        return others

    def leave(self, worker: str) -> None:
        """This worker stops: its records may be claimed at once."""
        with self._writing() as db:
            db.execute("DELETE FROM workers WHERE id = ?", (worker,))


def fault_of(exc: Exception) -> Fault:
    """What a failure of the database or the file system means for the learner."""
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return Fault.DISK_FULL
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return Fault.READ_ONLY
        return Fault.UNAVAILABLE
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return Fault.LOCKED
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return Fault.READ_ONLY
    if name.startswith("SQLITE_FULL") or "full" in text:
        return Fault.DISK_FULL
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return Fault.UNAVAILABLE
    return Fault.IO_ERROR
