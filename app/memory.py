"""Giving memory back after a large computation (a sweep, a long API run) ends.

Two things keep it otherwise. A run's objects refer to each other (kept NumPy call
plans hold bound methods of their owners), so they are freed only by the cyclic
collector, whose full passes become rare as the heap grows; and glibc's malloc keeps
freed blocks for reuse instead of returning them to the system. Measured: a 16-variant
sweep of the heaviest configuration left 125 MB behind after ``del`` (67 MB after
``gc.collect()`` and ``malloc_trim``), and rounds of such sweeps grew the process to
3 GB with no session open.

``MemoryJanitor.released()`` notes that something large was let go; the session
manager's once-a-second housekeeping calls ``tidy()``, which then, at most every
``MIN_INTERVAL`` seconds, runs ``malloc_trim(0)`` in a worker thread (glibc) and, when a
sweep went (``collect=True``), one full collection first: that takes tens of
milliseconds of the event loop with a large heap, so it is not spent on every session
that closes.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
import time

MIN_INTERVAL = 2.0  # seconds between tidy-ups: a full collection holds the GIL
log = logging.getLogger("nnlive.memory")


def _malloc_trim():
    """glibc's ``malloc_trim`` (returns freed heap pages to the system), or None."""
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError, TypeError):  # not glibc (musl, macOS, Windows)
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


class MemoryJanitor:
    def __init__(self) -> None:
        self.pending = self.collect = False
        self.last = 0.0
        self.trim = _malloc_trim()
        self.tidied = 0  # how many tidy-ups ran (tests and metrics)

    def released(self, collect: bool = False) -> None:
        """Something large was let go (callable from any thread); ``collect``: objects
        that refer to each other, which only a full collection frees."""
        self.pending = True
        self.collect = self.collect or collect

    def tidy(self, now: float | None = None) -> bool:
        """On the event loop: collect and trim if something was released; whether it ran."""
        now = time.monotonic() if now is None else now
        if not self.pending or now - self.last < MIN_INTERVAL:
            return False
        self.pending, self.last = False, now
        if self.collect:
            self.collect = False
            gc.collect()
        if self.trim is not None:
            task = asyncio.get_running_loop().run_in_executor(None, self.trim, 0)
            task.add_done_callback(_log_failure)
        self.tidied += 1
        return True


def _log_failure(future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("malloc_trim failed: %s", future.exception())
