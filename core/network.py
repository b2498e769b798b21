"""A multilayer perceptron over one flat parameter buffer.

``sizes = [n_inputs, *hidden, n_outputs]``. Layer l maps fan_in → fan_out through a
matrix view ``layers[l]`` of shape (fan_in + 1, fan_out) into the flat ``params``: its last
row is the bias, the weight of the article's constant-1 bias unit. Inputs therefore carry
a trailing column of ones, and z = [x, 1]·W is one matrix product. Keeping every
parameter in one buffer lets an optimizer update all of them in one NumPy call.

Initialisation (as TensorFlow Playground's): weights U(−0.5, 0.5), biases 0.1, drawn
from ``init_rng(seed)`` layer by layer.

At these sizes NumPy's cost is per call, not per flop, so the forward and backward
passes write into preallocated buffers (``out=``), one workspace per batch size.
"""

from __future__ import annotations

import numpy as np

from core.activations import ACTIVATIONS, sigmoid
from core.losses import LOSSES


def init_rng(seed: int) -> np.random.Generator:
    """The generator for initial weights; the data uses its own (``data_rng``)."""
    return np.random.default_rng([seed, 2])


def with_bias_column(x: np.ndarray) -> np.ndarray:
    """[x, 1]: the inputs followed by the constant-1 bias unit, C-contiguous."""
    out = np.ones((x.shape[0], x.shape[1] + 1), dtype=x.dtype)
    out[:, :-1] = x
    return out


class _Workspace:
    """Buffers for one batch size: augmented activations, pre-activations, deltas."""

    def __init__(self, sizes: list[int], n: int):
        self.a = [np.ones((n, k + 1)) for k in sizes[1:-1]]  # hidden [a, 1]
        self.z = [np.empty((n, k)) for k in sizes[1:]]
        self.delta = [np.empty((n, k)) for k in sizes[1:-1]]
        self.tmp = [np.empty((n, k)) for k in sizes[1:-1]]


class Network:
    def __init__(self, sizes, activation: str, output_kind: str, seed: int = 0):
        self.sizes = [int(s) for s in sizes]
        self.activation = ACTIVATIONS[activation]
        self.activation_name = activation
        self.output_kind = output_kind
        shapes = [(fan_in + 1, fan_out) for fan_in, fan_out in zip(self.sizes, self.sizes[1:])]
        self.params = np.empty(sum(r * c for r, c in shapes))
        self.layers = self._views(self.params, shapes)
        self.weight_mask = np.ones_like(self.params)
        for view in self._views(self.weight_mask, shapes):
            view[-1] = 0.0  # biases are not regularized
        self.grad = np.zeros_like(self.params)
        self._grad_layers = self._views(self.grad, shapes)
        self._workspaces: dict[int, _Workspace] = {}
        self.initialize(seed)

    @staticmethod
    def _views(flat: np.ndarray, shapes) -> list[np.ndarray]:
        views, start = [], 0
        for rows, cols in shapes:
            views.append(flat[start : start + rows * cols].reshape(rows, cols))
            start += rows * cols
        return views

    def initialize(self, seed: int) -> None:
        rng = init_rng(seed)
        for layer in self.layers:
            layer[:-1] = rng.uniform(-0.5, 0.5, size=layer[:-1].shape)
            layer[-1] = 0.1

    def weights(self) -> list[np.ndarray]:
        """Per layer, (fan_in, fan_out) copies."""
        return [layer[:-1].copy() for layer in self.layers]

    def biases(self) -> list[np.ndarray]:
        return [layer[-1].copy() for layer in self.layers]

    def _workspace(self, n: int) -> _Workspace:
        ws = self._workspaces.get(n)
        if ws is None:
            if len(self._workspaces) > 8:  # batch sizes change rarely; keep a few
                self._workspaces.clear()
            ws = self._workspaces[n] = _Workspace(self.sizes, n)
        return ws

    def forward(self, x_aug: np.ndarray) -> np.ndarray:
        """Raw output scores z of shape (n, n_outputs) for inputs [x, 1] of shape (n, k + 1).

        The returned array is a workspace buffer: copy it to keep it.
        """
        ws = self._workspace(x_aug.shape[0])
        a = x_aug
        for l, layer in enumerate(self.layers[:-1]):
            np.matmul(a, layer, out=ws.z[l])
            self.activation.fn(ws.z[l], out=ws.a[l][:, :-1])
            a = ws.a[l]
        return np.matmul(a, self.layers[-1], out=ws.z[-1])

    def backward(self, x_aug: np.ndarray, dz: np.ndarray) -> np.ndarray:
        """∂L/∂params into ``self.grad`` given ∂L/∂z of the output (after ``forward``)."""
        ws = self._workspace(x_aug.shape[0])
        inputs = [x_aug, *ws.a]
        for l in range(len(self.layers) - 1, -1, -1):
            np.matmul(inputs[l].T, dz, out=self._grad_layers[l])
            if l == 0:
                break
            delta = ws.delta[l - 1]
            np.matmul(dz, self.layers[l][:-1].T, out=delta)
            delta *= self._activation_der(ws.z[l - 1], ws.a[l - 1][:, :-1], ws.tmp[l - 1])
            dz = delta
        return self.grad

    def _activation_der(self, z: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> np.ndarray:
        if self.activation_name == "tanh":  # 1 − a², without temporaries
            np.multiply(a, a, out=tmp)
            np.subtract(1.0, tmp, out=tmp)
            return tmp
        return self.activation.der(z, a)

    def data_gradient(self, x_aug: np.ndarray, y: np.ndarray, loss: str) -> np.ndarray:
        """∂(mean data loss)/∂params for one mini-batch, into ``self.grad``."""
        z = self.forward(x_aug)
        if loss == "cross_entropy" and self.output_kind == "sigmoid":
            dz = sigmoid(z)  # the common case, fused: (σ(z) − y) / n
            dz -= y.reshape(-1, 1)
            dz *= 1.0 / len(y)
        else:
            dz = LOSSES[loss].grad(z, y, self.output_kind) / len(y)
        return self.backward(x_aug, dz)
