"""A run's rows as the engine reads them, and its mini-batches.

``RunData`` keeps every row of a dataset once, transposed with the bias unit as the last
row, in the order [rows trained on | validation rows | test rows], so one forward pass
measures all three after an epoch. An epoch walks the rows trained on in consecutive
mini-batches of ``batch_size`` rows, the last one possibly smaller.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from core.datasets import Dataset
from core.features import feature_matrix
from core.layers import with_bias_column


class Batch:
    """One mini-batch: inputs transposed (…, k + 1, n) and labels (…, n), leading axes
    for a stack of runs; ``plan``, the engine's kept calls for it."""

    __slots__ = ("xt", "y", "n", "plan")

    def __init__(self, xt: np.ndarray, y: np.ndarray):
        self.xt, self.y, self.n = xt, y, y.shape[-1]
        self.plan = None


class Splits(NamedTuple):
    """How many rows are trained on, held out for validation, and kept for the test."""

    fit: int
    validation: int
    test: int

    def slices(self) -> tuple[slice, slice, slice]:
        a, b = self.fit, self.fit + self.validation
        return slice(0, a), slice(a, b), slice(b, b + self.test)


class EpochArrays(NamedTuple):
    """Mini-batches of one size, with a leading batch axis: xt (b, k + 1, n), y (b, n)."""

    xt: np.ndarray
    y: np.ndarray


class RunData:
    def __init__(self, dataset: Dataset, features):
        parts = (dataset.train, dataset.validation, dataset.test)
        rows = np.concatenate(parts)
        self.splits = Splits(*(len(p) for p in parts))
        self.xt = np.ascontiguousarray(with_bias_column(feature_matrix(rows[:, :2], features)).T)
        self.y = np.ascontiguousarray(rows[:, 2])
        self._batches: dict[int, list[Batch]] = {}  # for the last batch size asked
        self._epoch_arrays: dict[int, list[EpochArrays]] = {}

    def batch(self, start: int, size: int) -> Batch:
        stop = min(start + size, self.splits.fit)
        return Batch(np.ascontiguousarray(self.xt[:, start:stop]), self.y[start:stop])

    def batches(self, size: int) -> list[Batch]:
        """An epoch's mini-batches, kept for the last batch size asked."""
        if size not in self._batches:
            self._batches = {size: self.batches_from(0, size)}
        return self._batches[size]

    def batches_from(self, row: int, size: int) -> list[Batch]:
        """The mini-batches of the rest of an epoch, from ``row`` on."""
        return [self.batch(start, size) for start in range(row, self.splits.fit, size)]

    def epoch_arrays(self, size: int) -> list[EpochArrays]:
        """The epoch's full mini-batches, then the smaller last one if any, each group
        with a leading batch axis: a stack of runs stacks these, one call per array."""
        if size not in self._epoch_arrays:
            batches = self.batches(size)
            groups = [[b for b in batches if b.n == size], [b for b in batches if b.n != size]]
            self._epoch_arrays = {size: [EpochArrays(np.stack([b.xt for b in g]),
                                                     np.stack([b.y for b in g]))
                                         for g in groups if g]}
        return self._epoch_arrays[size]
