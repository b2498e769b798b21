"""A multilayer perceptron over one flat parameter buffer.

``sizes = [n_inputs, *hidden, n_outputs]``. Layer l maps fan_in → fan_out through a
matrix view ``layers[l]`` of shape (fan_in + 1, fan_out) into the flat ``params``: its last
row is the bias, the weight of the article's constant-1 bias unit. Inputs therefore carry
a trailing column of ones, and z = [x, 1]·W is one matrix product. Keeping every
parameter in one buffer lets an optimizer update all of them in one NumPy call.

Initialisation (as TensorFlow Playground's): weights U(−0.5, 0.5), biases 0.1, drawn
from ``init_rng(seed)`` layer by layer.

At these sizes NumPy's cost is per call, not per flop, so training works on the
transposed problem: each layer is stored as (fan_out, fan_in + 1) rows and activations
as (units + 1, n) with the ones in the last *row*. Every slice the hot loop writes to is
then contiguous, every product is one ``np.dot`` into a preallocated buffer (``out=``),
and ``layers`` is simply the transposed view. One workspace per batch size.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from core.activations import ACTIVATIONS
from core.losses import LOSSES

Call = tuple[Callable, tuple]  # a NumPy call with its arguments, buffers included

# ``np.dot`` is NEP 18's Python-level dispatcher in front of the C function, which it
# keeps as ``_implementation``; bound calls use the C function: 0.45 µs a call, not 0.7.
dot = getattr(np.dot, "_implementation", np.dot)


def run(calls: list[Call]) -> None:
    for fn, args in calls:
        fn(*args)


def init_rng(seed: int) -> np.random.Generator:
    """The generator for initial weights; the data uses its own (``data_rng``)."""
    return np.random.default_rng([seed, 2])


def with_bias_column(x: np.ndarray) -> np.ndarray:
    """[x, 1]: the inputs followed by the constant-1 bias unit, C-contiguous."""
    out = np.ones((x.shape[0], x.shape[1] + 1), dtype=x.dtype)
    out[:, :-1] = x
    return out


def flat_views(flat: np.ndarray, shapes) -> list[np.ndarray]:
    """Views of consecutive (rows, cols) blocks of ``flat``'s last axis, one per layer;
    leading axes (a stack of runs) are kept: (…, rows, cols)."""
    views, start = [], 0
    for rows, cols in shapes:
        block = flat[..., start : start + rows * cols]
        views.append(block.reshape(flat.shape[:-1] + (rows, cols)))
        start += rows * cols
    return views


class Workspace:
    """Transposed buffers for n examples of layers with ``units`` (hidden…, output):
    pre-activations ``z``; every hidden layer's activations ``a`` (units + 1, n), last
    row 1, as rows of one buffer ``acts``, and their derivatives ``der`` as rows of
    ``ders``, so f'(z) of all layers is one or two calls; Wᵀ·δ ``back``; and ``dz``.
    """

    def __init__(self, units: list[int], n: int):
        hidden = units[:-1]
        starts = np.cumsum([0] + [k + 1 for k in hidden]).tolist()
        self.acts = np.ones((starts[-1], n))
        self.ders = np.empty((starts[-1], n))  # f'(z) of every hidden unit (and bias rows)
        self.a = [self.acts[o : o + k + 1] for o, k in zip(starts, hidden)]
        self.der = [self.ders[o : o + k] for o, k in zip(starts, hidden)]
        self.z = [np.empty((k, n)) for k in units]
        self.back = [np.empty((k + 1, n)) for k in hidden]  # Wᵀ·δ, bias row unused
        self.dz = np.empty((units[-1], n))  # ∂L/∂z of the output, when not fused


def backward_calls(rows: list, grad_rows: list, xt: np.ndarray, dzt: np.ndarray,
                   ws: Workspace, activation: str) -> list[Call]:
    """Back-propagation from the output's ∂L/∂z ``dzt`` (after the forward pass into
    ``ws``): each layer's gradient into ``grad_rows`` (shaped as ``rows``)."""
    calls, inputs = derivative_calls(ws, activation), [xt, *ws.a]
    for l in range(len(rows) - 1, -1, -1):
        calls.append((dot, (dzt, inputs[l].T, grad_rows[l])))
        if l == 0:
            break
        calls.append((dot, (rows[l].T, dzt, ws.back[l - 1])))
        delta = ws.back[l - 1][:-1]  # Wᵀ·δ without the bias row, times f'(z)
        calls.append((np.multiply, (delta, ws.der[l - 1], delta)))
        dzt = delta
    return calls


def derivative_calls(ws: Workspace, activation: str) -> list[Call]:
    """f'(z) of every hidden unit into ``ws.ders``, after the forward pass."""
    if not ws.a:
        return []
    if activation == "tanh":  # 1 − a², every layer at once
        return [(np.multiply, (ws.acts, ws.acts, ws.ders)),
                (np.subtract, (1.0, ws.ders, ws.ders))]
    der = ACTIVATIONS[activation].der
    return [(_derivative_into, (d, der, z, a[:-1])) for d, z, a in zip(ws.der, ws.z, ws.a)]


class Batch:
    """One mini-batch prepared for the hot loop: inputs transposed, targets as a row."""

    def __init__(self, x_aug: np.ndarray, y: np.ndarray):
        self.xt = np.ascontiguousarray(x_aug.T)
        self.y = y
        n = len(y)
        # For sigmoid + cross-entropy, ∂L/∂z = (σ(z) − y)/n = tanh(z/2)·(1/2n) + (½ − y)/n.
        self.ce_offset = ((0.5 - y) / n).reshape(1, -1)
        self.ce_scale = 0.5 / n
        self.plan = None  # (key, calls): the trainer's step for this batch, kept


