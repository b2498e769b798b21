"""Grid orientation, neuron lines, and the probe against finite differences."""

import numpy as np
import pytest

from core.config import validate_config
from core.grid import (
    grid_points,
    neuron_grids,
    neuron_lines,
    output_grid,
    pictures,
    to_uint8,
)
from core.losses import LOSSES
from core.network import with_bias_column
from core.probe import probe
from core.trainer import Trainer


def test_row_zero_is_the_top_and_column_zero_the_left():
    points = grid_points(4).reshape(4, 4, 2)
    assert points[0, 0, 0] == pytest.approx(-4.5) and points[0, 0, 1] == pytest.approx(4.5)
    assert points[3, 3, 0] == pytest.approx(4.5) and points[3, 3, 1] == pytest.approx(-4.5)


def test_output_grid_matches_the_network_at_each_cell():
    trainer = Trainer(validate_config({"seed": 2, "dataset": "gaussian", "hidden": [3]}))
    trainer.train_epochs(5)
    values, lo, hi = output_grid(trainer.network, ("x1", "x2"), 10)
    assert values.shape == (10, 10) and (lo, hi) == (0.0, 1.0)
    for (row, col) in [(0, 0), (0, 9), (9, 0), (4, 7)]:
        x = grid_points(10)[row * 10 + col]
        expected = probe(trainer.network, ("x1", "x2"), x)["output"][0]
        assert values[row, col] == pytest.approx(expected, abs=1e-5)


def test_gaussian_blob_at_top_right_is_class_one_on_the_grid():
    """After training, the top-right cell takes the label of the blob at (2, 2)."""
    trainer = Trainer(validate_config({"seed": 4, "dataset": "gaussian", "hidden": []}))
    trainer.train_epochs(50)
    train = trainer.dataset.train
    label_at_2_2 = train[np.argmin(np.abs(train[:, :2] - 2).sum(1)), 2]
    values, _, _ = output_grid(trainer.network, ("x1", "x2"), 12)
    top_right, bottom_left = values[2, 9], values[9, 2]
    assert (top_right > 0.5) == (label_at_2_2 == 1) and (bottom_left > 0.5) != (label_at_2_2 == 1)


def test_three_classes_give_probabilities_per_cell():
    trainer = Trainer(validate_config({"seed": 2, "dataset": "three_blobs"}))
    values, lo, hi = output_grid(trainer.network, ("x1", "x2"), 20)
    assert values.shape == (20, 20, 3)
    np.testing.assert_allclose(values.sum(axis=2), 1.0, rtol=1e-5)


def test_neuron_grids_and_lines():
    trainer = Trainer(validate_config({"seed": 2, "hidden": [3, 2]}))
    grids = neuron_grids(trainer.network, ("x1", "x2"), 8)
    assert [g.shape for g, _ in grids] == [(3, 8, 8), (2, 8, 8)]
    lines = neuron_lines(trainer.network, ("x1", "x2"))
    w = trainer.network.weights()[0]
    assert lines[1] == {"w1": w[0, 1], "w2": w[1, 1], "b": trainer.network.biases()[0][1]}
    assert neuron_lines(trainer.network, ("x1", "x2", "x1_sq")) is None


def test_uint8_encoding_spans_the_range():
    data = to_uint8(np.array([0.0, 0.5, 1.0, np.nan]), 0.0, 1.0)
    assert list(data) == [0, 128, 255, 0]


