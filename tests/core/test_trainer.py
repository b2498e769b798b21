"""A training run keeps DESIGN.md's promises: order, history, divergence, hot changes."""

import numpy as np
import pytest

from core.config import apply_update, validate_config
from core.regularizers import REGULARIZERS
from core.trainer import DIVERGED, READY, Trainer


def _trainer(**fields):
    return Trainer(validate_config({"seed": 11, **fields}))


def test_history_starts_at_the_initial_weights():
    trainer = _trainer()
    assert trainer.epoch == 0 and len(trainer.history) == 1
    assert trainer.history[0]["epoch"] == 0
    entries = trainer.train_epochs(3)
    assert [e["epoch"] for e in entries] == [1, 2, 3]
    assert [e["epoch"] for e in trainer.history] == [0, 1, 2, 3]


def test_default_circle_reaches_five_percent_test_error_within_300_epochs():
    trainer = _trainer()
    trainer.train_epochs(300)
    assert trainer.history[-1]["test_error"] <= 0.05
    assert trainer.history[-1]["test_loss"] < trainer.history[0]["test_loss"]


def test_same_config_and_seed_give_identical_bits():
    a, b = _trainer(optimizer="adam"), _trainer(optimizer="adam")
    a.train_epochs(20)
    b.train_epochs(20)
    assert a.network.params.tobytes() == b.network.params.tobytes()
    assert a.history == b.history
    assert a.dataset.train.tobytes() == b.dataset.train.tobytes()


def test_reset_returns_to_the_same_initial_weights():
    trainer = _trainer()
    initial = trainer.network.params.copy()
    trainer.train_epochs(5)
    assert not np.array_equal(initial, trainer.network.params)
    trainer.reset()
    assert np.array_equal(initial, trainer.network.params)
    assert trainer.epoch == 0 and len(trainer.history) == 1


def test_divergence_keeps_the_last_finite_weights_and_reset_recovers():
    trainer = _trainer(dataset="plane", activation="relu", learning_rate=10)
    trainer.train_epochs(200)
    assert trainer.state == DIVERGED
    assert np.isfinite(trainer.network.params).all()
    assert all(np.isfinite(e["train_loss"]) for e in trainer.history)
    stuck = trainer.epoch
    assert trainer.train_epochs(5) == [] and trainer.epoch == stuck
    trainer.reset()
    assert trainer.state == READY and trainer.epoch == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("learning_rate", 0.3), ("batch_size", 25), ("optimizer", "adam"),
     ("regularization", "l2"), ("reg_rate", 0.01)],
)
def test_hot_change_keeps_the_weights_and_takes_effect(field, value):
    trainer = _trainer(regularization="l1", reg_rate=0.001)
    trainer.train_epochs(3)
    new_config, restart = apply_update(trainer.config, {field: value})
    assert not restart
    before = trainer.network.params.copy()
    trainer.apply_hot(new_config)
    assert np.array_equal(before, trainer.network.params) and trainer.epoch == 3
    twin = _trainer(regularization="l1", reg_rate=0.001)
    twin.train_epochs(4)
    trainer.train_epochs(1)
    assert not np.array_equal(twin.network.params, trainer.network.params)


def test_epoch_walks_consecutive_mini_batches_in_order():
    """One epoch equals the optimizer steps on the training rows in order, batch by batch."""
    trainer = _trainer(batch_size=7, n_points=60)
    net = trainer.network
    expected = net.params.copy()
    fit = trainer.data.splits.fit  # the rows trained on, [x, 1] and labels
    x, y = trainer.data.xt[:, :fit].T, trainer.data.y[:fit]
    for start in range(0, len(y), 7):
        net.params[:] = expected
        grad = net.data_gradient(x[start : start + 7], y[start : start + 7], "cross_entropy")
        expected = expected - 0.03 * grad
    trainer.back_to_last_epoch()  # the weights the epoch began from
    trainer.train_epochs(1)
    np.testing.assert_allclose(trainer.network.params, expected, rtol=1e-12)


@pytest.mark.parametrize(
    "change",
    [{"learning_rate": 0.3}, {"regularization": "l2", "reg_rate": 0.05},
     {"regularization": "l1", "reg_rate": 0.02}, {"batch_size": 9}],
)
def test_kept_step_calls_follow_a_hot_change(change):
    """Each batch keeps its step's bound calls; after a hot change the next epoch is the
    textbook loop with the new values, from the same weights."""
    trainer = _trainer(n_points=80)
    trainer.train_epochs(2)  # the kept calls exist now
    config, restart = apply_update(trainer.config, change)
    assert not restart
    trainer.apply_hot(config)
    net, b = trainer.network, config.batch_size
    expected = net.params.copy()
    fit = trainer.data.splits.fit  # the rows trained on, [x, 1] and labels
    x, y = trainer.data.xt[:, :fit].T, trainer.data.y[:fit]
    for start in range(0, len(y), b):
        net.params[:] = expected
        grad = net.data_gradient(x[start : start + b], y[start : start + b], "cross_entropy")
        if config.reg_rate > 0:
            r_grad = REGULARIZERS[config.regularization](expected)[1]
            grad = grad + config.reg_rate * r_grad * net.weight_mask
        expected = expected - config.learning_rate * grad
    trainer.back_to_last_epoch()  # the weights the epoch began from
    trainer.train_epochs(1)
    np.testing.assert_allclose(trainer.network.params, expected, rtol=1e-12, atol=1e-15)


