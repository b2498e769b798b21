"""Input features: the registry, canonical order and the matrix."""

import math

import numpy as np
import pytest

from core.config import config_schema
from core.features import FEATURES, canonical_features, feature_matrix

CANONICAL = ("x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2")


def test_registry_is_in_canonical_order():
    assert tuple(FEATURES) == CANONICAL


def test_canonical_features_reorders_whatever_order_given():
    assert canonical_features(["sin_x2", "x1", "x1x2"]) == ("x1", "x1x2", "sin_x2")
    assert canonical_features(reversed(CANONICAL)) == CANONICAL


def test_canonical_features_refuses_unknown_names():
    with pytest.raises(ValueError, match="x3"):
        canonical_features(["x1", "x3"])


def test_every_feature_has_its_formula():
    xy = np.array([[0.5, -2.0], [-3.0, 4.0], [6.0, -6.0]])
    x1, x2 = xy[:, 0], xy[:, 1]
    expected = np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)])
    matrix = feature_matrix(xy, CANONICAL)
    assert matrix.dtype == np.float64 and matrix.shape == (3, 7)
    np.testing.assert_array_equal(matrix, expected)


def test_matrix_follows_the_order_given_and_reads_dataset_rows():
    rows = np.array([[1.0, 2.0, 1.0], [3.0, -1.0, 0.0]])
    np.testing.assert_array_equal(feature_matrix(rows, ["x2_sq", "x1"]), [[4.0, 1.0], [1.0, 3.0]])


def test_single_point_gives_one_row():
    assert feature_matrix(np.array([1.0, 2.0]), ["x1x2"]).tolist() == [[2.0]]


def test_integer_input_becomes_float64():
    assert feature_matrix(np.array([[1, 2]]), ["x1"]).dtype == np.float64


def test_the_factor_table_the_pages_read_gives_the_same_features():
    """GET /api/config serves each feature as its factors (the browser computes features
    from them): read as plain data, they give feature_matrix's values."""
    factors = config_schema()["features"]["factors"]
    assert list(factors) == list(CANONICAL)
    elementary = {"id": lambda v: v, "sin": math.sin}
    rows = np.array([[0.5, -2.0], [-3.0, 4.0], [6.0, -6.0], [1e-3, 5.5]])
    for (x1, x2), matrix_row in zip(rows, feature_matrix(rows, CANONICAL), strict=True):
        point = {"x1": x1, "x2": x2}
        values = [math.prod(elementary[fn](point[c]) for fn, c in factors[name])
                  for name in CANONICAL]
        np.testing.assert_allclose(values, matrix_row, rtol=1e-15, atol=0)  # libm vs NumPy sin
