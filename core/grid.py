"""What the network computes over the square [−6, 6]², as pictures.

Orientation is decided here, once: row 0 is the top (x2 = +6), column 0 the left
(x1 = −6), and cell (i, j) is evaluated at its centre
(x1, x2) = (−6 + (j + ½)·12/R, 6 − (i + ½)·12/R). The canvas code only copies bytes.

Grids are evaluated in float32: at a 100×100 grid float64 ``tanh`` costs several
times more here, and eight significant bits are all a picture keeps.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from core.activations import sigmoid
from core.features import feature_matrix
from core.network import Network
from core.outputs import softmax

EXTENT = 6.0


@lru_cache(maxsize=16)
def grid_points(resolution: int) -> np.ndarray:
    """(R·R, 2) cell centres, row-major from the top-left corner."""
    centres = -EXTENT + (np.arange(resolution) + 0.5) * (2 * EXTENT / resolution)
    x1, x2 = np.meshgrid(centres, centres[::-1])
    return np.column_stack([x1.ravel(), x2.ravel()])


@lru_cache(maxsize=32)
def _grid_inputs(resolution: int, features: tuple[str, ...]) -> np.ndarray:
    """(k, R·R) float32: one row per feature, the cells in row-major order."""
    x = feature_matrix(grid_points(resolution), features).astype(np.float32)
    return np.ascontiguousarray(x.T)


@lru_cache(maxsize=32)
def _picture_inputs(resolution: int, neuron_resolution: int,
                    features: tuple[str, ...]) -> np.ndarray:
    """The output grid's cells, then the neuron maps' cells: one pass serves both."""
    both = (_grid_inputs(resolution, features), _grid_inputs(neuron_resolution, features))
    return np.ascontiguousarray(np.concatenate(both, axis=1))


def layer_grids(network: Network, features, resolution: int) -> list[np.ndarray]:
    """One float32 pass over the R×R cells: [a_1, …, a_hidden, z_out], each (units, R·R)."""
    return _layers_at(network, _grid_inputs(resolution, tuple(features)))


def _layers_at(network: Network, inputs: np.ndarray) -> list[np.ndarray]:
    """Transposed, so each neuron's map is one contiguous row and the bias is added down
    short columns (a bias added across a narrow last axis costs several times more)."""
    outputs, a = [], inputs
    with np.errstate(all="ignore"):
        for l, rows in enumerate(network.rows):
            z = rows[:, :-1].astype(np.float32) @ a
            z += rows[:, -1:].astype(np.float32)
            if l < len(network.rows) - 1:
                z = network.activation.fn(z, out=z)
            outputs.append(z)
            a = z
    return outputs


def pictures(network: Network, features, resolution: int, neuron_resolution: int,
             labels=None) -> tuple[tuple, list]:
    """``output_grid`` and ``neuron_grids`` together, from one pass (a live frame)."""
    inputs = _picture_inputs(resolution, neuron_resolution, tuple(features))
    layers = _layers_at(network, inputs)
    cells = resolution * resolution
    output = _output_picture(network, layers[-1][:, :cells], resolution, labels)
    return output, _neuron_pictures(network, [a[:, cells:] for a in layers[:-1]],
                                    neuron_resolution)


def _output_values(network: Network, z: np.ndarray) -> np.ndarray:
    """(R·R,) for one output; (R·R, K) for several, the class index innermost."""
    kind = network.output_kind
    if kind == "sigmoid":
        return sigmoid(z[0])
    if kind == "softmax" or (kind == "raw" and z.shape[0] > 1):
        return softmax(z.T)  # multi-class hinge scores shown as their softmax, for colour only
    return z[0]


def output_range(network: Network, values: np.ndarray, labels: np.ndarray | None) -> tuple:
    """Probabilities span [0, 1]; a binary hinge score [−2, 2]; regression its own extent."""
    if network.output_kind in ("sigmoid", "softmax") or values.ndim == 2:
        return 0.0, 1.0
    if network.output_kind == "raw":
        return -2.0, 2.0
    finite = values[np.isfinite(values)]  # a diverging regression may give inf or NaN
    parts = [finite] + ([labels] if labels is not None and len(labels) else [])
    both = np.concatenate(parts) if parts else np.zeros(1)
    lo, hi = (float(both.min()), float(both.max())) if both.size else (0.0, 1.0)
    return (lo, hi) if hi > lo else (lo - 1.0, lo + 1.0)


def output_grid(network: Network, features, resolution: int, labels=None):
    """(values, lo, hi): P(class 1) (R, R); K probabilities (R, R, K); or values (R, R)."""
    z = layer_grids(network, features, resolution)[-1]
    return _output_picture(network, z, resolution, labels)


def _output_picture(network: Network, z: np.ndarray, resolution: int, labels) -> tuple:
    with np.errstate(all="ignore"):
        values = _output_values(network, z)
    lo, hi = output_range(network, values, labels)
    shape = (resolution, resolution) + ((values.shape[1],) if values.ndim == 2 else ())
    return values.reshape(shape), lo, hi


def neuron_grids(network: Network, features, resolution: int):
    """Each hidden layer's maps, (n_l, R, R) neuron by neuron, with one (lo, hi) each."""
    return _neuron_pictures(network, layer_grids(network, features, resolution)[:-1],
                            resolution)


