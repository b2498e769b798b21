"""The generators and the split: shapes, labels, range, balance, determinism."""

import numpy as np
import pytest

from core.config import validate_config
from core.datasets import GENERATORS, data_rng, make_dataset

CLASSIFICATION = {"circle": 2, "xor": 2, "gaussian": 2, "spiral": 2, "three_blobs": 3}
REGRESSION = ("plane", "multi_gaussian")


def dataset_for(**fields):
    return make_dataset(validate_config({"seed": 11, **fields}))


def everything(data):
    return np.vstack([data.train, data.test])


def test_every_generator_is_a_dataset_choice():
    assert set(GENERATORS) == set(CLASSIFICATION) | set(REGRESSION)


@pytest.mark.parametrize("name", list(GENERATORS))
@pytest.mark.parametrize("noise", [0, 25, 50])
@pytest.mark.parametrize("n_points", [10, 301, 2000])
def test_shape_range_and_split(name, noise, n_points):
    data = dataset_for(dataset=name, noise=noise, n_points=n_points, train_ratio=30)
    n_train = int(np.floor(n_points * 0.3 + 0.5))
    assert data.train.shape == (n_train, 3) and data.test.shape == (n_points - n_train, 3)
    assert data.train.dtype == np.float64 and data.test.dtype == np.float64
    rows = everything(data)
    assert np.isfinite(rows).all()
    assert np.abs(rows[:, :2]).max() <= 6.0


@pytest.mark.parametrize(("name", "k"), list(CLASSIFICATION.items()))
@pytest.mark.parametrize("n_points", [10, 11, 500, 1999])
def test_labels_and_balance_without_noise(name, k, n_points):
    data = dataset_for(dataset=name, n_points=n_points)
    assert (data.n_classes, data.task) == (k, "classification")
    labels, counts = np.unique(everything(data)[:, 2], return_counts=True)
    assert labels.tolist() == list(range(k))
    assert counts.sum() == n_points and counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", ["gaussian", "spiral", "three_blobs"])
def test_balance_holds_with_noise_where_noise_moves_points(name):
    counts = np.unique(everything(dataset_for(dataset=name, noise=50, n_points=600))[:, 2],
                       return_counts=True)[1]
    assert counts.max() == counts.min()


@pytest.mark.parametrize("name", ["circle", "xor"])
def test_labels_stay_binary_with_noise(name):
    labels = np.unique(everything(dataset_for(dataset=name, noise=50))[:, 2])
    assert set(labels.tolist()) <= {0.0, 1.0}


@pytest.mark.parametrize("name", REGRESSION)
def test_regression_labels_are_values(name):
    data = dataset_for(dataset=name, n_points=1000)
    assert (data.task, data.n_classes) == ("regression", 1)
    values = everything(data)[:, 2]
    assert len(np.unique(values)) > 100 and np.abs(values).max() <= 1.25


def test_circle_and_xor_labels_follow_the_geometry_without_noise():
    circle = everything(dataset_for(dataset="circle"))
    radius = np.hypot(circle[:, 0], circle[:, 1])
    assert (radius[circle[:, 2] == 1] < 2.5).all() and (radius[circle[:, 2] == 0] >= 3.5).all()
    xor = everything(dataset_for(dataset="xor"))
    assert np.array_equal(xor[:, 0] * xor[:, 1] >= 0, xor[:, 2] == 1)
    assert np.abs(xor[:, :2]).min() >= 0.3


def test_plane_value_is_the_scaled_sum_without_noise():
    rows = everything(dataset_for(dataset="plane"))
    np.testing.assert_allclose(rows[:, 2], (rows[:, 0] + rows[:, 1]) / 10, rtol=0, atol=1e-15)


