"""nnlive's training, as DESIGN.md states it, in plain NumPy: the reference to read.

This module is for reading and for checking, not for speed: no buffers kept between
steps, no bound calls, no stacks of runs, examples in rows and one plain function per
idea. The engine (``core/engine.py``) computes the same numbers much faster; the tests
hold every fast path (a lone run, a live stack, a sweep's block) to this module within
1e-12, and this module's gradients to finite differences.

    run = train(validate_config({"seed": 1, "loss": "mse"}), epochs=20)
    run.history[-1]["test_loss"], run.weights, run.biases, run.state

It takes from the rest of the core only what defines the data: the generators of
``core.datasets`` and the features of ``core.features``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from core.config import Config
from core.datasets import GENERATORS
from core.features import feature_matrix

MOMENTUM, BETA1, BETA2, EPSILON = 0.9, 0.9, 0.999, 1e-8


# --- the data: generate, shuffle, split ------------------------------------------------
def split(config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(train, validation, test) rows [x1, x2, label]: the shuffled points, the first
    n_train of them for training, the last n_val of those held out for validation."""
    rng = np.random.default_rng([config.seed, 1])
    if config.dataset == "custom":
        points = np.array(config.points, dtype=float)
    else:
        points = GENERATORS[config.dataset](config.n_points, config.noise / 100, rng)
    points = points[rng.permutation(len(points))]
    n = len(points)
    n_train = min(max(math.floor(n * config.train_ratio / 100 + 0.5), 1), n - 1)
    n_val = 0
    if config.validation_ratio > 0:
        n_val = min(max(math.floor(n_train * config.validation_ratio / 100 + 0.5), 1),
                    n_train - 1)
    return points[: n_train - n_val], points[n_train - n_val : n_train], points[n_train:]


# --- the network -------------------------------------------------------------------------
def initial_parameters(sizes: list[int], seed: int) -> tuple[list, list]:
    """Weights U(−0.5, 0.5) (fan_in, fan_out) layer by layer, biases 0.1."""
    rng = np.random.default_rng([seed, 2])
    weights = [rng.uniform(-0.5, 0.5, size=(a, b)) for a, b in zip(sizes, sizes[1:])]
    return weights, [np.full(b, 0.1) for b in sizes[1:]]


def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))  # 1 / (1 + e^(−z)), without overflow


ACTIVATIONS = {  # f(z) and f'(z)
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "sigmoid": (sigmoid, lambda z: sigmoid(z) * (1.0 - sigmoid(z))),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "linear": (lambda z: z, lambda z: np.ones_like(z)),
}


def forward(weights, biases, x, activation: str) -> tuple[list, list]:
    """Every layer's pre-activations z and activations a (a[0] = x); the last z are the
    scores, shape (n, m)."""
    f = ACTIVATIONS[activation][0]
    zs, activations = [], [x]
    for l, (w, b) in enumerate(zip(weights, biases)):
        zs.append(activations[-1] @ w + b)
        if l < len(weights) - 1:
            activations.append(f(zs[-1]))
    return zs, activations


# --- outputs and losses (examples in rows: scores z (n, m), labels y (n,)) ---------------
def output_kind(config: Config) -> str:
    if config.task == "regression":
        return "linear"
    if config.loss == "hinge":
        return "raw"
    return "sigmoid" if config.n_classes == 2 else "softmax"


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def predict(z, kind: str):
    return {"sigmoid": sigmoid, "softmax": softmax}.get(kind, lambda s: s)(z)


def targets(y, m: int):
    return y.reshape(-1, 1) if m == 1 else np.eye(m)[y.astype(int)]