def _neuron_pictures(network: Network, hidden: list[np.ndarray], resolution: int) -> list:
    return [(act.reshape(-1, resolution, resolution), _neuron_ranges(network, act))
            for act in hidden]


def _neuron_ranges(network: Network, act: np.ndarray) -> list[tuple[float, float]]:
    fixed = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}.get(network.activation_name)
    if fixed:
        return [fixed] * act.shape[0]
    ranges = []
    for row in act:
        finite = row[np.isfinite(row)]  # a diverging network may have inf or NaN
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if network.activation_name == "relu":
            lo = 0.0
        ranges.append((lo, hi) if hi > lo else (lo, lo + 1.0))
    return ranges


def neuron_lines(network: Network, features) -> list[dict] | None:
    """Each first-layer neuron's line w1·x1 + w2·x2 + b = 0, or None when it is a curve.

    Only when the first layer sees nothing but x1 and x2 is its boundary a straight line
    in the plane. Without a hidden layer these are the output neurons' own lines.
    """
    if not set(features) <= {"x1", "x2"}:
        return None
    first = network.layers[0]
    rows = {name: first[i] for i, name in enumerate(features)}
    zero = np.zeros(first.shape[1])
    w1, w2, b = rows.get("x1", zero), rows.get("x2", zero), first[-1]
    return [{"w1": float(a), "w2": float(c), "b": float(d)} for a, c, d in zip(w1, w2, b)]


def neuron_bytes(layers: list) -> bytes:
    """``neuron_grids``' maps as bytes, layer then neuron order, each map on its own
    (lo, hi): all of them scaled in one call."""
    maps = np.concatenate([grid for grid, _ in layers])
    ranges = [r for _, layer_ranges in layers for r in layer_ranges]
    bounds = np.array(ranges, dtype=np.float32)[:, :, None, None]  # (neurons, 2, 1, 1)
    return to_uint8(maps, bounds[:, 0], bounds[:, 1])


def to_uint8(values: np.ndarray, lo, hi) -> bytes:
    """Bytes b with value ≈ lo + b/255·(hi − lo); NaN and −inf cells become lo, +inf hi.

    ``lo``/``hi`` may be arrays that broadcast against ``values`` (one range per map).
    Huge but finite weights can fill a float32 grid with inf and NaN; they are mapped
    here, quietly, as the protocol says: ``fmax``/``fmin`` clip and drop NaN at once.
    """
    with np.errstate(all="ignore"):
        scaled = np.subtract(values, lo, dtype=np.float32)
        scaled *= 255.0 / (np.float32(hi) - lo)
        np.fmax(scaled, 0.0, out=scaled)
        np.fmin(scaled, 255.0, out=scaled)
    return np.rint(scaled, out=scaled).astype(np.uint8).tobytes()
