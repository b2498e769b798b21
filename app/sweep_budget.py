"""The server-wide budget of sweeps: how many train at once, and how much memory they hold.

A sweep trains up to 16 variants side by side, and its buffers grow with hidden units ×
points (and a kept plan per mini-batch): the heaviest configuration holds about 200 MB.
Both ``POST /api/sweep`` and the live sweeps of ``/ws/train`` take a lease here before
they start: at most ``NNLIVE_MAX_SWEEPS`` training at once, and at most
``NNLIVE_SWEEP_MEMORY_MB`` of estimated memory (``core.cost.sweep_bytes``) held at once.
A sweep larger than the whole budget is refused for good (``too_costly``, saying what
to lower); one that does not fit now is refused for the moment (``busy``).

A lease ends when its holder says so (an API request) or when its ``held`` test turns
false (a live sweep replaced by another, or its session freed); then the memory janitor
is told, so the memory goes back to the system.

Starting and dropping a large sweep also costs the event loop (building 16 variants of
the heaviest configuration takes ≈ 0.2 s, freeing them as long): sweeps started in the
last ``CHURN_SECONDS`` may not add up to more than the whole budget, so clients that
open large sweeps and drop them at once cannot keep the loop busy with that.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.clients import RateLimiter
from app.memory import MemoryJanitor

MB = 2**20
CHURN_SECONDS = 30.0  # the whole budget's worth of sweeps may start in this long


class SweepRefused(RuntimeError):
    """``code``: ``too_costly`` (never fits) or ``busy`` (try again); a full sentence."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


class Lease:
    """One sweep's place in the budget: held until released, or until ``bind``'s
    ``held`` test turns false; counted as training while ``running`` is true too."""

    def __init__(self, nbytes: int):
        self.nbytes, self.open = nbytes, True
        self._held: Callable[[], bool] = lambda: True
        self._running: Callable[[], bool] = lambda: True

    def bind(self, held: Callable[[], bool], running: Callable[[], bool]) -> None:
        self._held, self._running = held, running

    def held(self) -> bool:
        return self.open and self._held()

    def running(self) -> bool:
        return self.held() and self._running()


class SweepBudget:
    def __init__(self, max_sweeps: int, memory_mb: int, janitor: MemoryJanitor):
        self.max_sweeps, self.memory = max_sweeps, memory_mb * MB
        self.janitor = janitor
        self.leases: list[Lease] = []
        self.churn = RateLimiter(self.memory / CHURN_SECONDS, self.memory)
        self._lock = threading.Lock()  # API leases end in worker threads

    def admit(self, nbytes: int) -> Lease:
        """A lease for a sweep estimated to hold ``nbytes``, or ``SweepRefused``."""
        if nbytes > self.memory:
            raise SweepRefused("too_costly", f"this sweep would hold about {nbytes / MB:.0f} MB, "
                               f"more than the {self.memory / MB:.0f} MB all sweeps together "
                               "may hold (NNLIVE_SWEEP_MEMORY_MB): vary fewer values, or lower "
                               "n_points or hidden, or raise batch_size.", "vary.values")
        with self._lock:
            self._prune()
            used = sum(lease.nbytes for lease in self.leases)
            training = sum(1 for lease in self.leases if lease.running())
            if training >= self.max_sweeps or used + nbytes > self.memory:
                raise SweepRefused("busy", f"the server is running {training} sweeps holding "
                                   f"about {used / MB:.0f} MB of the {self.memory / MB:.0f} MB "
                                   "they may share; try again in a minute, or sweep a smaller "
                                   "configuration.")
            if not self.churn.take("all", amount=nbytes):
                raise SweepRefused("busy", "sweeps this large were started and dropped too "
                                   f"often in the last {CHURN_SECONDS:g} s; try again in a "
                                   "minute, or sweep a smaller configuration.")
            lease = Lease(nbytes)
            self.leases.append(lease)
            return lease

    def release(self, lease: Lease) -> None:
        lease.open = False
        self.prune()

    def prune(self) -> None:
        """Drop the leases no longer held; tell the janitor if any went."""
        with self._lock:
            self._prune()

    def _prune(self) -> None:
        kept = [lease for lease in self.leases if lease.held()]
        if len(kept) < len(self.leases):
            self.janitor.released(collect=True)
        self.leases = kept

    def held_bytes(self) -> int:
        return sum(lease.nbytes for lease in self.leases)
