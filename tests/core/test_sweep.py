"""Stacked variants follow the runs a lone Trainer gives."""

import itertools

import numpy as np
import pytest

from core.config import validate_config
from core.sweep import SweepRun, best_index, run_sweep
from core.trainer import Trainer


def _compare(configs, epochs):
    results = run_sweep(configs, epochs)
    for result, config in zip(results, configs):
        trainer = Trainer(config)
        initial = trainer.weights()
        trainer.train_epochs(epochs)
        assert result["initial"]["weights"] == initial
        ours = np.array([[e["train_loss"], e["test_loss"]] for e in result["history"]])
        theirs = np.array([[e["train_loss"], e["test_loss"]] for e in trainer.history])
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
        for a, b in zip(result["final"]["weights"], trainer.weights()):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    return results


def test_hidden_size_sweep_equals_separate_runs():
    configs = [validate_config({"seed": 5, "hidden": [h]}) for h in (1, 2, 4, 8)]
    _compare(configs, 40)


@pytest.mark.parametrize(
    "extra",
    [{"dataset": "three_blobs", "activation": "sigmoid"},
     {"dataset": "plane", "activation": "relu", "optimizer": "momentum",
      "regularization": "l2", "reg_rate": 0.1},
     {"optimizer": "adam", "regularization": "l2", "reg_rate": 0.003}],
)
def test_two_layer_sweeps_equal_separate_runs(extra):
    configs = [validate_config({"seed": 3, "hidden": [h, 3], **extra}) for h in (1, 4, 7)]
    _compare(configs, 25)


def test_learning_rate_and_lambda_variants_stack():
    configs = [validate_config({"seed": 8, "learning_rate": lr}) for lr in (0.01, 0.1, 0.3)]
    configs += [validate_config({"seed": 8, "regularization": "l2", "reg_rate": lam})
                for lam in (0.001, 0.01)]
    _compare(configs, 20)


def test_mixed_activations_train_one_by_one_and_rank_by_validation_loss():
    configs = [validate_config({"seed": 6, "activation": a, "validation_ratio": 20})
               for a in ("tanh", "linear")]
    results = _compare(configs, 60)
    losses = [r["history"][-1]["validation_loss"] for r in results]
    assert best_index(results) == int(np.argmin(losses))
    assert losses[0] < losses[1]  # circle data is not linearly separable


def test_a_diverging_variant_does_not_stop_the_others():
    configs = [validate_config({"seed": 1, "learning_rate": lr, "dataset": "plane",
                                "activation": "relu", "validation_ratio": 20})
               for lr in (0.01, 10)]
    results = run_sweep(configs, 100)
    assert results[1]["state"] == "diverged" and results[0]["state"] == "ready"
    assert len(results[0]["history"]) == 101
    assert best_index(results) == 0


@pytest.mark.parametrize("extra", [{"loss": "hinge"}, {"loss": "mae", "dataset": "three_blobs"},
                                   {"regularization": "l1", "reg_rate": 0.01,
                                    "activation": "sigmoid"}])
def test_block_stacks_of_other_losses_and_penalties_equal_separate_runs(extra):
    configs = [validate_config({"seed": 4, "hidden": [h], **extra}) for h in (1, 3, 6)]
    _compare(configs, 20)


def test_each_loss_in_its_own_group_and_lambda_variants_with_l1_and_l2():
    configs = [validate_config({"seed": 2, "loss": loss}) for loss in ("mse", "hinge")]
    configs += [validate_config({"seed": 2, "regularization": r, "reg_rate": 0.03})
                for r in ("l1", "l2", "none")]
    _compare(configs, 15)


def test_a_diverging_momentum_variant_is_frozen_and_the_others_follow_their_lone_runs():
    base = {"seed": 9, "dataset": "plane", "activation": "relu", "optimizer": "momentum"}
    configs = [validate_config({**base, "learning_rate": lr}) for lr in (0.01, 10, 0.03)]
    results = run_sweep(configs, 60)
    lone = Trainer(configs[1])
    lone.train_epochs(60)
    assert results[1]["state"] == lone.state == "diverged"
    assert len(results[1]["history"]) == len(lone.history)
    for i in (0, 2):
        trainer = Trainer(configs[i])
        trainer.train_epochs(60)
        ours = [e["test_loss"] for e in results[i]["history"]]
        np.testing.assert_allclose(ours, [e["test_loss"] for e in trainer.history], rtol=1e-9)


def test_training_in_slices_of_steps_gives_the_same_run_as_whole_epochs():
    configs = [validate_config({"seed": 12, "hidden": [h], "batch_size": 7}) for h in (2, 5)]
    configs.append(validate_config({"seed": 12, "hidden": [3], "activation": "relu",
                                    "batch_size": 7}))
    whole = run_sweep(configs, 6)
    sliced = SweepRun(configs)
    for steps in itertools.cycle((1, 5, 13, 40)):  # 36 batches an epoch, cut anywhere
        if sliced.train_steps(steps, 6) == 0:
            break
    assert sliced.epoch == 6
    for a, b in zip(whole, sliced.results()):
        assert a["history"] == b["history"] and a["final"] == b["final"]


def test_wide_variants_are_cut_into_blocks_and_still_follow_their_lone_runs():
    configs = [validate_config({"seed": 13, "hidden": [16, h]}) for h in (16, 12, 16, 8, 16)]
    run = SweepRun(configs)
    assert [indices for indices, _ in run.groups] == [[0, 1, 2, 3], [4]]
    _compare(configs, 8)
