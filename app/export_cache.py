"""Figures, animations and scripts kept by request, so a lecture's 200 browsers opening
one slide make one drawing: a least-recently-used cache bounded in bytes
(``NNLIVE_EXPORT_CACHE_MB``; 0 keeps nothing). Only requests that give a ``seed`` are
kept: without one, the server chooses a new seed every time."""

from __future__ import annotations

from collections import OrderedDict


class ExportCache:
    def __init__(self, limit_bytes: int):
        self.limit = limit_bytes
        self.items: OrderedDict[tuple, tuple[bytes, str]] = OrderedDict()
        self.size = 0

    def get(self, key: tuple) -> tuple[bytes, str] | None:
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key: tuple, body: bytes, media_type: str) -> None:
        if len(body) > self.limit or key in self.items:
            return
        self.items[key] = (body, media_type)
        self.size += len(body)
        while self.size > self.limit:
            _, (old, _) = self.items.popitem(last=False)
            self.size -= len(old)
