"""A multilayer perceptron's parameters: one flat buffer, its layers, its initial values.

``sizes = [n_inputs, *hidden, n_outputs]``. Layer l is a matrix view ``rows[l]`` of shape
(fan_out, fan_in + 1) into the flat ``params`` (layout: ``core.layers``); ``layers[l]``
is its transpose, (fan_in + 1, fan_out), whose last row is the bias. Training is the
engine's (``core.engine``); ``forward`` and ``data_gradient`` run it on this buffer.

Initialisation (as TensorFlow Playground's): weights U(−0.5, 0.5), biases 0.1, drawn
from ``init_rng(seed)`` layer by layer.
"""

from __future__ import annotations

import numpy as np

from core.activations import ACTIVATIONS
from core.calls import const, run
from core.engine import Engine, Shape
from core.layers import flat_views, layer_shapes, weight_mask, with_bias_column  # noqa: F401


def init_rng(seed: int) -> np.random.Generator:
    """The generator for initial weights; the data uses its own (``data_rng``)."""
    return np.random.default_rng([seed, 2])


class Network:
    def __init__(self, sizes, activation: str, output_kind: str, seed: int = 0):
        self.sizes = [int(s) for s in sizes]
        self.activation = ACTIVATIONS[activation]
        self.activation_name = activation
        self.output_kind = output_kind
        self.shapes = layer_shapes(self.sizes)
        self.params = np.empty(sum(r * c for r, c in self.shapes))
        self.rows = flat_views(self.params, self.shapes)
        self.layers = [rows.T for rows in self.rows]  # (fan_in + 1, fan_out) views
        self.weight_mask = weight_mask(self.shapes)
        self.initialize(seed)

    def layer_views(self, flat: np.ndarray) -> list[np.ndarray]:
        """(fan_in + 1, fan_out) views of any buffer laid out like ``params``."""
        return [rows.T for rows in flat_views(flat, self.shapes)]

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

    def engine(self, loss: str | None = None) -> Engine:
        """An engine over this network's own buffer (a lone run, K = 1)."""
        shape = Shape(tuple(self.sizes), self.activation_name, self.output_kind, loss)
        return Engine(shape, self.params[None])

    def forward(self, x_aug: np.ndarray) -> np.ndarray:
        """Raw output scores z of shape (n, n_outputs) for inputs [x, 1] of shape (n, k + 1)."""
        return self.engine().forward(np.ascontiguousarray(x_aug.T)).T.copy()

    def data_gradient(self, x_aug: np.ndarray, y: np.ndarray, loss: str) -> np.ndarray:
        """∂(mean data loss)/∂params for one mini-batch (the engine's own calls), a copy."""
        engine, y = self.engine(loss), np.asarray(y, dtype=np.float64)
        run(engine.gradient_calls(np.ascontiguousarray(x_aug.T), y, const(1.0 / len(y))))
        return engine.grad[0].copy()
