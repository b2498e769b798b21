"""Where runs are kept so they outlive a socket, a worker and a restart.

- ``base.py``: what a record is, the ownership rules and the bounds every store keeps;
- ``sqlite_backend.py``: a SQLite file (the default; shared by one machine's workers);
- ``redis_backend.py``: Redis (``NNLIVE_REDIS_URL``; shared by several machines);
- ``front.py``: the store as the event loop sees it (one thread, in order), and the
  store that keeps nothing (``NNLIVE_STORE_PATH=none``).

Sessions are one kind of record (``app.live.records``). Classes live beside them in
tables of their own, through the same thread (``RecordStore.ask``;
``app/classroom/sqlite_store.py``), or in Redis.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from app.live.store.base import Limits
from app.live.store.front import MemoryStore, RecordStore
from app.metrics import Metrics
from app.settings import Settings

FILE_NAME = "runs.sqlite3"


def default_store_path() -> Path:
    """``$XDG_DATA_HOME/nnlive/runs.sqlite3`` (default ``~/.local/share/nnlive/…``), or
    ``./nnlive-data/runs.sqlite3`` when there is no home directory."""
    base = os.environ.get("XDG_DATA_HOME")
    if not base:
        try:
            base = str(Path.home() / ".local" / "share")
        except RuntimeError:  # no HOME and no password entry
            return Path.cwd() / "nnlive-data" / FILE_NAME
    return Path(base) / "nnlive" / FILE_NAME


def store_path(settings: Settings) -> Path | None:
    """The SQLite file to use, or None to keep runs in memory only."""
    if settings.store_path is None:
        return default_store_path()
    if settings.store_path.lower() == "none":
        return None
    return Path(settings.store_path).expanduser()


def datasets_dir(settings: Settings) -> str | None:
    """Where uploaded datasets are kept: ``NNLIVE_DATA_DIR``, else ``datasets/`` beside
    the runs' SQLite file (so every worker of the server finds them and they outlast a
    restart, as runs do), else (runs in memory or in Redis) in memory."""
    if settings.data_dir:
        return settings.data_dir
    path = store_path(settings) if not settings.redis_url else None
    return str(path.parent / "datasets") if path is not None else None


def make_store(settings: Settings, metrics: Metrics,
               redis_url: str | None = None) -> MemoryStore | RecordStore:
    redis_url = redis_url or settings.redis_url
    limits = Limits(int(settings.store_run_mb * 2**20), int(settings.store_max_mb * 2**20),
                    settings.store_retention_seconds)
    if redis_url:
        from app.live.store.redis_backend import RedisBackend

        return RecordStore(lambda: RedisBackend(redis_url), limits, metrics, server_group(settings))
    path = store_path(settings)
    if path is None:
        return MemoryStore()
    from app.live.store.sqlite_backend import SqliteBackend

    return RecordStore(lambda: SqliteBackend(path), limits, metrics, server_group(settings))


def server_group(settings: Settings) -> str:
    """The workers of one `nnlive serve` (they share its session cap): the machine and
    the supervising process (this one, when it serves alone)."""
    pid = os.getppid() if settings.worker_count > 1 else os.getpid()
    return f"{socket.gethostname()}:{pid}"
