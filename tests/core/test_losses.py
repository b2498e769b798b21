"""Worked examples from the lessons, and the 0-1 loss as a metric."""

import math

import numpy as np
import pytest

from core.losses import LOSSES, error_rate, loss_and_grad, softmax
from core.regularizers import REGULARIZERS


def test_softmax_cross_entropy_worked_example():
    # cat, dog, sheep scores for a picture of a cat
    logits = np.array([[3.2, 5.1, -1.7]])
    exps = [math.exp(v) for v in (3.2, 5.1, -1.7)]
    probabilities = [e / sum(exps) for e in exps]
    np.testing.assert_allclose(softmax(logits)[0], probabilities)
    value, grad = loss_and_grad("cross_entropy", "softmax", logits, np.array([0.0]))
    assert value == pytest.approx(-math.log(probabilities[0]))
    assert value == pytest.approx(2.0404, abs=1e-4)
    np.testing.assert_allclose(grad[0], np.array(probabilities) - [1, 0, 0])


def test_binary_cross_entropy_is_stable_for_huge_scores():
    z = np.array([[800.0], [-800.0]])
    values = LOSSES["cross_entropy"].value(z, np.array([0.0, 1.0]), "sigmoid")
    np.testing.assert_allclose(values, [800.0, 800.0])


def test_article_regularization_example():
    x = np.array([1.0, 1.0, 1.0, 1.0])
    w1 = np.array([1.0, 0.0, 0.0, 0.0])
    w2 = np.array([0.25, 0.25, 0.25, 0.25])
    assert x @ w1 == x @ w2 == 1.0
    assert REGULARIZERS["l1"](w1)[0] == 1.0 and REGULARIZERS["l1"](w2)[0] == 1.0
    assert REGULARIZERS["l2"](w1)[0] == 0.5 and REGULARIZERS["l2"](w2)[0] == 0.125


def test_hinge_multiclass_by_hand():
    z = np.array([[1.0, 2.5, 0.0]])  # true class 0: margins 2.5 and 0.0
    value = LOSSES["hinge"].value(z, np.array([0.0]), "raw")[0]
    assert value == pytest.approx(max(0, 2.5 - 1 + 1) + max(0, 0 - 1 + 1))


def test_error_rate_counts_wrong_predictions():
    z = np.array([[2.0], [-1.0], [0.5], [-3.0]])
    assert error_rate(z, np.array([1.0, 1.0, 1.0, 0.0])) == 0.25
    z3 = np.array([[0.1, 0.9, 0.0], [2.0, 0.0, 0.0]])
    assert error_rate(z3, np.array([1.0, 2.0])) == 0.5