def test_blobs_sit_at_their_centres():
    rows = everything(dataset_for(dataset="three_blobs", n_points=1500))
    means = [rows[rows[:, 2] == k, :2].mean(axis=0) for k in range(3)]
    expected = [(0, 3), (-3 * np.sqrt(3) / 2, -1.5), (3 * np.sqrt(3) / 2, -1.5)]
    np.testing.assert_allclose(means, expected, atol=0.15)
    gauss = everything(dataset_for(dataset="gaussian", n_points=1500))
    np.testing.assert_allclose(gauss[gauss[:, 2] == 1, :2].mean(axis=0), (2, 2), atol=0.15)


def test_noise_widens_the_blobs():
    def spread(noise):
        rows = everything(dataset_for(dataset="gaussian", noise=noise, n_points=1000))
        return rows[rows[:, 2] == 1, :2].std()
    assert spread(50) > 2 * spread(0)


@pytest.mark.parametrize("name", [*GENERATORS, "custom"])
def test_same_config_and_seed_give_identical_arrays(name):
    fields = {"dataset": name, "noise": 20}
    if name == "custom":
        fields = {"dataset": "custom", "points": [[i / 10, -i / 10, i % 2] for i in range(30)]}
    first, second = dataset_for(**fields), dataset_for(**fields)
    assert first.train.tobytes() == second.train.tobytes()
    assert first.test.tobytes() == second.test.tobytes()


@pytest.mark.parametrize("name", list(GENERATORS))
def test_different_seeds_differ(name):
    assert not np.array_equal(dataset_for(dataset=name, seed=1).train,
                              dataset_for(dataset=name, seed=2).train)


@pytest.mark.parametrize("name", list(GENERATORS))
def test_noise_changes_the_data(name):
    assert not np.array_equal(everything(dataset_for(dataset=name, noise=0)),
                              everything(dataset_for(dataset=name, noise=30)))


def test_data_ignores_the_network_fields():
    base = dataset_for(dataset="spiral")
    other = dataset_for(dataset="spiral", hidden=[8, 8, 8], activation="relu", loss="mse",
                        learning_rate=1, batch_size=1, optimizer="adam", features=["x1x2"])
    assert np.array_equal(base.train, other.train) and np.array_equal(base.test, other.test)


def test_train_ratio_only_moves_the_split_point():
    small, large = dataset_for(train_ratio=20), dataset_for(train_ratio=80)
    np.testing.assert_array_equal(everything(small), everything(large))
    assert len(small.train) == 100 and len(large.train) == 400


def test_split_is_shuffled_across_classes():
    data = dataset_for(dataset="circle", n_points=200)
    assert set(np.unique(data.train[:, 2])) == {0.0, 1.0}
    assert set(np.unique(data.test[:, 2])) == {0.0, 1.0}


def test_custom_points_are_kept_shuffled_and_split():
    points = [[i / 100, -i / 100, (i % 3 == 0) * 2] for i in range(50)]
    data = dataset_for(dataset="custom", points=points, train_ratio=60, noise=40)
    assert (len(data.train), len(data.test), data.n_classes) == (30, 20, 3)
    rows = everything(data)
    assert sorted(map(tuple, rows.tolist())) == sorted(tuple(map(float, p)) for p in points)
    assert rows[:, 0].tolist() != [p[0] for p in points]


def test_data_rng_is_the_seed_one_stream():
    assert data_rng(5).random() == np.random.default_rng([5, 1]).random()
    assert data_rng(5).random() != data_rng(6).random()


def test_generators_take_the_rng_they_are_given():
    first = GENERATORS["xor"](20, 0.1, np.random.default_rng(3))
    again = GENERATORS["xor"](20, 0.1, np.random.default_rng(3))
    assert first.shape == (20, 3) and np.array_equal(first, again)


def test_validation_rows_are_the_last_training_rows():
    plain, held = dataset_for(dataset="xor"), dataset_for(dataset="xor", validation_ratio=20)
    assert held.validation.shape == (50, 3) and len(held.train) == 200
    np.testing.assert_array_equal(np.vstack([held.train, held.validation]), plain.train)
    np.testing.assert_array_equal(held.test, plain.test)
    assert plain.validation.shape == (0, 3)
