"""The losses: for each loss and output kind, its value and its derivative side by side.

``LOSSES[name].kinds[kind]`` is a :class:`LossOnOutput` of two builders of bound calls
(``core.calls``), for scores ``zt`` (…, m, n) and labels ``y`` (…, n) (layouts and
output kinds: ``core.outputs``):

- ``value(zt, y, out)`` writes each example's loss L_i into ``out`` (…, n);
- ``delta(zt, y, w)`` overwrites ``zt`` with w·∂L_i/∂z_i, where ``w`` (0-d, or one per
  run of a stack, (…, 1, 1)) is 1/n for the mean over a mini-batch, times the learning
  rate when plain SGD folds it in.

These are the only value and derivative of a loss in nnlive: the engine runs them, and
``Loss.value`` / ``Loss.grad`` (the usual (n, m) layout, for the probe and the tests)
run them on copies. The data loss is the mean of L_i over the examples. With several
outputs an example's MSE is Σ_k (ŷ_k − y_k)² and its MAE Σ_k |ŷ_k − y_k| against
one-hot targets. Where a derivative is undefined (|x| at 0, a hinge at its kink) it is
taken as 0.

For a sigmoid output the labels are 0/1; with c = 1 − 2y (±1) and t = tanh(z/2):
σ(z) = (1 + t)/2, σ − y = (t + c)/2, σ(1 − σ) = (1 − t²)/4 and |σ − y| = σ(c·z). No exp
can overflow, and each delta is a few calls on the output row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

import numpy as np

from core.activations import ACTIVATIONS
from core.calls import HALF, ONE, ZERO, Call, const, full, run
from core.outputs import (  # noqa: F401  (the output kinds' names stay importable here)
    column,
    error_rate,
    labels_t,
    misclassified,
    n_outputs,
    output_kind,
    predict,
    predicted_class,
    softmax,
    softmax_calls,
    sum_outputs,
    targets_t,
)

TWO, QUARTER = const(2.0), const(0.25)


class LossOnOutput(NamedTuple):
    value: Callable[[np.ndarray, np.ndarray, np.ndarray], list[Call]]
    delta: Callable[[np.ndarray, np.ndarray, np.ndarray], list[Call]]
    # a sigmoid output's delta from t = tanh(z/2) and d = 1 − t²: (t, d, out, y, w) → calls
    # (the engine may have d from the tanh hidden layers' derivative calls)
    from_t: Callable | None = None


def tanh_of_half(zt: np.ndarray, out: np.ndarray, half=HALF) -> list[Call]:
    """out ← tanh(half·z) (half: ½, or c/2 per example)."""
    return [(np.multiply, (zt, half, out)), *ACTIVATIONS["tanh"].forward(out, out)]


def _through_t(from_t: Callable) -> Callable:
    """A sigmoid loss whose delta needs t = tanh(z/2) and d = 1 − t² (tanh's derivative,
    from ``core.activations``): the delta makes both, then ``from_t``."""
    def delta(zt, y, w) -> list[Call]:
        d = np.empty_like(zt)
        return [*tanh_of_half(zt, zt), *ACTIVATIONS["tanh"].derivative(zt, d),
                *from_t(zt, d, zt, y, w)]
    return delta


def _signs(y: np.ndarray, zt: np.ndarray) -> np.ndarray:
    """c = 1 − 2y for 0/1 labels (+1 for class 0, −1 for class 1), full size."""
    return full(1.0 - 2.0 * labels_t(y, zt), zt.shape)


# --- cross-entropy: −log ŷ_true, from the logits so it never sees log 0 ---------------
def sigmoid_cross_entropy_value(zt, y, out) -> list[Call]:
    """−[y·log σ(z) + (1 − y)·log(1 − σ(z))] = softplus(c·z), c = 1 − 2y, with
    softplus(x) = max(x, 0) + log1p(e^(−|x|))."""
    x, tail = np.empty_like(zt), out[..., None, :]
    return [(np.multiply, (zt, _signs(y, zt), x)),
            (np.abs, (x, tail)), (np.negative, (tail, tail)), (np.exp, (tail, tail)),
            (np.log1p, (tail, tail)), (partial(np.maximum, out=x), (x, ZERO)),
            (np.add, (tail, x, tail))]


def sigmoid_cross_entropy_delta(zt, y, w) -> list[Call]:
    """w·(σ(z) − y) = tanh(z/2)·(w/2) + w·(½ − y): four calls."""
    scale, offset = full(w * 0.5, zt.shape), full(w * (0.5 - labels_t(y, zt)), zt.shape)
    return [*tanh_of_half(zt, zt), (np.multiply, (zt, scale, zt)), (np.add, (zt, offset, zt))]


def softmax_cross_entropy_value(zt, y, out) -> list[Call]:
    """log Σ_j e^(z_j) − z_y, shifted by max z so exp never overflows."""
    onehot = full(targets_t(y, zt.shape[-2]), zt.shape)
    shifted, top, tail = np.empty_like(zt), column(zt), out[..., None, :]
    return [(partial(np.maximum.reduce, axis=-2, keepdims=True, out=top), (zt,)),
            (np.subtract, (zt, top, shifted)), (np.exp, (shifted, shifted)),
            sum_outputs(shifted, tail), (np.log, (tail, tail)), (np.add, (tail, top, tail)),
            (np.multiply, (zt, onehot, shifted)), sum_outputs(shifted, top),  # z_y
            (np.subtract, (tail, top, tail))]


def softmax_cross_entropy_delta(zt, y, w) -> list[Call]:
    """w·(softmax(z) − onehot(y))."""
    scale, target = full(w, zt.shape), full(w * targets_t(y, zt.shape[-2]), zt.shape)
    return [*softmax_calls(zt, zt), (np.multiply, (zt, scale, zt)),
            (np.subtract, (zt, target, zt))]


# --- mean squared error: Σ_k (ŷ_k − y_k)² ----------------------------------------------
def sigmoid_mse_value(zt, y, out) -> list[Call]:
    """(σ − y)² = (t + c)²/4."""
    tail = out[..., None, :]
    return [*tanh_of_half(zt, tail), (np.add, (tail, _signs(y, zt),
                                                tail)),
            (np.square, (tail, tail)), (np.multiply, (tail, QUARTER, tail))]


def sigmoid_mse_from_t(t, d, out, y, w) -> list[Call]:
    """w·2(σ − y)·σ(1 − σ) = (t + c)·d·(w/4), from t = tanh(z/2) and d = 1 − t², into
    ``out``: three calls."""
    c, scale = _signs(y, out), full(w * 0.25, out.shape)
    return [(np.add, (t, c, out)), (np.multiply, (out, d, out)), (np.multiply, (out, scale, out))]


def linear_mse_value(zt, y, out) -> list[Call]:
    tail = out[..., None, :]
    return [(np.subtract, (zt, labels_t(y, zt), tail)), (np.square, (tail, tail))]


def linear_mse_delta(zt, y, w) -> list[Call]:
    """w·2(z − y) = z·2w − 2w·y."""
    scale, offset = full(2.0 * w, zt.shape), full(2.0 * w * labels_t(y, zt), zt.shape)
    return [(np.multiply, (zt, scale, zt)), (np.subtract, (zt, offset, zt))]


def _mse_dp(p, target, out) -> list[Call]:
    """∂/∂ŷ (ŷ − y)² = 2(ŷ − y)."""
    return [(np.subtract, (p, target, out)), (np.multiply, (out, TWO, out))]


# --- mean absolute error: Σ_k |ŷ_k − y_k| ----------------------------------------------
def sigmoid_mae_value(zt, y, out) -> list[Call]:
    """|σ − y| = σ(c·z) = ½·tanh(c·z/2) + ½."""
    tail = out[..., None, :]
    half_c = full(0.5 * (1.0 - 2.0 * labels_t(y, zt)), zt.shape)
    return [*tanh_of_half(zt, tail, half_c), (np.multiply, (tail, HALF, tail)),
            (np.add, (tail, HALF, tail))]


def sigmoid_mae_from_t(t, d, out, y, w) -> list[Call]:
    """w·sign(σ − y)·σ(1 − σ) = c·d·(w/4), from d = 1 − t² (σ lies strictly between 0 and
    1, so sign(σ − y) = c): one call."""
    return [(np.multiply, (d, full(_signs(y, out) * (w * 0.25), out.shape), out))]


def linear_mae_value(zt, y, out) -> list[Call]:
    tail = out[..., None, :]
    return [(np.subtract, (zt, labels_t(y, zt), tail)), (np.abs, (tail, tail))]


def linear_mae_delta(zt, y, w) -> list[Call]:
    """w·sign(z − y)."""
    return [(np.subtract, (zt, labels_t(y, zt), zt)), (np.sign, (zt, zt)),
            (np.multiply, (zt, full(w, zt.shape), zt))]


def _mae_dp(p, target, out) -> list[Call]:
    """∂/∂ŷ |ŷ − y| = sign(ŷ − y)."""
    return [(np.subtract, (p, target, out)), (np.sign, (out, out))]


# --- MSE and MAE on softmax probabilities -----------------------------------------------
def _softmax_value(per_output: Callable) -> Callable:
    """Σ_k ℓ(p_k − y_k) over the outputs, p = softmax(z), one-hot y; ℓ = square or abs."""
    def value(zt, y, out) -> list[Call]:
        p, target = np.empty_like(zt), full(targets_t(y, zt.shape[-2]), zt.shape)
        return [*softmax_calls(zt, p), (np.subtract, (p, target, p)), (per_output, (p, p)),
                sum_outputs(p, out[..., None, :])]
    return value


def _softmax_delta(dl_dp: Callable) -> Callable:
    """With g = ∂L_i/∂p (``dl_dp``'s calls): ∂L_i/∂z_j = p_j·(g_j − Σ_k g_k·p_k) (the
    softmax Jacobian), times w."""
    def delta(zt, y, w) -> list[Call]:
        target, scale = full(targets_t(y, zt.shape[-2]), zt.shape), full(w, zt.shape)
        p, g, gp = np.empty_like(zt), np.empty_like(zt), column(zt)
        return [*softmax_calls(zt, p), *dl_dp(p, target, g), (np.multiply, (g, p, zt)),
                sum_outputs(zt, gp), (np.subtract, (g, gp, g)),
                (np.multiply, (p, g, zt)), (np.multiply, (zt, scale, zt))]
    return delta


# --- hinge: binary max(0, 1 − t·z), t = ±1; K classes Σ_{j≠y} max(0, z_j − z_y + 1) ----
def binary_hinge_value(zt, y, out) -> list[Call]:
    tail, minus_t = out[..., None, :], _signs(y, zt)
    return [(np.multiply, (zt, minus_t, tail)), (np.add, (tail, ONE, tail)),
            (partial(np.maximum, out=tail), (tail, ZERO))]


def binary_hinge_delta(zt, y, w) -> list[Call]:
    """w·∂/∂z max(0, 1 − t·z) = −t·w where 1 − t·z > 0, else 0 (t = 2y − 1; 0 at the
    kink): the step H(1 − t·z) as ``heaviside(…, 0)``."""
    minus_t = _signs(y, zt)
    return [(np.multiply, (zt, minus_t, zt)), (np.add, (zt, ONE, zt)),
            (np.heaviside, (zt, ZERO, zt)), (np.multiply, (zt, minus_t * w, zt))]


def _margins(zt, onehot, out, own) -> list[Call]:
    """out ← z_j − z_y + 1 for j ≠ y, 0 for j = y (the true class does not compete)."""
    return [(np.multiply, (zt, onehot, out)), sum_outputs(out, own),  # own ← z_y
            (np.subtract, (zt, own, out)), (np.add, (out, ONE, out)),
            (np.multiply, (out, 1.0 - onehot, out))]


def multiclass_hinge_value(zt, y, out) -> list[Call]:
    onehot = full(targets_t(y, zt.shape[-2]), zt.shape)
    margins = np.empty_like(zt)
    return [*_margins(zt, onehot, margins, column(zt)),
            (partial(np.maximum, out=margins), (margins, ZERO)),
            sum_outputs(margins, out[..., None, :])]


def multiclass_hinge_delta(zt, y, w) -> list[Call]:
    """With a_j = H(z_j − z_y + 1) for j ≠ y (H(0) = 0, and a_y = 0): ∂L_i/∂z_j = a_j and
    ∂L_i/∂z_y = −Σ_j a_j; times w."""
    onehot = full(targets_t(y, zt.shape[-2]), zt.shape)
    active, count = np.empty_like(zt), column(zt)
    return [*_margins(zt, onehot, active, count), (np.heaviside, (active, ZERO, active)),
            sum_outputs(active, count), (np.multiply, (onehot, count, zt)),
            (np.subtract, (active, zt, zt)), (np.multiply, (zt, full(w, zt.shape), zt))]


def hinge_value(zt, y, out) -> list[Call]:
    """The binary hinge for one output, the K-class one for several."""
    return (binary_hinge_value if zt.shape[-2] == 1 else multiclass_hinge_value)(zt, y, out)


def hinge_delta(zt, y, w) -> list[Call]:
    return (binary_hinge_delta if zt.shape[-2] == 1 else multiclass_hinge_delta)(zt, y, w)


@dataclass(frozen=True)
class Loss:
    kinds: dict[str, LossOnOutput]  # by output kind

    def values(self, zt: np.ndarray, y: np.ndarray, kind: str) -> np.ndarray:
        """Each example's loss, (…, n), for scores (…, m, n)."""
        out = np.empty(np.broadcast_shapes(zt.shape[:-2], np.shape(y)[:-1]) + zt.shape[-1:])
        with np.errstate(all="ignore"):
            run(self.kinds[kind].value(zt, y, out))
        return out

    def value(self, z: np.ndarray, y: np.ndarray, kind: str) -> np.ndarray:
        """Each example's loss for (n, m) scores, shape (n,)."""
        return self.values(np.ascontiguousarray(z.T), y, kind)

    def grad(self, z: np.ndarray, y: np.ndarray, kind: str, w=1.0) -> np.ndarray:
        """w·∂L_i/∂z_i for (n, m) scores, shape (n, m): the delta, run on a copy."""
        zt = np.array(z.T, dtype=np.float64)
        run(self.kinds[kind].delta(zt[None], np.asarray(y)[None], const(w)))
        return zt.T


