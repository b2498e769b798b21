"""Optimizers: each update rule written once, as bound calls on a stack of runs.

Parameters and gradients are (K, P): K runs of P parameters each (K = 1 for a lone
run); the learning rate η is 0-d, one per run (K, 1), or one per parameter (1, P).

- ``sgd``: p ← p − η·g. The engine folds η into the gradient (``folds_rate``: the loss
  delta and the penalty come out times η), so the update is p ← p − g.
- ``momentum`` (μ = 0.9): v ← μ·v + g;  p ← p − η·v   (the velocity is in gradient
  units, so a learning-rate change takes effect at once)
- ``adam`` (β1 = 0.9, β2 = 0.999, ε = 1e-8): m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
  p ← p − η·m̂ / (√v̂ + ε) with the bias corrections m̂ = m/(1−β1^t), v̂ = v/(1−β2^t),
  t counted per run

``update(params, grad, rate)`` gives the calls; ``state(run)`` and ``load_state(state,
run)`` copy one run's state out and back (snapshots, stacks of live runs).
"""

from __future__ import annotations

import numpy as np

from core.calls import Call, const

MOMENTUM = 0.9
BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-8


class SGD:
    folds_rate = True

    def __init__(self, shape: tuple[int, int]):
        self.shape = shape

    def update(self, params: np.ndarray, grad: np.ndarray, rate) -> list[Call]:
        return [(np.subtract, (params, grad, params))]  # η is in grad already

    def state(self, run: int = 0) -> dict:
        return {}

    def load_state(self, state: dict, run: int = 0) -> None:
        pass

    def clear(self, where: np.ndarray) -> None:
        """Zero the state of the parameters ``where`` is True (a frozen sweep variant)."""
        for value in self._arrays():
            value[np.broadcast_to(where, self.shape)] = 0.0

    def reset(self) -> None:
        """As new (a run back at epoch 0), in place: kept calls stay valid."""
        for value in self._arrays():
            value[...] = 0.0

    def _arrays(self) -> list[np.ndarray]:
        return []


class Momentum(SGD):
    folds_rate = False

    def __init__(self, shape):
        super().__init__(shape)
        self.velocity = np.zeros(shape)
        self._step = np.empty(shape)

    def update(self, params, grad, rate):
        v, step = self.velocity, self._step
        return [(np.multiply, (v, const(MOMENTUM), v)), (np.add, (v, grad, v)),
                (np.multiply, (v, rate, step)), (np.subtract, (params, step, params))]

    def _arrays(self):
        return [self.velocity]

    def state(self, run=0):
        return {"velocity": self.velocity[run].copy()}

    def load_state(self, state, run=0):
        self.velocity[run] = state["velocity"]


class Adam(SGD):
    folds_rate = False

    def __init__(self, shape):
        super().__init__(shape)
        self.m, self.v = np.zeros(shape), np.zeros(shape)
        self.t = [0] * shape[0]  # steps taken, per run
        self._tmp, self._step = np.empty(shape), np.empty(shape)
        self._per_run = (shape[0], 1) if shape[0] > 1 else ()  # 0-d for a lone run
        self._size, self._correction = None, np.empty(self._per_run)

    def update(self, params, grad, rate):
        m, v, tmp, step = self.m, self.v, self._tmp, self._step
        size_shape = np.broadcast_shapes(np.shape(rate), self._per_run)
        if self._size is None or self._size.shape != size_shape:  # kept plans share it
            self._size = np.empty(size_shape)
        return [(self._advance, (rate,)),
                (np.multiply, (m, const(BETA1), m)), (np.multiply, (grad, const(1 - BETA1), tmp)),
                (np.add, (m, tmp, m)),
                (np.multiply, (v, const(BETA2), v)), (np.multiply, (grad, grad, tmp)),
                (np.multiply, (tmp, const(1 - BETA2), tmp)), (np.add, (v, tmp, v)),
                (np.divide, (v, self._correction, tmp)), (np.sqrt, (tmp, tmp)),
                (np.add, (tmp, const(EPSILON), tmp)),
                (np.multiply, (m, self._size, step)), (np.divide, (step, tmp, step)),
                (np.subtract, (params, step, params))]

    def _advance(self, rate) -> None:
        """t ← t + 1; the step size η/(1 − β1^t) and the correction 1 − β2^t, per run
        (Python floats: cheaper than NumPy for one run, and the same for a stack)."""
        steps = self.t = [t + 1 for t in self.t]
        if not self._per_run:  # one run: Python floats, cheaper than NumPy's
            first = 1.0 - BETA1 ** steps[0]
            if np.ndim(rate):  # a rate per parameter (a sweep's block)
                np.divide(rate, first, out=self._size)
            else:
                self._size[...] = float(rate) / first
            self._correction[()] = 1.0 - BETA2 ** steps[0]
            return
        np.divide(rate, np.reshape([1.0 - BETA1**t for t in steps], self._per_run),
                  out=self._size)
        self._correction[:, 0] = [1.0 - BETA2**t for t in steps]

    def _arrays(self):
        return [self.m, self.v]

    def reset(self):
        super().reset()
        self.t = [0] * len(self.t)

    def state(self, run=0):
        return {"m": self.m[run].copy(), "v": self.v[run].copy(), "t": int(self.t[run])}

    def load_state(self, state, run=0):
        self.m[run], self.v[run] = state["m"], state["v"]
        self.t[run] = int(state["t"])


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make_optimizer(name: str, shape: tuple[int, int]):
    return OPTIMIZERS[name](shape)
