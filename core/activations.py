"""Hidden-layer activations, each a function and its derivative side by side.

Every entry of ``ACTIVATIONS`` is an :class:`Activation` keyed by the name used in the
configuration (``activation``). ``fn(z, out)`` computes ``a = f(z)`` (into ``out`` when
given); ``der(z, a)`` gives ``f'(z)``, using the already computed ``a`` where that is
cheaper. Where a derivative is undefined (ReLU at 0) it is taken as 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Activation:
    fn: Callable[..., np.ndarray]
    der: Callable[[np.ndarray, np.ndarray], np.ndarray]
    # the plain NumPy function that computes ``fn`` for this matrix, when there is one
    kernel: Callable[[np.ndarray], Callable | None] = lambda z: None

    def calls(self, z: np.ndarray, out: np.ndarray) -> list[tuple[Callable, tuple]]:
        """``fn(z, out=out)`` as a call with bound arguments (see ``core.network.run``)."""
        return [(self.kernel(z) or self.fn, (z, out))]


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)), computed as ½·tanh(z/2) + ½ so it never overflows."""
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


# Float64 ``np.tanh`` runs scalar libm on CPUs without AVX-512 (≈30 ns an element on
# our machines) while ``np.exp`` is vectorised (≈5 ns), so past a few hundred elements
# tanh(z) = 1 − 2/(e^(2z) + 1) is several times faster; below that, one call is cheaper.
_TANH_BY_EXP_FROM = 256


def tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """tanh(z); large float64 matrices through exp (see above), to within 1e-16 absolute.

    The choice is made per matrix (the last two axes), so a stack of networks computes
    bit for bit what each network computes alone.
    """
    if _tanh_kernel(z) is np.tanh:
        return np.tanh(z, out=out)
    with np.errstate(over="ignore"):  # e^(2z) = inf gives exactly 1
        out = np.multiply(z, 2.0, out=out)
        np.exp(out, out=out)
    out += 1.0
    np.divide(2.0, out, out=out)
    np.subtract(1.0, out, out=out)
    return out


def _tanh_kernel(z: np.ndarray):
    """np.tanh itself where it is the faster way (small or float32 matrices)."""
    matrix_size = z.shape[-1] * z.shape[-2] if z.ndim > 1 else z.size
    return np.tanh if z.dtype != np.float64 or matrix_size < _TANH_BY_EXP_FROM else None


def _identity(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        return z.copy()
    out[...] = z
    return out


def _relu(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.maximum(z, 0.0, out=out)


ACTIVATIONS: dict[str, Activation] = {
    # tanh'(z) = 1 − a²
    "tanh": Activation(tanh, lambda z, a: 1.0 - a * a, _tanh_kernel),
    # σ'(z) = a·(1 − a)
    "sigmoid": Activation(sigmoid, lambda z, a: a * (1.0 - a)),
    # relu'(z) = 1 where z > 0, else 0 (0 at z = 0, by convention)
    "relu": Activation(_relu, lambda z, a: (z > 0).astype(z.dtype)),
    # linear'(z) = 1
    "linear": Activation(_identity, lambda z, a: np.ones_like(z)),
}
