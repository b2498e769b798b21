"""The processes of `nnlive serve`: how many cores it may use, and workers that stop with
their supervisor.

``nnlive serve`` starts one worker per core by default. A core here is one this process
may run on (its CPU affinity) within a container's CPU quota (cgroup v2 ``cpu.max`` or
v1 ``cpu.cfs_quota_us``), so a container limited to 2 CPUs on a 64-core host starts 2.

A worker whose supervisor is killed outright (``kill -9``) would go on serving, holding
the port, so that the same command cannot start again; ``stop_with_parent`` makes it
shut down as on ``SIGTERM`` instead (saving its runs on the way).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import os
import signal
import threading
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1


def cores() -> int:
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        count = os.cpu_count() or 1
    quota = _cpu_quota()
    return max(1, min(count, math.ceil(quota))) if quota else max(1, count)


def _cpu_quota() -> float | None:
    """CPUs a cgroup allows this process, or None when it sets no limit."""
    try:
        limit, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        return None if limit == "max" else int(limit) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read_text())
        period = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text())
        return quota / period if quota > 0 else None
    except (OSError, ValueError):
        return None


def stop_with_parent() -> None:
    """``SIGTERM`` to this process when its parent dies: at once on Linux
    (``PR_SET_PDEATHSIG``), within a second elsewhere (a thread watching)."""
    parent = os.getppid()
    if not _death_signal(signal.SIGTERM):
        threading.Thread(target=_watch, args=(parent,), name="nnlive-parent",
                         daemon=True).start()
    if os.getppid() != parent:  # it died before the signal was asked for
        os.kill(os.getpid(), signal.SIGTERM)


def _death_signal(signum: int) -> bool:
    try:
        prctl = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).prctl
    except (OSError, AttributeError, TypeError):
        return False
    return prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)