@pytest.mark.parametrize(
    "fields",
    [{}, {"dataset": "three_blobs"}, {"dataset": "plane", "activation": "sigmoid"},
     {"loss": "hinge", "activation": "relu"}, {"loss": "mse", "hidden": []}],
)
def test_probe_gradients_match_finite_differences(fields):
    config = validate_config({"seed": 9, "hidden": [3, 2], **fields})
    trainer = Trainer(config)
    trainer.train_epochs(2)
    net, point = trainer.network, [1.3, -0.7]
    label = 2 if config.n_classes == 3 else (0.4 if config.task == "regression" else 1)
    result = probe(net, config.features, point, label=label, loss=config.loss)
    analytic = np.zeros_like(net.params)  # laid out like params, to compare entry by entry
    for view, w, b in zip(net.layer_views(analytic), result["gradients"]["weights"],
                          result["gradients"]["biases"]):
        view[:-1], view[-1] = w, b
    x = with_bias_column(np.array([point]))
    def loss_at():
        y = np.array([float(label)])
        return LOSSES[config.loss].value(net.forward(x), y, net.output_kind)[0]
    assert result["loss"] == pytest.approx(loss_at())
    numeric, h = np.zeros_like(net.params), 1e-6
    for i in range(net.params.size):
        keep = net.params[i]
        net.params[i] = keep + h
        up = loss_at()
        net.params[i] = keep - h
        numeric[i] = (up - loss_at()) / (2 * h)
        net.params[i] = keep
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)
    assert len(result["layers"]) == len(config.hidden) + 1


def test_neuron_maps_match_each_neuron_at_each_cell():
    trainer = Trainer(validate_config({"seed": 5, "hidden": [3, 2], "activation": "sigmoid"}))
    trainer.train_epochs(3)
    grids = neuron_grids(trainer.network, ("x1", "x2"), 6)
    for row, col in [(0, 0), (2, 5), (5, 1)]:
        layers = probe(trainer.network, ("x1", "x2"), grid_points(6)[row * 6 + col])["layers"]
        for (maps, _), layer in zip(grids, layers):
            np.testing.assert_allclose(maps[:, row, col], layer["a"], atol=1e-5)


@pytest.mark.parametrize("dataset", ["circle", "three_blobs", "plane"])
def test_pictures_of_huge_finite_weights_are_quiet_and_in_range(dataset):
    """relu at learning rate 10 reaches weights of 1e158: still finite, so no divergence;
    the float32 pictures overflow, and must say so in bytes, not in warnings (which
    pytest turns into errors here)."""
    trainer = Trainer(validate_config({"seed": 1, "dataset": dataset, "activation": "relu",
                                       "hidden": [16] * 6}))
    trainer.network.params[:] = np.where(trainer.network.weight_mask == 1.0, 1e158, 1.0)
    labels = trainer.dataset.train[:, 2] if dataset == "plane" else None
    values, lo, hi = output_grid(trainer.network, ("x1", "x2"), 10, labels)
    assert len(to_uint8(values, lo, hi)) == values.size
    for maps, ranges in neuron_grids(trainer.network, ("x1", "x2"), 8):
        assert all(np.isfinite(r).all() for r in ranges)
        lo, hi = (np.array(r, dtype=np.float32).reshape(-1, 1, 1) for r in zip(*ranges))
        assert len(to_uint8(maps, lo, hi)) == maps.size


@pytest.mark.parametrize("fields", [{}, {"dataset": "three_blobs", "hidden": [5, 3]},
                                    {"dataset": "plane", "activation": "relu"}])
def test_one_picture_pass_gives_the_output_grid_and_the_neuron_maps(fields):
    trainer = Trainer(validate_config({"seed": 5, **fields}))
    trainer.train_epochs(20)
    net, features = trainer.network, trainer.config.features
    labels = trainer.dataset.train[:, 2] if trainer.config.task == "regression" else None
    (values, lo, hi), neurons = pictures(net, features, 20, 7, labels)
    alone, lo_alone, hi_alone = output_grid(net, features, 20, labels)
    np.testing.assert_allclose(values, alone, rtol=1e-5, atol=1e-6)
    assert (lo, hi) == pytest.approx((lo_alone, hi_alone), rel=1e-5)
    for (maps, ranges), (maps_alone, ranges_alone) in zip(neurons, neuron_grids(net, features, 7),
                                                          strict=True):
        np.testing.assert_allclose(maps, maps_alone, rtol=1e-5, atol=1e-6)
        assert np.allclose(ranges, ranges_alone, rtol=1e-5)


def test_uint8_sends_minus_infinity_to_lo_and_infinity_to_hi():
    data = to_uint8(np.array([-np.inf, np.inf, np.nan, -5.0, 5.0, 0.25]), 0.0, 1.0)
    assert list(data) == [0, 255, 0, 0, 255, 64]
