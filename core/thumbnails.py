"""Smaller copies of what a live run already shows, for a teacher's wall of many runs.

Nothing here evaluates a network: a thumbnail is taken from the output grid's bytes a
frame already carries (``core.grid.to_uint8``'s scale, orientation unchanged: row 0 at
x2 = +6, column 0 at x1 = −6), and a thinned history from the entries a run already has.
"""

from __future__ import annotations

import functools

import numpy as np


def thumbnail(grid: bytes, shape: tuple[int, ...] | list[int], size: int) -> tuple[bytes, list]:
    """A ``size`` × ``size`` copy of an output grid's bytes (``shape`` [R, R] or [R, R, K]),
    each cell the grid cell at its centre. Returns (bytes, its shape); a grid no larger
    than ``size`` comes back as it is."""
    rows, cols = int(shape[0]), int(shape[1])
    if rows <= size and cols <= size:
        return bytes(grid), list(shape)
    values = np.frombuffer(grid, dtype=np.uint8).reshape(tuple(int(s) for s in shape))
    small = values[_centres(rows, size)][:, _centres(cols, size)]
    return small.tobytes(), [size, size, *shape[2:]]


@functools.lru_cache(maxsize=64)
def _centres(n: int, size: int) -> slice | np.ndarray:
    """The cells of ``n`` under the centres of ``size`` equal cells: a slice when ``size``
    divides ``n`` (a view: nothing is copied until the bytes are taken), else indices."""
    if n % size == 0:
        step = n // size
        return slice(step // 2, None, step)
    return ((np.arange(size) + 0.5) * n / size).astype(np.intp)


def thin_history(history: list, limit: int) -> list:
    """At most ``limit`` (≥ 2) entries of ``history``, evenly spaced, the first and the
    last always kept: enough to draw a loss curve one point per pixel column."""
    n = len(history)
    if n <= limit:
        return list(history)
    picks = np.unique(np.round(np.linspace(0, n - 1, limit)).astype(np.intp))
    return [history[i] for i in picks]
