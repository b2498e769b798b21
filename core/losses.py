"""Output layers and losses, each loss's value and gradient side by side.

The network's last layer produces raw scores ``z`` of shape (n, m). What turns them
into a prediction is the *output kind*, fixed by the task and the loss:

- ``"sigmoid"``: 2 classes, m = 1, ŷ = σ(z) = P(class 1)
- ``"softmax"``: K classes, m = K, ŷ_k = e^(z_k) / Σ_j e^(z_j)
- ``"raw"``: hinge loss, the scores themselves (binary m = 1, t = ±1; K classes m = K)
- ``"linear"``: regression, ŷ = z, m = 1

Every loss of ``LOSSES`` has ``value(z, y, kind) -> (n,)`` per-example losses and
``grad(z, y, kind) -> (n, m)``, each example's ∂L_i/∂z. The data loss is the mean over
examples (``loss_and_grad`` returns it with the gradient of that mean). Labels ``y`` are
of shape (n,): 0/1, 0..K−1, or the regression value. With several outputs an example's
MSE is Σ_k (ŷ_k − y_k)² and its MAE Σ_k |ŷ_k − y_k| against one-hot targets.
Where a derivative is undefined (|x| at 0, a hinge at its kink) it is taken as 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.activations import sigmoid


def output_kind(loss: str, task: str, n_classes: int) -> str:
    """The output layer a loss trains: see the module docstring."""
    if task == "regression":
        return "linear"
    if loss == "hinge":
        return "raw"
    return "sigmoid" if n_classes == 2 else "softmax"


def n_outputs(task: str, n_classes: int) -> int:
    return 1 if task == "regression" or n_classes == 2 else n_classes


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (n, K) scores, shifted by the row maximum so exp never overflows."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def predict(z: np.ndarray, kind: str) -> np.ndarray:
    """ŷ for each output kind (probabilities, scores or values), shape (n, m)."""
    if kind == "sigmoid":
        return sigmoid(z)
    if kind == "softmax":
        return softmax(z)
    return z.copy()


def _targets(y: np.ndarray, m: int) -> np.ndarray:
    """(n, m) targets: the labels themselves for one output, one-hot for several."""
    if m == 1:
        return y.reshape(-1, 1).astype(float)
    return np.eye(m)[y.astype(int)]


def _through_output(dl_dp: np.ndarray, p: np.ndarray, kind: str) -> np.ndarray:
    """Chain ∂L/∂ŷ back through the output function to ∂L/∂z."""
    if kind == "sigmoid":
        return dl_dp * p * (1.0 - p)
    if kind == "softmax":  # ∂L/∂z_j = p_j·(g_j − Σ_k g_k·p_k)
        return p * (dl_dp - (dl_dp * p).sum(axis=1, keepdims=True))
    return dl_dp


# --- cross-entropy: −log ŷ_true, with logits so it never sees log 0 -------------------
def _ce_value(z, y, kind):
    if kind == "sigmoid":  # softplus(z) − y·z = −[y·log σ(z) + (1−y)·log(1−σ(z))]
        z1 = z[:, 0]
        return np.maximum(z1, 0) + np.log1p(np.exp(-np.abs(z1))) - y * z1
    zmax = z.max(axis=1, keepdims=True)  # softmax: log Σ e^(z_j) − z_y
    lse = np.log(np.exp(z - zmax).sum(axis=1)) + zmax[:, 0]
    return lse - z[np.arange(len(y)), y.astype(int)]


def _ce_grad(z, y, kind):
    return predict(z, kind) - _targets(y, z.shape[1])  # ŷ − y for both kinds


# --- mean squared error: Σ_k (ŷ_k − y_k)² ----------------------------------------------
def _mse_value(z, y, kind):
    return ((predict(z, kind) - _targets(y, z.shape[1])) ** 2).sum(axis=1)


def _mse_grad(z, y, kind):
    p = predict(z, kind)
    return _through_output(2.0 * (p - _targets(y, z.shape[1])), p, kind)


# --- mean absolute error: Σ_k |ŷ_k − y_k| ----------------------------------------------
def _mae_value(z, y, kind):
    return np.abs(predict(z, kind) - _targets(y, z.shape[1])).sum(axis=1)


def _mae_grad(z, y, kind):
    p = predict(z, kind)
    return _through_output(np.sign(p - _targets(y, z.shape[1])), p, kind)


# --- hinge: binary max(0, 1 − t·z), t = ±1; K classes Σ_{j≠y} max(0, z_j − z_y + 1) ----
def _hinge_margins(z, y):
    if z.shape[1] == 1:
        t = 2.0 * y.reshape(-1, 1) - 1.0
        return 1.0 - t * z, t
    idx = np.arange(len(y)), y.astype(int)
    margins = z - z[idx][:, None] + 1.0
    margins[idx] = 0.0  # the true class does not compete with itself
    return margins, None


def _hinge_value(z, y, kind):
    margins, _ = _hinge_margins(z, y)
    return np.maximum(margins, 0.0).sum(axis=1)


def _hinge_grad(z, y, kind):
    margins, t = _hinge_margins(z, y)
    active = (margins > 0).astype(float)
    if t is not None:
        return -t * active
    active[np.arange(len(y)), y.astype(int)] = -active.sum(axis=1)
    return active


@dataclass(frozen=True)
class Loss:
    value: Callable[[np.ndarray, np.ndarray, str], np.ndarray]
    grad: Callable[[np.ndarray, np.ndarray, str], np.ndarray]


LOSSES: dict[str, Loss] = {
    "cross_entropy": Loss(_ce_value, _ce_grad),
    "mse": Loss(_mse_value, _mse_grad),
    "mae": Loss(_mae_value, _mae_grad),
    "hinge": Loss(_hinge_value, _hinge_grad),
}


def loss_and_grad(name: str, kind: str, z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean loss over the n examples and its gradient ∂(mean)/∂z, shape (n, m)."""
    loss = LOSSES[name]
    n = len(y)
    return float(loss.value(z, y, kind).mean()), loss.grad(z, y, kind) / n


def predicted_class(z: np.ndarray) -> np.ndarray:
    """Per example, the class the scores z (n, m) predict.

    One output predicts class 1 when z > 0 (σ(z) > ½, or a positive hinge score);
    several predict the largest.
    """
    return (z[:, 0] > 0).astype(np.intp) if z.shape[1] == 1 else z.argmax(axis=1)


def misclassified(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per example, whether the predicted class is wrong (the 0-1 loss)."""
    return predicted_class(z) != y


def error_rate(z: np.ndarray, y: np.ndarray) -> float:
    """The 0-1 loss averaged: a metric only, never trained on, since its gradient is zero
    almost everywhere."""
    return float(np.mean(misclassified(z, y)))
