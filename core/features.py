"""Input features computed from a point (x1, x2).

The network never sees raw (x1, x2) directly: it sees the features the
configuration names, in the canonical order of ``FEATURES`` whatever order the
user gave them, so a permalink and a saved set of weights always agree on which
input is which.
"""

from collections.abc import Callable, Iterable

import numpy as np

FeatureFn = Callable[[np.ndarray, np.ndarray], np.ndarray]

# A feature is a product of factors; a factor is an elementary function of one
# coordinate. This table is the one definition: NumPy computes the features from it
# here, and the pages compute the same values from it in the browser (GET /api/config
# serves it as ``features.factors``), so no formula is copied into JS.
ELEMENTARY: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "id": lambda v: v,
    "sin": np.sin,
}

# Canonical order: this dict's order is the order of the network's inputs.
FEATURE_FACTORS: dict[str, tuple[tuple[str, str], ...]] = {
    "x1": (("id", "x1"),),
    "x2": (("id", "x2"),),
    "x1_sq": (("id", "x1"), ("id", "x1")),
    "x2_sq": (("id", "x2"), ("id", "x2")),
    "x1x2": (("id", "x1"), ("id", "x2")),
    "sin_x1": (("sin", "x1"),),
    "sin_x2": (("sin", "x2"),),
}


def _product(factors: tuple[tuple[str, str], ...]) -> FeatureFn:
    def feature(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
        coordinates = {"x1": x1, "x2": x2}
        value = ELEMENTARY[factors[0][0]](coordinates[factors[0][1]])
        for function, coordinate in factors[1:]:
            value = value * ELEMENTARY[function](coordinates[coordinate])
        return value
    return feature


FEATURES: dict[str, FeatureFn] = {name: _product(f) for name, f in FEATURE_FACTORS.items()}

# One line per feature, for the schema and the page's labels.
FEATURE_DESCRIPTIONS: dict[str, str] = {
    "x1": "x1",
    "x2": "x2",
    "x1_sq": "x1 squared",
    "x2_sq": "x2 squared",
    "x1x2": "x1 times x2",
    "sin_x1": "sine of x1",
    "sin_x2": "sine of x2",
}


def canonical_features(names: Iterable[str]) -> tuple[str, ...]:
    """Return ``names`` in the canonical order of ``FEATURES``.

    Raises ``ValueError`` for an unknown name; duplicates collapse (the
    configuration validator refuses them before this is reached).
    """
    wanted = set(names)
    unknown = sorted(wanted - FEATURES.keys())
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown}; known: {list(FEATURES)}")
    return tuple(name for name in FEATURES if name in wanted)


def feature_matrix(xy: np.ndarray, names: Iterable[str]) -> np.ndarray:
    """Build the network's input matrix.

    Parameters
    ----------
    xy : ndarray of shape (n, 2) or (n, 3), or (2,) for a single point
        Points; only the first two columns (x1, x2) are read, so dataset rows
        ``[x1, x2, label]`` can be passed as they are.
    names : feature names, used in the order given (callers pass canonical order)

    Returns
    -------
    ndarray of shape (n, len(names)), float64
    """
    points = np.atleast_2d(np.asarray(xy, dtype=np.float64))
    x1, x2 = points[:, 0], points[:, 1]
    columns = [FEATURES[name](x1, x2) for name in names]
    if not columns:
        return np.empty((points.shape[0], 0), dtype=np.float64)
    return np.column_stack(columns).astype(np.float64, copy=False)
