"""The validation split through training: measured every epoch, never trained on, and
what sweeps choose by."""

import dataclasses

import numpy as np
import pytest

from core.config import ConfigError, validate_config
from core.datasets import make_dataset
from core.features import feature_matrix
from core.layers import with_bias_column
from core.losses import LOSSES, misclassified
from core.sweep import SWEEP_VALIDATION_RATIO, SweepRun, best_index, run_sweep, sweep_base
from core.trainer import Trainer


def _trainer(**fields) -> Trainer:
    return Trainer(validate_config({"seed": 6, "n_points": 200, **fields}))


def test_without_a_split_the_validation_numbers_are_none():
    trainer = _trainer()
    trainer.train_epochs(2)
    for entry in trainer.history:
        assert entry["validation_loss"] is None and entry["validation_error"] is None
        assert entry["train_loss"] is not None


@pytest.mark.parametrize("fields", [{"validation_ratio": 20},
                                    {"validation_ratio": 50, "dataset": "plane", "loss": "mae"},
                                    {"validation_ratio": 10, "dataset": "three_blobs"}])
def test_each_epoch_measures_the_validation_rows_with_its_weights(fields):
    trainer = _trainer(**fields)
    trainer.train_epochs(3)
    data, entry = trainer.dataset, trainer.history[-1]
    assert len(data.validation) == trainer.config.n_val > 0
    for rows, name in ((data.validation, "validation"), (data.train, "train"),
                       (data.test, "test")):
        x = with_bias_column(feature_matrix(rows[:, :2], trainer.config.features))
        z = trainer.network.forward(x)
        losses = LOSSES[trainer.config.loss].value(z, rows[:, 2], trainer.kind)
        assert entry[f"{name}_loss"] == pytest.approx(losses.mean(), rel=1e-12)
        if trainer.config.task == "classification":
            assert entry[f"{name}_error"] == np.mean(misclassified(z, rows[:, 2]))
        else:
            assert entry[f"{name}_error"] is None


def test_the_validation_rows_are_never_trained_on():
    config = validate_config({"seed": 6, "n_points": 200, "validation_ratio": 30})
    data = make_dataset(config)
    flipped = dataclasses.replace(data, validation=data.validation * [1, 1, -1] + [0, 0, 1])
    a, b = Trainer(config, data), Trainer(config, flipped)
    a.train_epochs(5)
    b.train_epochs(5)
    assert a.network.params.tobytes() == b.network.params.tobytes()
    assert a.history[-1]["train_loss"] == b.history[-1]["train_loss"]
    assert a.history[-1]["validation_loss"] != b.history[-1]["validation_loss"]


def test_a_sweep_without_a_split_holds_out_twenty_percent():
    base = sweep_base({"seed": 3, "n_points": 100})
    assert base.validation_ratio == SWEEP_VALIDATION_RATIO and base.seed == 3
    assert base.n_val == 10 and base.batch_size == 10
    kept = sweep_base({"seed": 3, "validation_ratio": 35})
    assert kept.validation_ratio == 35
    chosen = sweep_base({})  # a seed chosen once, then kept for the held-out split
    assert 0 <= chosen.seed < 2**32


def test_a_sweep_refuses_a_batch_size_the_held_out_rows_leave_too_large():
    assert validate_config({"seed": 1, "n_points": 100, "batch_size": 50}).batch_size == 50
    with pytest.raises(ConfigError) as refused:
        sweep_base({"seed": 1, "n_points": 100, "batch_size": 50})
    assert refused.value.field == "batch_size" and refused.value.received == 50
    assert "1 to 40" in refused.value.message and "20 %" in refused.value.message
    tiny = sweep_base({"seed": 1, "n_points": 22})  # batch_size not given: min(10, n_fit)
    assert tiny.batch_size == tiny.n_fit == 9


def test_the_best_variant_is_the_lowest_final_validation_loss():
    configs = [validate_config({"seed": 2, "validation_ratio": 20, "hidden": [h]})
               for h in (1, 2, 6)]
    results = run_sweep(configs, 30)
    finals = [r["history"][-1]["validation_loss"] for r in results]
    assert best_index(results) == int(np.argmin(finals))
    plain = run_sweep([dataclasses.replace(c, validation_ratio=0) for c in configs[:2]], 2)
    assert best_index(plain) is None  # without validation rows, nothing is chosen


def test_a_sweeps_variants_share_their_rows():
    configs = [validate_config({"seed": 2, "validation_ratio": r}) for r in (10, 20)]
    with pytest.raises(ValueError, match="share their data"):
        SweepRun(configs)
