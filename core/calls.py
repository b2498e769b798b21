"""Bound NumPy calls: how the engine's hot loop is written.

At nnlive's sizes (a few units, ten examples a mini-batch) NumPy's cost is per call,
not per element. So a mini-batch step is kept as a list of ``(function, arguments)``
pairs with every buffer bound, built once and run many times by ``run``: a step then
costs its NumPy calls and hardly any Python. The registries (activations, losses,
regularizers, optimizers) give each operation as such calls.

Two habits keep each call cheap: constants are 0-d arrays or arrays of the operand's
full shape (a Python float costs a conversion each call, a broadcast a slower loop), and
products call ``np.dot``'s C function directly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Call = tuple[Callable, tuple]  # a NumPy call with its arguments, buffers included

# ``np.dot`` is NEP 18's Python-level dispatcher in front of the C function, which it
# keeps as ``_implementation``; bound calls use the C function: 0.45 µs a call, not 0.7.
dot = getattr(np.dot, "_implementation", np.dot)

ZERO, HALF, ONE = np.array(0.0), np.array(0.5), np.array(1.0)


def run(calls: list[Call]) -> None:
    for fn, args in calls:
        fn(*args)


def const(value, dtype=np.float64) -> np.ndarray:
    """A constant for bound calls: a 0-d array for a scalar (of the operands' dtype, so
    float32 pictures stay float32)."""
    return np.array(value, dtype=dtype)


def full(value, shape: tuple) -> np.ndarray:
    """``value`` broadcast to ``shape``, as a new array: a same-shape operand is the fast loop."""
    out = np.empty(shape)
    out[...] = value
    return out


def product(ndim: int) -> Callable:
    """The matrix product for one network (2-D: ``dot``) or a stack of them (``matmul``,
    the same BLAS kernel per matrix, so a stacked run computes what it computes alone)."""
    return dot if ndim == 2 else np.matmul


def transposed(a: np.ndarray) -> np.ndarray:
    """The last two axes swapped (a view), for one matrix or a stack."""
    return a.swapaxes(-1, -2)
