"""V networks of one layer count trained as one stack of padded arrays (see core/sweep.py).

Layer l of every variant lives in ``layers[l]``, a (V, fan_in + 1, fan_out) view into one
(V, P) parameter buffer, padded to the widest variant; ``mask`` is 1 on real parameters
and 0 on padding, and multiplies every gradient so padding stays exactly 0.
"""

from __future__ import annotations

import numpy as np

from core.features import feature_matrix
from core.losses import LOSSES, error_rate, n_outputs, output_kind
from core.network import Network, with_bias_column
from core.optimizers import make_optimizer


def _views(flat: np.ndarray, shapes) -> list[np.ndarray]:
    views, start = [], 0
    for rows, cols in shapes:
        views.append(flat[:, start : start + rows * cols].reshape(len(flat), rows, cols))
        start += rows * cols
    return views


class StackedRun:
    def __init__(self, configs, dataset):
        base = configs[0]
        self.configs, self.v = list(configs), len(configs)
        self.kind = output_kind(base.loss, base.task, base.n_classes)
        self.loss, self.activation = LOSSES[base.loss], None
        x = feature_matrix(np.vstack([dataset.train[:, :2], dataset.test[:, :2]]), base.features)
        self.x_all = with_bias_column(x)
        self.y_all = np.concatenate([dataset.train[:, 2], dataset.test[:, 2]])
        self.n_train = len(dataset.train)
        m = n_outputs(base.task, base.n_classes)
        self.sizes = [[len(base.features), *c.hidden, m] for c in configs]
        padded = [max(s[i] for s in self.sizes) for i in range(len(self.sizes[0]))]
        self.shapes = [(a + 1, b) for a, b in zip(padded, padded[1:])]
        size = sum(r * c for r, c in self.shapes)
        self.params, self.mask = np.zeros((self.v, size)), np.zeros((self.v, size))
        self.weight_mask = np.zeros((self.v, size))
        self.layers = _views(self.params, self.shapes)
        self._initialize(base)
        self.grad = np.zeros_like(self.params)
        self.grad_layers = _views(self.grad, self.shapes)
        self.lr = np.array([[c.learning_rate] for c in configs])
        self.l1 = np.array([[c.reg_rate if c.regularization == "l1" else 0.0] for c in configs])
        self.l2 = np.array([[c.reg_rate if c.regularization == "l2" else 0.0] for c in configs])
        self.optimizer = make_optimizer(base.optimizer, self.params.shape)
        self.active = np.ones(self.v, dtype=bool)
        self.last_good = self.params.copy()
        b = base.batch_size
        x_train, y_train = self.x_all[: self.n_train], self.y_all[: self.n_train]
        self.batches = [(x_train[i : i + b], y_train[i : i + b]) for i in range(0, self.n_train, b)]
        self.initial = [self._real(v) for v in range(self.v)]
        self.histories = [[entry] for entry in self._measure(0)]

    def _initialize(self, base) -> None:
        """Each variant's real block gets the weights its own Network would draw."""
        for v, (config, sizes) in enumerate(zip(self.configs, self.sizes)):
            net = Network(sizes, config.activation, self.kind, seed=config.seed)
            self.activation = net.activation
            masks, wmasks = _views(self.mask, self.shapes), _views(self.weight_mask, self.shapes)
            for l, layer in enumerate(net.layers):
                fan_in, fan_out = layer.shape[0] - 1, layer.shape[1]
                self.layers[l][v, :fan_in, :fan_out] = layer[:-1]
                self.layers[l][v, -1, :fan_out] = layer[-1]
                masks[l][v, :fan_in, :fan_out] = masks[l][v, -1, :fan_out] = 1.0
                wmasks[l][v, :fan_in, :fan_out] = 1.0

    def _forward(self, x: np.ndarray) -> tuple[list, list]:
        inputs, zs, a = [], [], x
        for layer in self.layers[:-1]:
            inputs.append(a)
            z = np.matmul(a, layer)
            zs.append(z)
            act = self.activation.fn(z)
            a = np.concatenate([act, np.ones(act.shape[:-1] + (1,))], axis=-1)
        inputs.append(a)
        zs.append(np.matmul(a, self.layers[-1]))
        return inputs, zs

    def _step(self, x: np.ndarray, y: np.ndarray) -> None:
        inputs, zs = self._forward(x)
        n, m = len(y), zs[-1].shape[-1]
        dz = self.loss.grad(zs[-1].reshape(-1, m), np.tile(y, self.v), self.kind)
        dz = dz.reshape(self.v, n, m) / n
        for l in range(len(self.layers) - 1, -1, -1):
            np.matmul(np.swapaxes(inputs[l], -1, -2), dz, out=self.grad_layers[l])
            if l > 0:
                delta = np.matmul(dz, np.swapaxes(self.layers[l][:, :-1, :], -1, -2))
                a = inputs[l][..., :-1]
                dz = delta * self.activation.der(zs[l - 1], a)
        self.grad *= self.mask
        if self.l1.any():
            self.grad += self.l1 * np.sign(self.params) * self.weight_mask
        if self.l2.any():
            self.grad += self.l2 * self.params * self.weight_mask
        self.optimizer.update(self.params, self.grad, self.lr * self.active[:, None])

    def train_epochs(self, epochs: int) -> None:
        with np.errstate(all="ignore"):
            for epoch in range(1, epochs + 1):
                if not self.active.any():
                    return
                for x, y in self.batches:
                    self._step(x, y)
                self._finish_epoch(epoch)

    def _finish_epoch(self, epoch: int) -> None:
        entries = self._measure(epoch)
        for v, entry in enumerate(entries):
            if not self.active[v]:
                self.params[v] = self.last_good[v]
                continue
            finite = np.isfinite(entry["train_loss"]) and np.isfinite(entry["test_loss"])
            if finite and np.isfinite(self.params[v]).all():
                self.last_good[v] = self.params[v]
                self.histories[v].append(entry)
            else:  # this variant diverged: keep its last finite weights, stop it
                self.params[v] = self.last_good[v]
                self.active[v] = False

    def _measure(self, epoch: int) -> list[dict]:
        z = self._forward(self.x_all)[1][-1]
        n, m = self.n_train, z.shape[-1]
        values = self.loss.value(z.reshape(-1, m), np.tile(self.y_all, self.v), self.kind)
        values = values.reshape(self.v, -1)
        w = self.params * self.weight_mask
        penalties = self.l1[:, 0] * np.abs(w).sum(1) + self.l2[:, 0] * 0.5 * (w * w).sum(1)
        classification = self.configs[0].task == "classification"
        y_train, y_test = self.y_all[:n], self.y_all[n:]
        return [
            {
                "epoch": epoch,
                "train_loss": float(values[v, :n].mean()),
                "test_loss": float(values[v, n:].mean()),
                "train_error": error_rate(z[v, :n], y_train) if classification else None,
                "test_error": error_rate(z[v, n:], y_test) if classification else None,
                "penalty": float(penalties[v]),
            }
            for v in range(self.v)
        ]

    def _real(self, v: int) -> dict:
        weights, biases = [], []
        for l, (fan_in, fan_out) in enumerate(zip(self.sizes[v], self.sizes[v][1:])):
            weights.append(self.layers[l][v, :fan_in, :fan_out].tolist())
            biases.append(self.layers[l][v, -1, :fan_out].tolist())
        return {"weights": weights, "biases": biases}

    def results(self) -> list[dict]:
        return [
            {
                "config": config,
                "history": self.histories[v],
                "initial": self.initial[v],
                "final": self._real(v),
                "state": "ready" if self.active[v] else "diverged",
            }
            for v, config in enumerate(self.configs)
        ]