def losses(z, y, kind: str, loss: str):
    """Each example's loss, shape (n,)."""
    p, t = predict(z, kind), targets(y, z.shape[1])
    if loss == "cross_entropy":
        if kind == "sigmoid":  # −[y log p + (1 − y) log(1 − p)], from the logit
            return np.logaddexp(0.0, z[:, 0]) - y * z[:, 0]
        top = z.max(axis=1)  # log Σ_j e^(z_j) − z_y, shifted so exp never overflows
        true = z[np.arange(len(y)), y.astype(int)]
        return top + np.log(np.exp(z - top[:, None]).sum(axis=1)) - true
    if loss == "mse":
        return ((p - t) ** 2).sum(axis=1)
    if loss == "mae":
        return np.abs(p - t).sum(axis=1)
    return _hinge(z, y)


def _hinge(z, y):
    if z.shape[1] == 1:
        return np.maximum(0.0, 1.0 - (2 * y - 1) * z[:, 0])
    true = z[np.arange(len(y)), y.astype(int)][:, None]
    margins = np.maximum(0.0, z - true + 1.0)
    margins[np.arange(len(y)), y.astype(int)] = 0.0
    return margins.sum(axis=1)


def loss_gradient(z, y, kind: str, loss: str):
    """∂L_i/∂z_i for every example, shape (n, m): ∂L/∂ŷ, then through the output."""
    p, t = predict(z, kind), targets(y, z.shape[1])
    if loss == "cross_entropy":
        return p - t  # for sigmoid and softmax alike
    if loss == "hinge":
        return _hinge_gradient(z, y)
    dl_dp = 2 * (p - t) if loss == "mse" else np.sign(p - t)
    if kind == "sigmoid":
        return dl_dp * p * (1 - p)
    if kind == "softmax":  # the Jacobian of softmax: p_j (δ_jk − p_k)
        return p * (dl_dp - (dl_dp * p).sum(axis=1, keepdims=True))
    return dl_dp


def _hinge_gradient(z, y):
    if z.shape[1] == 1:
        sign = 2 * y.reshape(-1, 1) - 1
        return np.where(1.0 - sign * z > 0, -sign, 0.0)
    rows, true = np.arange(len(y)), y.astype(int)
    active = (z - z[rows, true][:, None] + 1.0 > 0).astype(float)
    active[rows, true] = 0.0
    active[rows, true] = -active.sum(axis=1)
    return active


# --- the objective's gradient: back-propagation, penalty ---------------------------------
def penalty(weights, regularization: str, reg_rate: float) -> float:
    """λ·R(w) over the weights (never the biases): R_L1 = Σ|w|, R_L2 = ½Σw²."""
    if regularization == "l1":
        return reg_rate * sum(np.abs(w).sum() for w in weights)
    if regularization == "l2":
        return reg_rate * sum(0.5 * (w * w).sum() for w in weights)
    return 0.0


