"""Optimizers that update the flat parameter buffer in place, one call where possible.

- ``sgd``: p ← p − η·g
- ``momentum`` (μ = 0.9): v ← μ·v + g;  p ← p − η·v   (the velocity is in gradient
  units, so a learning-rate change takes effect at once)
- ``adam`` (β1 = 0.9, β2 = 0.999, ε = 1e-8): m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
  p ← p − η·m̂ / (√v̂ + ε) with the bias corrections m̂ = m/(1−β1^t), v̂ = v/(1−β2^t)

``update_calls`` gives an update as calls with bound arguments, for a trainer's
per-batch plan (``core.network.run``). Each optimizer keeps its state in arrays the
size of the buffer; ``state()`` and ``load_state()`` copy it out and back (for
snapshots and "train from here").
"""

from __future__ import annotations

import numpy as np

MOMENTUM = 0.9
BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-8


class SGD:
    def __init__(self, size: int):
        self._step = np.empty(size)

    def update_calls(self, params: np.ndarray, grad: np.ndarray, lr: float) -> list:
        return [(np.multiply, (grad, lr, self._step)), (np.subtract, (params, self._step, params))]

    def state(self) -> dict:
        return {}

    def load_state(self, state: dict) -> None:
        pass


class Momentum(SGD):
    def __init__(self, size: int):
        super().__init__(size)
        self.velocity = np.zeros(size)

    def update_calls(self, params, grad, lr):
        v = self.velocity
        return [(np.multiply, (v, MOMENTUM, v)), (np.add, (v, grad, v)),
                *super().update_calls(params, v, lr)]

    def state(self):
        return {"velocity": self.velocity.copy()}

    def load_state(self, state):
        self.velocity[:] = state["velocity"]


class Adam:
    def __init__(self, size: int):
        self.m = np.zeros(size)
        self.v = np.zeros(size)
        self.t = 0
        self._tmp = np.empty(size)

    def update(self, params, grad, lr):
        self.t += 1
        self.m *= BETA1
        self.m += (1 - BETA1) * grad
        self.v *= BETA2
        self.v += (1 - BETA2) * grad * grad
        step = lr / (1 - BETA1**self.t)
        np.sqrt(self.v / (1 - BETA2**self.t), out=self._tmp)
        self._tmp += EPSILON
        params -= step * self.m / self._tmp

    def update_calls(self, params, grad, lr):
        return [(self.update, (params, grad, lr))]  # its step size changes every step

    def state(self):
        return {"m": self.m.copy(), "v": self.v.copy(), "t": self.t}

    def load_state(self, state):
        self.m[:], self.v[:], self.t = state["m"], state["v"], int(state["t"])


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make_optimizer(name: str, size: int):
    return OPTIMIZERS[name](size)
