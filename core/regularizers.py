"""Weight penalties R(w), each a value and its gradient side by side.

The objective is data loss + λ·R(w), where R runs over weights only (never biases):
``R_L1 = Σ|w|`` and ``R_L2 = ½·Σw²``. Each function takes the weights as one flat array
and returns ``(R(w), ∂R/∂w)``. The derivative of |w| at 0 is taken as 0.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Penalty = Callable[[np.ndarray], tuple[float, np.ndarray]]


def _none(w: np.ndarray) -> tuple[float, np.ndarray]:
    return 0.0, np.zeros_like(w)


def _l1(w: np.ndarray) -> tuple[float, np.ndarray]:
    return float(np.abs(w).sum()), np.sign(w)


def _l2(w: np.ndarray) -> tuple[float, np.ndarray]:
    return float(0.5 * np.dot(w, w)), w.copy()


REGULARIZERS: dict[str, Penalty] = {"none": _none, "l1": _l1, "l2": _l2}
