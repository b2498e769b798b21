"""Custom datasets kept by content hash, so a permalink to 2,000 points is a short id.

``put(points)`` answers 22 characters of the SHA-256 of the points' JSON (base64url:
132 bits, no collision to fear); the same points always get the same id. Datasets
live in ``NNLIVE_DATA_DIR`` (one small JSON file each, so they outlast a restart and
are shared by the workers of one host) or, without it, in memory. The store is bounded
(``NNLIVE_DATASET_STORE_MB``): past it, the datasets used least recently go first —
opening a permalink counts as a use, so a course's datasets stay while they are used.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import threading
import time
from pathlib import Path

ID = re.compile(r"[A-Za-z0-9_-]{22}")
log = logging.getLogger("nnlive.datasets")


def dataset_id(text: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(text).digest()).decode()[:22]


class DatasetStore:
    def __init__(self, directory: str | None, limit_bytes: int):
        self.directory = Path(directory) if directory else None
        self.limit = limit_bytes
        self.lock = threading.Lock()  # used from worker threads
        self.used: dict[str, tuple[float, int]] = {}  # id → (last use, bytes)
        self.memory: dict[str, bytes] = {}
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            for path in self.directory.glob("*.json"):
                stat = path.stat()
                self.used[path.stem] = (stat.st_mtime, stat.st_size)

    def put(self, points: list) -> str:
        """Keep ``points`` (validated rows); their id."""
        text = json.dumps(points, separators=(",", ":")).encode()
        key = dataset_id(text)
        with self.lock:
            if key not in self.used:
                self._write(key, text)
            self.used[key] = (time.time(), len(text))
            self._evict(keep=key)
        return key

    def get(self, key: str) -> list | None:
        """The points kept under ``key``, or None."""
        if not ID.fullmatch(key or ""):
            return None
        with self.lock:
            if key not in self.used and self.directory is None:
                return None
            text = self._read(key)  # a file may come from another worker of this host
            if text is None:  # removed by another worker's eviction
                self.used.pop(key, None)
                return None
            self.used[key] = (time.time(), len(text))
        return json.loads(text)

    def _write(self, key: str, text: bytes) -> None:
        if self.directory is None:
            self.memory[key] = text
            return
        temporary = self.directory / f".{key}.{os.getpid()}.tmp"
        temporary.write_bytes(text)
        temporary.replace(self.directory / f"{key}.json")  # never half a file

    def _read(self, key: str) -> bytes | None:
        if self.directory is None:
            return self.memory.get(key)
        path = self.directory / f"{key}.json"
        try:
            text = path.read_bytes()
            os.utime(path)  # a use: the last to be evicted
        except FileNotFoundError:
            return None
        return text

    def _evict(self, keep: str) -> None:
        total = sum(size for _, size in self.used.values())
        for key, (_, size) in sorted(self.used.items(), key=lambda item: item[1][0]):
            if total <= self.limit:
                break
            if key == keep:
                continue
            self.used.pop(key)
            self.memory.pop(key, None)
            if self.directory is not None:
                (self.directory / f"{key}.json").unlink(missing_ok=True)
            total -= size
            log.info("dataset %s evicted: the store is full", key)