def gradients(weights, biases, x, y, config: Config) -> tuple[list, list]:
    """∂/∂W and ∂/∂b of the objective: the mean data loss over the examples plus λ·R(w)."""
    zs, activations = forward(weights, biases, x, config.activation)
    delta = loss_gradient(zs[-1], y, output_kind(config), config.loss) / len(y)
    derivative = ACTIVATIONS[config.activation][1]
    grad_w, grad_b = [None] * len(weights), [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        grad_w[l] = activations[l].T @ delta
        grad_b[l] = delta.sum(axis=0)
        if l > 0:
            delta = (delta @ weights[l].T) * derivative(zs[l - 1])
    if config.regularization == "l1":
        grad_w = [g + config.reg_rate * np.sign(w) for g, w in zip(grad_w, weights)]
    elif config.regularization == "l2":
        grad_w = [g + config.reg_rate * w for g, w in zip(grad_w, weights)]
    return grad_w, grad_b


# --- optimizers -------------------------------------------------------------------------
@dataclass
class Optimizer:
    """sgd: p ← p − η·g; momentum: v ← μ·v + g, p ← p − η·v; adam: m ← β1·m + (1−β1)·g,
    v ← β2·v + (1−β2)·g², p ← p − η·m̂/(√v̂ + ε), m̂ = m/(1−β1^t), v̂ = v/(1−β2^t)."""

    name: str
    state: dict = field(default_factory=dict)
    t: int = 0

    def step(self, params: list, grads: list, lr: float) -> list:
        self.t += 1
        return [self._update(i, p, g, lr) for i, (p, g) in enumerate(zip(params, grads))]

    def _update(self, i: int, p, g, lr: float):
        if self.name == "sgd":
            return p - lr * g
        if self.name == "momentum":
            v = self.state[i] = MOMENTUM * self.state.get(i, 0.0) + g
            return p - lr * v
        m, v = self.state.get(i, (0.0, 0.0))
        m, v = BETA1 * m + (1 - BETA1) * g, BETA2 * v + (1 - BETA2) * g * g
        self.state[i] = (m, v)
        m_hat, v_hat = m / (1 - BETA1**self.t), v / (1 - BETA2**self.t)
        return p - lr * m_hat / (np.sqrt(v_hat) + EPSILON)


# --- a whole run --------------------------------------------------------------------------
@dataclass
class Run:
    config: Config
    weights: list
    biases: list
    history: list = field(default_factory=list)
    state: str = "ready"


def measure(run: Run, epoch: int, parts: tuple) -> dict:
    """The history entry: mean data loss and error rate on each part, and λ·R(w)."""
    config, kind = run.config, output_kind(run.config)
    entry = {"epoch": epoch}
    for name, rows in zip(("train", "validation", "test"), parts):
        if len(rows) == 0:
            entry[f"{name}_loss"] = entry[f"{name}_error"] = None
            continue
        x, y = feature_matrix(rows[:, :2], config.features), rows[:, 2]
        z = forward(run.weights, run.biases, x, config.activation)[0][-1]
        entry[f"{name}_loss"] = float(losses(z, y, kind, config.loss).mean())
        predicted = z[:, 0] > 0 if z.shape[1] == 1 else z.argmax(axis=1)
        entry[f"{name}_error"] = (None if config.task == "regression"
                                  else float(np.mean(predicted != y)))
    entry["penalty"] = penalty(run.weights, config.regularization, config.reg_rate)
    return entry


def train(config: Config, epochs: int) -> Run:
    """``epochs`` epochs of mini-batch steps over the rows trained on, in order; after
    each, the entry. A non-finite loss or weight stops the run ("diverged") with the
    weights of the last finished epoch."""
    parts = split(config)
    n_outputs = 1 if config.task == "regression" or config.n_classes == 2 else config.n_classes
    sizes = [len(config.features), *config.hidden, n_outputs]
    run = Run(config, *initial_parameters(sizes, config.seed))
    run.history.append(measure(run, 0, parts))
    optimizer = Optimizer(config.optimizer)
    x, y = feature_matrix(parts[0][:, :2], config.features), parts[0][:, 2]
    with np.errstate(all="ignore"):  # a diverging run is recognised below, not warned about
        for epoch in range(1, epochs + 1):
            before = (run.weights, run.biases)
            for start in range(0, len(y), config.batch_size):
                batch = slice(start, start + config.batch_size)
                grad_w, grad_b = gradients(run.weights, run.biases, x[batch], y[batch], config)
                n = len(run.weights)
                params = optimizer.step(run.weights + run.biases, grad_w + grad_b,
                                        config.learning_rate)
                run.weights, run.biases = params[:n], params[n:]
            entry = measure(run, epoch, parts)
            if not _finite(entry, run):
                run.weights, run.biases = before
                run.state = "diverged"
                break
            run.history.append(entry)
    return run


def _finite(entry: dict, run: Run) -> bool:
    numbers = [entry[k] for k in ("train_loss", "validation_loss", "test_loss")
               if entry[k] is not None]
    arrays = run.weights + run.biases
    return all(math.isfinite(v) for v in numbers) and all(np.isfinite(a).all() for a in arrays)