class Network:
    def __init__(self, sizes, activation: str, output_kind: str, seed: int = 0):
        self.sizes = [int(s) for s in sizes]
        self.activation = ACTIVATIONS[activation]
        self.activation_name = activation
        self.output_kind = output_kind
        self.shapes = [(fan_out, fan_in + 1) for fan_in, fan_out in zip(self.sizes, self.sizes[1:])]
        self.params = np.empty(sum(r * c for r, c in self.shapes))
        self.rows = self._rows(self.params)
        self.layers = [rows.T for rows in self.rows]  # (fan_in + 1, fan_out) views
        self.weight_mask = np.ones_like(self.params)
        for view in self.layer_views(self.weight_mask):
            view[-1] = 0.0  # biases are not regularized
        self.grad = np.zeros_like(self.params)
        self._grad_rows = self._rows(self.grad)
        self._workspaces: dict[int, Workspace] = {}
        self.initialize(seed)

    def _rows(self, flat: np.ndarray) -> list[np.ndarray]:
        return flat_views(flat, self.shapes)

    def layer_views(self, flat: np.ndarray) -> list[np.ndarray]:
        """(fan_in + 1, fan_out) views of any buffer laid out like ``params``."""
        return [rows.T for rows in self._rows(flat)]

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

    def _workspace(self, n: int) -> Workspace:
        ws = self._workspaces.get(n)
        if ws is None:
            if len(self._workspaces) > 8:  # batch sizes change rarely; keep a few
                self._workspaces.clear()
            ws = self._workspaces[n] = Workspace(self.sizes[1:], n)
        return ws

    def forward(self, x_aug: np.ndarray) -> np.ndarray:
        """Raw output scores z of shape (n, n_outputs) for inputs [x, 1] of shape (n, k + 1).

        The returned array is a view of a workspace buffer: copy it to keep it.
        """
        return self.forward_t(x_aug.T).T

    def forward_t(self, xt: np.ndarray) -> np.ndarray:
        calls, zt = self.forward_calls(xt)
        run(calls)
        return zt

    def forward_calls(self, xt: np.ndarray) -> tuple[list[Call], np.ndarray]:
        """``forward_t`` as bound calls, and the buffer they leave the scores in."""
        ws = self._workspace(xt.shape[1])
        return self._forward_calls(xt, ws), ws.z[-1]

    def _forward_calls(self, xt: np.ndarray, ws: Workspace) -> list[Call]:
        calls, a = [], xt
        for l, rows in enumerate(self.rows[:-1]):
            calls.append((dot, (rows, a, ws.z[l])))
            calls += self.activation.calls(ws.z[l], ws.a[l][:-1])
            a = ws.a[l]
        calls.append((dot, (self.rows[-1], a, ws.z[-1])))
        return calls

    def data_gradient(self, x_aug: np.ndarray, y: np.ndarray, loss: str) -> np.ndarray:
        """∂(mean data loss)/∂params for one mini-batch, into ``self.grad``."""
        run(self.gradient_calls(Batch(x_aug, y), loss))
        return self.grad

    def fuses(self, loss: str) -> bool:
        """Whether ``loss`` on this output is the fused sigmoid + cross-entropy (see Batch)."""
        return loss == "cross_entropy" and self.output_kind == "sigmoid"

    def folds_rate(self, optimizer: str, loss: str) -> bool:
        """Whether a step folds the learning rate into the gradient (``gradient_calls``'
        scale) and then only subtracts: plain SGD on the fused path. Lone runs, live
        stacks and sweeps all ask here, so they fold alike."""
        return optimizer == "sgd" and self.fuses(loss)

    def gradient_calls(self, batch: Batch, loss: str, scale: float = 1.0) -> list[Call]:
        """The NumPy calls of ``data_gradient``, their buffers bound: the training hot
        path. A trainer keeps them per batch, so a step costs its calls, little else.

        On the fused path the gradient comes out times ``scale``: plain SGD folds its
        learning rate in there and then only subtracts (``Trainer``, ``core.cohort``).
        """
        ws = self._workspace(len(batch.y))
        zt = ws.z[-1]
        calls = self._forward_calls(batch.xt, ws)
        if self.fuses(loss):
            calls += [(np.multiply, (zt, 0.5, zt)),  # the common case, fused (see Batch)
                      (np.tanh, (zt, zt)),
                      (np.multiply, (zt, scale * batch.ce_scale, zt)),
                      (np.add, (zt, scale * batch.ce_offset, zt))]
            dzt = zt
        else:
            if scale != 1.0:
                raise ValueError("only the fused sigmoid + cross-entropy path takes a scale")
            dzt = ws.dz
            calls.append((_mean_loss_gradient, (LOSSES[loss], zt, batch.y, self.output_kind, dzt)))
        return calls + backward_calls(self.rows, self._grad_rows, batch.xt, dzt, ws,
                                      self.activation_name)


def _derivative_into(out, der, z, a) -> None:
    out[...] = der(z, a)


def _mean_loss_gradient(loss, zt, y, kind, out) -> None:
    """∂(mean loss)/∂z of the (m, n) scores ``zt``, into ``out`` (m, n)."""
    np.divide(loss.grad(zt.T, y, kind).T, len(y), out=out)
