"""What the network's last layer means: the output kinds, their predictions and targets.

The last layer produces raw scores z. What turns them into a prediction is the
*output kind*, fixed by the task and the loss:

- ``"sigmoid"``: 2 classes, m = 1 output, ŷ = σ(z) = P(class 1)
- ``"softmax"``: K classes, m = K, ŷ_k = e^(z_k) / Σ_j e^(z_j)
- ``"raw"``: hinge loss, the scores themselves (binary m = 1, t = ±1; K classes m = K)
- ``"linear"``: regression, ŷ = z, m = 1

The engine keeps scores as ``zt`` of shape (…, m, n): outputs along the second-last
axis, examples along the last, any leading axes for a stack of runs; labels ``y`` are
(…, n): 0/1, 0..K−1, or the regression value. The functions named ``*_t`` take that
layout; ``softmax``, ``predict`` and ``error_rate`` take the usual (n, m).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from core.activations import sigmoid
from core.calls import Call, full, run


def output_kind(loss: str, task: str, n_classes: int) -> str:
    """The output layer a loss trains: see the module docstring."""
    if task == "regression":
        return "linear"
    if loss == "hinge":
        return "raw"
    return "sigmoid" if n_classes == 2 else "softmax"


def n_outputs(task: str, n_classes: int) -> int:
    return 1 if task == "regression" or n_classes == 2 else n_classes


def column(zt: np.ndarray) -> np.ndarray:
    """A buffer for one number per example and run, (…, 1, n)."""
    return np.empty(zt.shape[:-2] + (1, zt.shape[-1]), dtype=zt.dtype)


def sum_outputs(values: np.ndarray, out: np.ndarray) -> Call:
    """out (…, 1, n) ← Σ over the outputs of ``values`` (…, m, n), as a bound call."""
    return (partial(np.add.reduce, axis=-2, keepdims=True, out=out), (values,))


def labels_t(y: np.ndarray, zt: np.ndarray) -> np.ndarray:
    """The labels as (…, 1, n) rows; full size for one output (a fast operand)."""
    rows = np.asarray(y, dtype=np.float64)[..., None, :]
    return full(rows, zt.shape) if zt.shape[-2] == 1 else rows


def softmax_calls(zt: np.ndarray, out: np.ndarray) -> list[Call]:
    """softmax over the outputs (axis −2), into ``out``: e^(z − max z) / Σ e^(z − max z),
    shifted by the maximum so exp never overflows."""
    top = column(zt)
    return [(partial(np.maximum.reduce, axis=-2, keepdims=True, out=top), (zt,)),
            (np.subtract, (zt, top, out)), (np.exp, (out, out)), sum_outputs(out, top),
            (np.divide, (out, top, out))]


def softmax_t(zt: np.ndarray) -> np.ndarray:
    out = np.empty_like(zt)
    run(softmax_calls(zt, out))
    return out


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (n, K) scores."""
    return softmax_t(z.T).T


def predict_t(zt: np.ndarray, kind: str) -> np.ndarray:
    """ŷ for each output kind (probabilities, scores or values), shape (…, m, n)."""
    if kind == "sigmoid":
        return sigmoid(zt)
    if kind == "softmax":
        return softmax_t(zt)
    return zt.copy()


def predict(z: np.ndarray, kind: str) -> np.ndarray:
    """ŷ of (n, m) scores, shape (n, m)."""
    return predict_t(z.T, kind).T


def targets_t(y: np.ndarray, m: int) -> np.ndarray:
    """(…, m, n) targets: the labels themselves for one output, one-hot for several."""
    if m == 1:
        return np.asarray(y, dtype=np.float64)[..., None, :]
    classes = np.arange(m, dtype=np.float64)[:, None]
    return (classes == np.asarray(y)[..., None, :]).astype(np.float64)


def score_of_label_t(zt: np.ndarray, y: np.ndarray) -> np.ndarray:
    """z_y: each example's score for its own class, shape (…, n)."""
    labels = np.broadcast_to(np.asarray(y).astype(np.intp), zt.shape[:-2] + zt.shape[-1:])
    return np.take_along_axis(zt, labels[..., None, :], axis=-2)[..., 0, :]


def predicted_class_t(zt: np.ndarray) -> np.ndarray:
    """Per example, the class the scores predict, shape (…, n).

    One output predicts class 1 when z > 0 (σ(z) > ½, or a positive hinge score);
    several predict the largest.
    """
    return (zt[..., 0, :] > 0).astype(np.intp) if zt.shape[-2] == 1 else zt.argmax(axis=-2)


def predicted_class(z: np.ndarray) -> np.ndarray:
    """``predicted_class_t`` for (n, m) scores."""
    return predicted_class_t(z.T)


def misclassified_t(zt: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per example, whether the predicted class is wrong (the 0-1 loss), shape (…, n)."""
    return predicted_class_t(zt) != y


def misclassified_calls(zt: np.ndarray, y: np.ndarray, out: np.ndarray) -> list[Call]:
    """``misclassified_t`` as bound calls (the same rule), into the boolean ``out``."""
    if zt.shape[-2] == 1:
        truth = np.ascontiguousarray(np.broadcast_to(np.asarray(y) == 1, out.shape))
        return [(np.greater, (zt[..., 0, :], np.array(0.0), out)),
                (np.not_equal, (out, truth, out))]
    predicted = np.empty(out.shape, dtype=np.intp)
    truth = np.ascontiguousarray(np.broadcast_to(np.asarray(y).astype(np.intp), out.shape))
    return [(partial(zt.argmax, axis=-2, out=predicted), ()),
            (np.not_equal, (predicted, truth, out))]


def misclassified(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    return misclassified_t(z.T, y)


def error_rate(z: np.ndarray, y: np.ndarray) -> float:
    """The 0-1 loss averaged over (n, m) scores: a metric only, never trained on, since
    its gradient is zero almost everywhere."""
    return float(np.mean(misclassified(z, y)))
