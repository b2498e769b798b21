"""What the stores keep, and the rules every store (SQLite, Redis) follows.

A *record* is named by a ``kind`` ("session"; a class's records later) and a ``key``
(a session's token). It has a small ``meta`` (JSON bytes) and numbered ``parts`` (a
session's history, in chunks), so a checkpoint rewrites only the parts that changed.

Ownership: a record belongs to the worker process that holds it in memory (``owner``),
or to nobody (``""``: released, at rest). Only its owner, or anybody while it is
released, may write it; a worker whose copy was claimed by another learns it
(``NotOwner``) and drops its copy. Workers say they are alive with a heartbeat; a
worker not heard from for ``WORKER_TIMEOUT`` seconds is dead, and its records may be
claimed at once (a crash, ``kill -9``). A claim waits while a live owner still has a
socket attached (its drop may not be saved yet), up to a moment, then takes over.

Bounds: one record at most ``run_bytes``; all together at most ``max_bytes``, the
oldest records at rest let go first; every record let go ``retention`` seconds after
its last write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

WORKER_TIMEOUT = 5.0    # seconds without a heartbeat after which a worker is dead
WORKER_FORGET = 3600.0  # a dead worker's row is dropped after this long


@dataclass
class Put:
    """One record to write: ``parts`` from ``first_part`` on replace the stored ones;
    stored parts at or past ``n_parts`` are dropped."""

    kind: str
    key: str
    owner: str            # the writing worker, or "" to release it
    attached: bool        # a socket is attached to it at its owner
    saved_at: float       # wall-clock time (seconds since the epoch)
    meta: bytes
    parts: list[bytes] = field(default_factory=list)
    first_part: int = 0

    @property
    def n_parts(self) -> int:
        return self.first_part + len(self.parts)


@dataclass
class Stored:
    """A record as read back."""

    kind: str
    key: str
    owner: str
    attached: bool
    saved_at: float
    meta: bytes
    parts: list[bytes]


class Claimed(Enum):
    NOT_FOUND = 0
    WAIT = 1      # a live owner still has a socket attached
    TAKEN = 2


class Fault(Enum):
    """Why a record was not saved: the code a learner's ``status`` carries."""

    LOCKED = "locked"            # another process holds the database
    READ_ONLY = "read_only"      # the file or its directory cannot be written
    DISK_FULL = "disk_full"      # the disk (or the file's size limit) is full
    IO_ERROR = "io_error"        # the disk failed
    TOO_LARGE = "too_large"      # this record is over NNLIVE_STORE_RUN_MB
    STORE_FULL = "store_full"    # every record together is over NNLIVE_STORE_MAX_MB
    UNAVAILABLE = "unavailable"  # the store cannot be opened or reached


class StoreFault(Exception):
    def __init__(self, fault: Fault, detail: str = ""):
        super().__init__(f"{fault.value}: {detail}" if detail else fault.value)
        self.fault = fault


class NotOwner(Exception):
    """The record was claimed by another worker since."""


class Gone(Exception):
    """A checkpoint of only some parts, but the record is no longer there (let go at a
    bound): it must be written whole."""


@dataclass
class Beat:
    """What a worker says of itself once a second: that it lives, how many sessions it
    holds (in all, and from each address), and which it has a socket for."""

    worker: str
    group: str          # the workers of one server, who share its caps
    sessions: int
    crowds: dict[str, int]
    keys: list[str]


@dataclass
class Others:
    """What the other live workers of the group hold, and which of ``Beat.keys`` another
    worker took."""

    sessions: int = 0
    crowds: dict[str, int] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)


@dataclass
class Limits:
    run_bytes: int
    max_bytes: int
    retention: float  # seconds


class Backend(Protocol):
    """A store's storage; called from one thread (``RecordStore``'s), never the loop."""

    def put_many(self, puts: list[Put], worker: str, limits: Limits,
                 now: float) -> list[Exception | None]: ...
    def claim(self, kind: str, key: str, worker: str, force: bool,
              now: float) -> tuple[Claimed, Stored | None]: ...
    def owner(self, kind: str, key: str) -> str | None: ...
    def delete(self, kind: str, key: str, worker: str) -> None: ...
    def heartbeat(self, beat: Beat, now: float) -> Others: ...
    def trim(self, limits: Limits, now: float) -> int: ...
    def close(self) -> None: ...
