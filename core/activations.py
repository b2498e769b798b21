"""Hidden-layer activations, each a function and its derivative side by side.

Every entry of ``ACTIVATIONS`` is an :class:`Activation` keyed by the name used in the
configuration (``activation``). ``forward(z, out)`` gives the bound calls (see
``core.calls``) that write a = f(z) into ``out``; ``derivative(a, out)`` those that write
f'(z) into ``out``, from a = f(z) alone — so the engine takes the derivative of every
hidden layer at once, in one or two calls over one buffer. Where a derivative is
undefined (ReLU at 0) it is taken as 0. ``fn`` and ``der`` run them on fresh arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np

from core.calls import Call, const, run

# Float64 ``np.tanh`` runs scalar libm on CPUs without AVX-512 (≈30 ns an element on
# our machines) while ``np.exp`` is vectorised (≈5 ns), so past a few hundred elements
# tanh(z) = 1 − 2/(e^(2z) + 1) is several times faster; below that, one call is cheaper.
TANH_BY_EXP_FROM = 256
F64 = np.dtype(np.float64)


@dataclass(frozen=True)
class Activation:
    forward: Callable[[np.ndarray, np.ndarray], list[Call]]
    derivative: Callable[[np.ndarray, np.ndarray], list[Call]]

    def fn(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """f(z), into ``out`` when given (integers and lists as float64)."""
        z = _floats(z)
        out = np.empty_like(z) if out is None else out
        if z.dtype is not F64:  # pictures (float32): np.tanh itself, nothing overflows
            run(self.forward(z, out))
            return out
        with np.errstate(over="ignore"):  # tanh's e^(2z) = inf gives exactly 1
            run(self.forward(z, out))
        return out

    def der(self, a: np.ndarray) -> np.ndarray:
        """f'(z) from a = f(z)."""
        a = _floats(a)
        out = np.empty_like(a)
        run(self.derivative(a, out))
        return out


def _floats(x) -> np.ndarray:
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def tanh_by_exp(z: np.ndarray) -> bool:
    """Whether tanh goes through exp for this matrix (float64, at least TANH_BY_EXP_FROM
    elements). Decided per matrix (the last two axes), so a stack of networks computes
    bit for bit what each network computes alone."""
    if z.dtype is not F64:
        return False
    return (z.shape[-1] * z.shape[-2] if z.ndim > 1 else z.size) >= TANH_BY_EXP_FROM


@lru_cache(maxsize=32)
def _constant(value: float, dtype) -> np.ndarray:
    """A 0-d constant of the operands' dtype (float32 pictures stay float32); shared,
    never written."""
    return const(value, dtype)


# --- tanh: a = tanh(z);  f'(z) = 1 − a² ----------------------------------------------
def _tanh(z, out):
    """tanh(z); large float64 matrices as 1 − 2/(e^(2z) + 1), within 1e-16 absolute."""
    if not tanh_by_exp(z):
        return [(np.tanh, (z, out))]
    one, two = _constant(1.0, F64), _constant(2.0, F64)
    return [(np.multiply, (z, two, out)), (np.exp, (out, out)), (np.add, (out, one, out)),
            (np.divide, (two, out, out)), (np.subtract, (one, out, out))]


def _tanh_der(a, out):
    return [(np.multiply, (a, a, out)), (np.subtract, (_constant(1.0, a.dtype), out, out))]


# --- sigmoid: a = σ(z) = 1/(1 + e^(−z)) = ½·tanh(z/2) + ½ (never overflows); σ' = a(1 − a)
def _sigmoid(z, out):
    half = _constant(0.5, z.dtype)
    return [(np.multiply, (z, half, out)), *_tanh(out, out),
            (np.multiply, (out, half, out)), (np.add, (out, half, out))]


def _sigmoid_der(a, out):
    return [(np.subtract, (_constant(1.0, a.dtype), a, out)), (np.multiply, (out, a, out))]


# --- relu: a = max(z, 0);  f'(z) = 1 where z > 0, else 0 = sign(a), since a ≥ 0 ---------
def _relu(z, out):
    return [(partial(np.maximum, out=out), (z, _constant(0.0, z.dtype)))]


def _relu_der(a, out):
    return [(np.sign, (a, out))]


# --- linear: a = z;  f'(z) = 1 --------------------------------------------------------
def _linear(z, out):
    return [(np.copyto, (out, z))]


def _linear_der(a, out):
    return [(np.copyto, (out, _constant(1.0, a.dtype)))]


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ(z) (the sigmoid output of ``core.losses`` uses it too)."""
    return ACTIVATIONS["sigmoid"].fn(z, out)


def tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return ACTIVATIONS["tanh"].fn(z, out)


ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation(_tanh, _tanh_der),
    "sigmoid": Activation(_sigmoid, _sigmoid_der),
    "relu": Activation(_relu, _relu_der),
    "linear": Activation(_linear, _linear_der),
}
