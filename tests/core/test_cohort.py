"""Runs trained as one stack end bit for bit where each would end alone."""

import numpy as np
import pytest

from core.cohort import cohort_key, train_together
from core.config import validate_config
from core.trainer import DIVERGED, Trainer


def _pair(fields_list, epochs_before=0):
    alone = [Trainer(validate_config(f)) for f in fields_list]
    stacked = [Trainer(validate_config(f)) for f in fields_list]
    for t in alone + stacked:
        t.train_epochs(epochs_before)
    return alone, stacked


def _same_bits(a: Trainer, b: Trainer) -> None:
    assert a.network.params.tobytes() == b.network.params.tobytes()
    assert a.history == b.history and a.epoch == b.epoch and a.state == b.state
    for key, value in a.optimizer.state().items():
        assert np.asarray(value).tobytes() == np.asarray(b.optimizer.state()[key]).tobytes()


@pytest.mark.parametrize(
    "shared",
    [{}, {"optimizer": "adam"}, {"optimizer": "momentum", "activation": "relu"},
     {"dataset": "three_blobs", "hidden": [8], "activation": "sigmoid"},
     {"dataset": "plane", "loss": "mae", "activation": "linear"},
     {"loss": "hinge", "dataset": "xor", "hidden": [16, 16]},
     {"n_points": 1200, "hidden": [16, 8]}],
)
def test_stacked_runs_equal_lone_runs_bit_for_bit(shared):
    per_member = [
        {"seed": 1}, {"seed": 2, "learning_rate": 0.1},
        {"seed": 3, "regularization": "l1", "reg_rate": 0.003},
        {"seed": 4, "regularization": "l2", "reg_rate": 0.01, "noise": 20},
    ]
    fields = [{**shared, **m} for m in per_member]
    alone, stacked = _pair(fields, epochs_before=2)
    assert len({cohort_key(t) for t in stacked}) == 1
    for t in alone:
        t.train_epochs(7)
    new = train_together(stacked, 7)
    assert [len(n) for n in new] == [7] * 4
    for a, b in zip(alone, stacked):
        _same_bits(a, b)


def test_measuring_a_stack_in_chunks_of_members_changes_no_bit(monkeypatch):
    monkeypatch.setattr("core.cohort.MEASURE_BYTES", 1)  # one member a chunk
    fields = [{"seed": s, "dataset": "three_blobs", "hidden": [5]} for s in (1, 2, 3)]
    alone, stacked = _pair(fields)
    for t in alone:
        t.train_epochs(3)
    train_together(stacked, 3)
    for a, b in zip(alone, stacked):
        _same_bits(a, b)


def test_a_diverging_member_stops_alone_and_the_others_go_on():
    fields = [{"seed": 1, "dataset": "plane", "activation": "relu", "learning_rate": lr}
              for lr in (0.01, 10, 0.03)]
    alone, stacked = _pair(fields)
    for t in alone:
        t.train_epochs(12)
    train_together(stacked, 12)
    assert stacked[1].state == DIVERGED and stacked[0].epoch == 12
    for a, b in zip(alone, stacked):
        _same_bits(a, b)


def test_hot_changes_between_calls_are_honoured():
    fields = [{"seed": s} for s in (5, 6, 7)]
    alone, stacked = _pair(fields)
    for group in (alone, stacked):
        cfg = group[1].config
        group[1].apply_hot(validate_config({**cfg.to_dict(), "learning_rate": 0.5}))
    for t in alone:
        t.train_epochs(3)
    train_together(stacked, 3)
    for a, b in zip(alone, stacked):
        _same_bits(a, b)


def test_a_member_mid_epoch_finishes_alone_and_all_end_as_alone():
    fields = [{"seed": s, "n_points": 200} for s in (1, 2, 3)]
    alone, stacked = _pair(fields)
    for group in (alone, stacked):
        group[0].train_batches(4)  # a sliced epoch under way
    for t in alone:
        t.train_epochs(5)
    train_together(stacked, 5)
    for a, b in zip(alone, stacked):
        _same_bits(a, b)
