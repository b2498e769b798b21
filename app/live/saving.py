"""Whether a session's run is being saved, and what of it the store holds.

A running run is checkpointed every ``CHECKPOINT_SECONDS`` of training; a run that
changes while at rest (paused, diverged, reset, moved back, edited) at once. A failed
checkpoint is tried again after ``RETRY_SECONDS``. The learner is told in every
``status``: ``saving`` is ``on``, ``off`` (this server keeps runs in memory only) or
``failing``, with ``saving_error: {code, message}`` saying why (docs/protocol.md).
"""

from __future__ import annotations

from app.live.records import NOTHING, Checkpoint, Written
from app.live.store.base import Fault

CHECKPOINT_SECONDS = 0.5  # a running run loses at most this much training in a crash
RETRY_SECONDS = 2.0

MESSAGES = {
    Fault.LOCKED: "the server's store of runs is locked by another program",
    Fault.READ_ONLY: "the server's store of runs cannot be written (read-only)",
    Fault.DISK_FULL: "the server's disk is full",
    Fault.IO_ERROR: "the server could not write to its disk",
    Fault.TOO_LARGE: "this run has grown larger than the server keeps (NNLIVE_STORE_RUN_MB)",
    Fault.STORE_FULL: "the server's store is full of runs in use (NNLIVE_STORE_MAX_MB)",
    Fault.UNAVAILABLE: "the server's store of runs cannot be reached",
}


class Saving:
    def __init__(self, persistent: bool):
        self.persistent = persistent
        self.key: tuple | None = None  # what the last checkpoint captured
        self.generation = -1           # …and its run's generation
        self.at = -1e9                 # when (monotonic seconds)
        self.retry_at = 0.0
        self.written: Written = NOTHING  # what the store holds, as its answers said
        self.fault: Fault | None = None

    def due(self, key: tuple, generation: int, resting: bool, now: float) -> bool:
        if not self.persistent or key == self.key or now < self.retry_at:
            return False
        return resting or generation != self.generation or now - self.at >= CHECKPOINT_SECONDS

    def captured(self, key: tuple, generation: int, now: float) -> None:
        self.key, self.generation, self.at = key, generation, now

    def stored(self, checkpoint: Checkpoint) -> bool:
        """The store took ``checkpoint``; whether that changed what the learner is told."""
        self.written = checkpoint.written
        changed, self.fault = self.fault is not None, None
        return changed

    def failed(self, fault: Fault, now: float) -> bool:
        """The store refused; try again later. Whether the learner must be told."""
        self.key, self.retry_at = None, now + RETRY_SECONDS
        changed, self.fault = self.fault is not fault, fault
        return changed

    def start_over(self) -> None:
        """The store no longer has the record: the next checkpoint writes it whole."""
        self.key, self.written = None, NOTHING

    def status(self) -> dict:
        if not self.persistent:
            return {"saving": "off"}
        if self.fault is None:
            return {"saving": "on"}
        return {"saving": "failing",
                "saving_error": {"code": self.fault.value, "message": MESSAGES[self.fault]}}