LOSSES: dict[str, Loss] = {
    "cross_entropy": Loss({
        "sigmoid": LossOnOutput(sigmoid_cross_entropy_value, sigmoid_cross_entropy_delta),
        "softmax": LossOnOutput(softmax_cross_entropy_value, softmax_cross_entropy_delta)}),
    "mse": Loss({
        "sigmoid": LossOnOutput(sigmoid_mse_value, _through_t(sigmoid_mse_from_t),
                                sigmoid_mse_from_t),
        "softmax": LossOnOutput(_softmax_value(np.square), _softmax_delta(_mse_dp)),
        "linear": LossOnOutput(linear_mse_value, linear_mse_delta)}),
    "mae": Loss({
        "sigmoid": LossOnOutput(sigmoid_mae_value, _through_t(sigmoid_mae_from_t),
                                sigmoid_mae_from_t),
        "softmax": LossOnOutput(_softmax_value(np.abs), _softmax_delta(_mae_dp)),
        "linear": LossOnOutput(linear_mae_value, linear_mae_delta)}),
    "hinge": Loss({"raw": LossOnOutput(hinge_value, hinge_delta)}),
}


def loss_and_grad(name: str, kind: str, z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean loss over the n examples of (n, m) scores and its gradient ∂(mean)/∂z."""
    loss = LOSSES[name]
    return float(loss.value(z, y, kind).mean()), loss.grad(z, y, kind, 1.0 / len(y))
