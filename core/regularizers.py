"""Weight penalties R(w), each a value and its derivative side by side.

The objective is data loss + λ·R(w), where R runs over weights only (never biases):
``R_L1 = Σ|w|`` and ``R_L2 = ½·Σw²``. ``value(w)`` takes the weights as one flat array;
``gradient(w, coef, out)`` gives the bound calls (``core.calls``) writing coef·R'(w)
into ``out``, where ``coef`` holds λ (times the learning rate when SGD folds it in) on
weights and 0 on biases. The derivative of |w| at 0 is taken as 0. Calling an entry,
``REGULARIZERS[name](w)``, gives ``(R(w), R'(w))``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.calls import ONE, ZERO, Call, run


@dataclass(frozen=True)
class Regularizer:
    value: Callable[[np.ndarray], float]
    gradient: Callable[[np.ndarray, np.ndarray, np.ndarray], list[Call]]

    def __call__(self, w: np.ndarray) -> tuple[float, np.ndarray]:
        out = np.empty_like(w, dtype=np.float64)
        run(self.gradient(w, ONE, out))
        return self.value(w), out


# --- L1: R = Σ|w|;  R'(w) = sign(w) ---------------------------------------------------
def _l1_value(w):
    return float(np.abs(w).sum())


def _l1_gradient(w, coef, out):
    return [(np.sign, (w, out)), (np.multiply, (out, coef, out))]


# --- L2: R = ½·Σw²;  R'(w) = w ---------------------------------------------------------
def _l2_value(w):
    return float(0.5 * np.dot(w, w))


def _l2_gradient(w, coef, out):
    return [(np.multiply, (w, coef, out))]


# --- none: R = 0 --------------------------------------------------------------------------
def _none_gradient(w, coef, out):
    return [(np.copyto, (out, ZERO))]


REGULARIZERS: dict[str, Regularizer] = {
    "none": Regularizer(lambda w: 0.0, _none_gradient),
    "l1": Regularizer(_l1_value, _l1_gradient),
    "l2": Regularizer(_l2_value, _l2_gradient),
}
