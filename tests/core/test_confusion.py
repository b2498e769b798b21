"""The test confusion matrix against a plain count, and a parameter set by hand."""

import numpy as np

from core.config import validate_config
from core.confusion import confusion_matrix, measured_confusion
from core.features import feature_matrix
from core.trainer import Trainer


def test_confusion_matrix_counts_each_true_and_predicted_class():
    trainer = Trainer(validate_config({"dataset": "three_blobs", "noise": 40, "seed": 3}))
    trainer.train_epochs(5)
    test = trainer.dataset.test
    counts = confusion_matrix(trainer.network, trainer.config.features, test, 3)
    x = feature_matrix(test[:, :2], trainer.config.features)
    expected = np.zeros((3, 3), dtype=int)
    for row, label in zip(x, test[:, 2], strict=True):  # one point at a time, by hand
        a = row
        for w, b in zip(trainer.network.weights()[:-1], trainer.network.biases()[:-1],
                        strict=True):
            a = np.tanh(a @ w + b)
        z = a @ trainer.network.weights()[-1] + trainer.network.biases()[-1]
        expected[int(label), int(np.argmax(z))] += 1
    assert counts == expected.tolist()
    wrong = expected.sum() - np.trace(expected)
    assert wrong / expected.sum() == trainer.history[-1]["test_error"]


def test_binary_confusion_uses_the_sign_of_the_score():
    trainer = Trainer(validate_config({"dataset": "xor", "seed": 1, "hidden": [3]}))
    counts = np.asarray(confusion_matrix(trainer.network, ("x1", "x2"), trainer.dataset.test, 2))
    assert counts.shape == (2, 2) and counts.sum() == len(trainer.dataset.test)
    assert (counts.sum() - np.trace(counts)) / counts.sum() == trainer.history[0]["test_error"]


def test_set_parameter_changes_one_value_and_measures_again():
    trainer = Trainer(validate_config({"seed": 4, "hidden": [2]}))
    trainer.train_epochs(3)
    before = [w.copy() for w in trainer.network.weights()]
    entry = trainer.set_parameter(1, 2, 0, 1.5)  # layer 1's bias (row fan_in = 2)
    assert trainer.network.biases()[1][0] == 1.5
    assert all(np.array_equal(a, b) for a, b in zip(before, trainer.network.weights(),
                                                    strict=True))
    assert entry is trainer.history[-1] and entry["epoch"] == 3 and len(trainer.history) == 4
    fresh = Trainer(trainer.config)
    fresh.network.params[:] = trainer.network.params
    fresh.history = fresh.history[:1]
    assert fresh._measure(3)["train_loss"] == entry["train_loss"]
    trainer.set_parameter(0, 0, 1, -3.0)
    assert trainer.network.weights()[0][0][1] == -3.0
    assert len(trainer.train_epochs(2)) == 2  # and training goes on from there


def test_mid_epoch_the_matrix_is_of_the_measured_weights():
    trainer = Trainer(validate_config({"dataset": "three_blobs", "noise": 40, "seed": 5,
                                       "batch_size": 5}))
    trainer.train_epochs(2)
    trainer.train_batches(7)  # an epoch under way: the live weights moved on
    assert trainer.mid_epoch
    live = trainer.network.params.copy()
    counts = np.asarray(measured_confusion(trainer))
    assert np.array_equal(trainer.network.params, live)  # left as it was
    wrong = (counts.sum() - np.trace(counts)) / counts.sum()
    assert wrong == trainer.history[-1]["test_error"]
    now = np.asarray(confusion_matrix(trainer.network, trainer.config.features,
                                      trainer.dataset.test, 3))
    assert not np.array_equal(now, counts)  # the live weights would say otherwise here
    regression = Trainer(validate_config({"dataset": "plane", "seed": 1}))
    assert measured_confusion(regression) is None
