"""How a network's parameters lie in one flat buffer, and the buffers a pass needs.

Layer l maps fan_in → fan_out through a matrix of shape (fan_out, fan_in + 1): one row
per unit, whose last entry is its bias, the weight of the article's constant-1 bias
unit. Inputs and activations are kept transposed, (units + 1, n) with a last row of
ones, so z = W·[a; 1] is one product and every slice the hot loop writes is contiguous.
All layers lie one after the other in one flat buffer, so an optimizer updates every
parameter in one call. A stack of K runs has a leading axis: (K, P), (K, rows, cols).
"""

from __future__ import annotations

import numpy as np


def layer_shapes(sizes) -> list[tuple[int, int]]:
    """(fan_out, fan_in + 1) for each layer of ``sizes = [n_inputs, *hidden, n_outputs]``."""
    return [(int(fan_out), int(fan_in) + 1) for fan_in, fan_out in zip(sizes, sizes[1:])]


def flat_views(flat: np.ndarray, shapes) -> list[np.ndarray]:
    """Views of consecutive (rows, cols) blocks of ``flat``'s last axis, one per layer;
    leading axes (a stack of runs) are kept: (…, rows, cols)."""
    views, start = [], 0
    for rows, cols in shapes:
        block = flat[..., start : start + rows * cols]
        views.append(block.reshape(flat.shape[:-1] + (rows, cols)))
        start += rows * cols
    return views


def weight_mask(shapes) -> np.ndarray:
    """1 on weights, 0 on biases (a penalty never touches a bias), laid out as ``params``."""
    mask = np.ones(sum(r * c for r, c in shapes))
    for view in flat_views(mask, shapes):
        view[:, -1] = 0.0
    return mask


def with_bias_column(x: np.ndarray) -> np.ndarray:
    """[x, 1]: the inputs followed by the constant-1 bias unit, C-contiguous."""
    out = np.ones((x.shape[0], x.shape[1] + 1), dtype=x.dtype)
    out[:, :-1] = x
    return out


class Workspace:
    """Scratch buffers for a pass over n examples of layers with ``units`` (hidden…,
    output), with leading axes ``lead`` (a stack of runs): pre-activations ``z``; every
    hidden layer's activations ``a`` (units + 1, n), last row 1, as rows of one buffer
    ``acts``, and their derivatives ``der`` as rows of ``ders``, so f'(z) of all layers is
    one or two calls; and Wᵀ·δ, ``back``. The last rows of ``acts`` and ``ders``,
    ``out_t`` and ``out_der``, are the output's: a sigmoid output's t = tanh(z/2) there
    gets its 1 − t² from the same calls as tanh hidden layers (``core.engine``). Nothing
    in them lasts beyond one pass."""

    def __init__(self, lead: tuple, units: list[int], n: int, backward: bool = True):
        hidden = units[:-1]
        starts = np.cumsum([0] + [k + 1 for k in hidden]).tolist()
        self.acts = np.ones(lead + (starts[-1] + units[-1], n))
        self.a = [self.acts[..., o : o + k + 1, :] for o, k in zip(starts, hidden)]
        self.z = [np.empty(lead + (k, n)) for k in units]
        arrays = [self.acts, *self.z]
        if backward:  # a forward pass alone (a measurement) needs none of these
            self.ders = np.empty(lead + (starts[-1] + units[-1], n))
            self.der = [self.ders[..., o : o + k, :] for o, k in zip(starts, hidden)]
            self.out_t = self.acts[..., starts[-1] :, :]
            self.out_der = self.ders[..., starts[-1] :, :]
            self.back = [np.empty(lead + (k + 1, n)) for k in hidden]  # bias row unused
            arrays += [self.ders, *self.back]
        self.nbytes = sum(a.nbytes for a in arrays)


class Workspaces:
    """Workspaces by (lead, units, n, backward), kept up to ``limit`` bytes (then all are dropped:
    batch sizes and stacks change rarely)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.items: dict[tuple, Workspace] = {}

    def get(self, lead: tuple, units: list[int], n: int, backward: bool = True) -> Workspace:
        key = (lead, tuple(units), n, backward)
        ws = self.items.get(key)
        if ws is None:
            ws = Workspace(lead, units, n, backward)
            if sum(w.nbytes for w in self.items.values()) + ws.nbytes > self.limit:
                self.items.clear()
            if ws.nbytes <= self.limit:
                self.items[key] = ws
        return ws