def test_snapshot_and_restore_continue_identically():
    trainer = _trainer(optimizer="momentum")
    trainer.train_epochs(4)
    snap = trainer.snapshot()
    trainer.train_epochs(3)
    after = trainer.network.params.copy()
    trainer.restore(snap)
    assert trainer.epoch == 4 and len(trainer.history) == 5
    trainer.train_epochs(3)
    assert np.array_equal(after, trainer.network.params)


def test_penalty_is_lambda_times_r_over_weights_only():
    trainer = _trainer(regularization="l2", reg_rate=0.5)
    weights = np.concatenate([w.ravel() for w in trainer.network.weights()])
    assert trainer.penalty() == pytest.approx(0.5 * 0.5 * np.sum(weights**2))
    assert trainer.history[0]["penalty"] == pytest.approx(trainer.penalty())


def test_regression_reports_no_error_rate():
    trainer = _trainer(dataset="plane")
    trainer.train_epochs(2)
    assert trainer.history[-1]["train_error"] is None and trainer.history[-1]["test_error"] is None


def test_every_registry_key_builds_and_trains():
    from core.activations import ACTIVATIONS
    from core.datasets import GENERATORS
    from core.losses import LOSSES
    from core.optimizers import OPTIMIZERS
    from core.regularizers import REGULARIZERS

    combos = [{"activation": a} for a in ACTIVATIONS]
    combos += [{"optimizer": o} for o in OPTIMIZERS]
    combos += [{"regularization": r, "reg_rate": 0.01} for r in REGULARIZERS]
    combos += [{"loss": name} for name in LOSSES]
    combos += [{"dataset": d} for d in GENERATORS]
    for fields in combos:
        trainer = _trainer(n_points=60, **fields)
        assert len(trainer.train_epochs(2)) == 2, fields
        assert np.isfinite(trainer.history[-1]["train_loss"]), fields


def test_custom_points_train_in_the_order_sent_after_the_seeded_shuffle():
    points = [[-3, -3, 0], [-2, -3, 0], [3, 3, 1], [2, 3, 1], [3, -3, 2], [2, -2, 2]]
    trainer = _trainer(dataset="custom", points=points, train_ratio=50)
    assert trainer.config.n_classes == 3 and trainer.network.sizes[-1] == 3
    rows = np.vstack([trainer.dataset.train, trainer.dataset.test]).tolist()
    assert sorted(map(tuple, rows)) == sorted(tuple(map(float, p)) for p in points)
    assert len(trainer.train_epochs(3)) == 3


def test_an_epoch_sliced_into_mini_batch_runs_gives_the_same_bits():
    whole, sliced = _trainer(n_points=300, batch_size=7), _trainer(n_points=300, batch_size=7)
    whole.train_epochs(3)
    entries = []
    for _ in range(16):  # 22 batches an epoch: slices of 4 cross epoch ends
        entries += sliced.train_batches(4)
    entries += sliced.train_batches(2)  # 66 in all
    assert sliced.network.params.tobytes() == whole.network.params.tobytes()
    assert sliced.history == whole.history and [e["epoch"] for e in entries] == [1, 2, 3]


def test_a_batch_size_change_mid_epoch_walks_on_from_the_same_row():
    trainer = _trainer(n_points=100, batch_size=10)
    trainer.train_batches(2)  # rows 0-19 done
    assert trainer.mid_epoch and trainer.batches_left() == 3
    trainer.apply_hot(apply_update(trainer.config, {"batch_size": 4})[0])
    assert trainer.batches_left() == 8  # rows 20-49 in batches of 4 (the last of 2)
    assert len(trainer.train_batches(8)) == 1 and not trainer.mid_epoch
    assert trainer.batches_left() == 13


def test_a_snapshot_mid_epoch_resumes_mid_epoch():
    trainer = _trainer(n_points=100)
    trainer.train_batches(3)
    snap = trainer.snapshot()
    trainer.train_epochs(2)
    after = trainer.network.params.copy()
    trainer.restore(snap)
    assert trainer.mid_epoch and trainer.epoch == 0
    trainer.train_epochs(2)
    assert np.array_equal(after, trainer.network.params)
