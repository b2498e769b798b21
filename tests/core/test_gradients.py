"""Central finite differences against the analytic gradients of the objective.

Every loss × output kind × hidden activation × regularizer: the gradient the training
step uses (``Network.data_gradient`` plus λ·∂R/∂w) must match (f(p+h) − f(p−h)) / 2h.
"""

import numpy as np
import pytest

from core.activations import ACTIVATIONS
from core.losses import LOSSES
from core.network import Network, with_bias_column
from core.regularizers import REGULARIZERS

# (loss, output kind, number of outputs): every pairing the configuration allows
OUTPUTS = [
    ("cross_entropy", "sigmoid", 1),
    ("cross_entropy", "softmax", 3),
    ("mse", "sigmoid", 1),
    ("mse", "softmax", 3),
    ("mse", "linear", 1),
    ("mae", "sigmoid", 1),
    ("mae", "softmax", 3),
    ("mae", "linear", 1),
    ("hinge", "raw", 1),
    ("hinge", "raw", 3),
]
LAMBDA = 0.3


def _problem(kind, m, activation, seed=7):
    rng = np.random.default_rng(seed)
    net = Network([3, 4, 3, m], activation, kind, seed=seed)
    net.params[:] = rng.normal(0.0, 0.8, net.params.size)  # off the initial symmetry
    x = with_bias_column(rng.uniform(-2, 2, (6, 3)))
    if kind == "linear":
        y = rng.normal(size=6)
    else:
        y = rng.integers(0, max(m, 2), 6).astype(float)
    return net, x, y


def _objective(net, x, y, loss, regularizer):
    z = net.forward(x)
    weights = net.params[net.weight_mask == 1.0]
    return LOSSES[loss].value(z, y, net.output_kind).mean() + LAMBDA * REGULARIZERS[
        regularizer
    ](weights)[0]


def _numeric_gradient(net, x, y, loss, regularizer, h=1e-6):
    grad = np.zeros_like(net.params)
    for i in range(net.params.size):
        keep = net.params[i]
        net.params[i] = keep + h
        up = _objective(net, x, y, loss, regularizer)
        net.params[i] = keep - h
        down = _objective(net, x, y, loss, regularizer)
        net.params[i] = keep
        grad[i] = (up - down) / (2 * h)
    return grad


@pytest.mark.parametrize("regularizer", sorted(REGULARIZERS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize(("loss", "kind", "m"), OUTPUTS)
def test_gradient_matches_finite_differences(loss, kind, m, activation, regularizer):
    net, x, y = _problem(kind, m, activation)
    analytic = net.data_gradient(x, y, loss).copy()
    analytic += LAMBDA * REGULARIZERS[regularizer](net.params)[1] * net.weight_mask
    numeric = _numeric_gradient(net, x, y, loss, regularizer)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_biases_are_never_regularized():
    net = Network([2, 3, 1], "tanh", "sigmoid", seed=1)
    for layer_mask in net.layer_views(net.weight_mask):
        assert np.all(layer_mask[-1] == 0.0) and np.all(layer_mask[:-1] == 1.0)
