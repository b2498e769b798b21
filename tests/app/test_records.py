"""A session's run in the store: written in parts, rebuilt bit for bit, bounded in size."""

from __future__ import annotations

import random
import struct

import numpy as np
import pytest

from app.live.chunks import CHUNK, pack_chunk, pack_history, unpack_chunk, unpack_history
from app.live.records import NOTHING, capture, rebuild
from app.live.run import LiveRun, RunState
from app.live.store.base import Stored
from app.settings import Settings
from core.config import validate_config
from core.history import ENTRY_KEYS


def bits(history: list[dict]) -> list:
    """Every number of a history as its 8 bytes (None as None): equal means bit for bit."""
    return [[None if e[k] is None else struct.pack("<d", e[k]) for k in ENTRY_KEYS]
            for e in history]


def live_run(epochs: int = 7, **fields) -> LiveRun:
    run = LiveRun(max_epochs=30_000)
    run.start(validate_config({"seed": 5, **fields}), RunState.PAUSED)
    run.snapshots.add(run.trainer)  # epoch 0, as the first frame keeps it
    run.trainer.train_epochs(epochs)
    return run


class Parts:
    """A record as a store keeps it: meta and parts, partial writes applied in place."""

    def __init__(self):
        self.meta, self.parts = b"", []

    def write(self, run: LiveRun, written=NOTHING, **kw):
        checkpoint = capture("T" * 22, run, written, owner="w", attached=False,
                             exact=kw.get("exact", True))
        put = checkpoint.encode()
        self.meta = put.meta
        self.parts = self.parts[:put.first_part] + put.parts
        return checkpoint, put

    def stored(self) -> Stored:
        return Stored("session", "T" * 22, "w", False, 1.5e9, self.meta, list(self.parts))


def same_run(a, b) -> None:
    assert a.epoch == b.epoch and a.state == b.state and a.config == b.config
    assert a.network.params.tobytes() == b.network.params.tobytes()
    assert bits(a.history) == bits(b.history)
    for key, value in a.optimizer.state().items():
        assert np.asarray(value).tobytes() == np.asarray(b.optimizer.state()[key]).tobytes()


CASES = [
    {"optimizer": "adam", "hidden": [3, 2]},
    {"optimizer": "momentum", "regularization": "l2", "reg_rate": 0.01},
    {"dataset": "multi_gaussian", "loss": "mae", "hidden": []},        # errors are None
    {"dataset": "three_blobs", "activation": "relu", "batch_size": 3},
    {"dataset": "circle", "validation_ratio": 20},
    {"dataset": "custom", "points": [[1, 1, 1], [-1, -1, 0], [2, -3, 1], [-4, 5, 0]]},
]
IDS = ["adam", "momentum-l2", "regression", "three-classes", "validation", "custom"]


@pytest.mark.parametrize("fields", CASES, ids=IDS)
def test_a_run_comes_back_bit_for_bit_and_trains_on_identically(fields):
    run = live_run(**fields)
    record = Parts()
    record.write(run)
    back = rebuild(record.stored())
    same_run(run.trainer, back.trainer)
    assert (back.generation, back.speed, back.state, back.exact) == \
        (run.generation, run.speed, RunState.PAUSED, True)
    assert back.initial.epoch == 0
    run.trainer.train_epochs(5)
    back.trainer.train_epochs(5)
    same_run(run.trainer, back.trainer)


@pytest.mark.parametrize("fields", [{"optimizer": "adam"}, {"batch_size": 3},
                                    {"dataset": "plane", "validation_ratio": 25}])
def test_a_run_saved_mid_epoch_trains_on_identically(fields):
    run = live_run(1, n_points=300, **fields)
    run.trainer.train_batches(3)
    record = Parts()
    record.write(run)
    back = rebuild(record.stored()).trainer
    assert back.mid_epoch and back.epoch == 1
    run.trainer.train_epochs(2)
    back.train_epochs(2)
    same_run(run.trainer, back)


def test_a_checkpoint_rewrites_only_the_growing_chunk():
    run = live_run(2 * CHUNK + 10)
    record = Parts()
    first, put = record.write(run)
    assert put.first_part == 0 and len(put.parts) == 1 + 3  # the config, three chunks
    run.trainer.train_epochs(30)
    second, put = record.write(run, first.written)
    assert put.first_part == 3 and len(put.parts) == 1     # the chunk still growing
    same_run(run.trainer, rebuild(record.stored()).trainer)
    run.trainer.train_epochs(CHUNK)                          # into a new chunk
    third, put = record.write(run, second.written)
    assert put.first_part == 3 and len(put.parts) == 2
    same_run(run.trainer, rebuild(record.stored()).trainer)


def test_edits_and_restarts_write_what_changed():
    run = live_run(CHUNK + 3)
    record = Parts()
    first, _ = record.write(run)
    run.trainer.set_parameter(0, 0, 0, 2.5)     # the newest entry is measured again
    second, put = record.write(run, first.written)
    assert put.first_part == 2 and rebuild(record.stored()).trainer.history[-1] == \
        run.trainer.history[-1]
    run.apply_hot(validate_config({**run.trainer.config.to_dict(), "learning_rate": 0.1}))
    third, put = record.write(run, second.written)
    assert put.first_part == 0                  # the config changed: written again
    assert rebuild(record.stored()).trainer.config.learning_rate == 0.1
    run.rewind(0)                               # a new generation, a shorter history
    _, put = record.write(run, third.written)
    assert put.first_part == 0
    back = rebuild(record.stored())
    assert back.generation == run.generation and len(back.trainer.history) == 1
    same_run(run.trainer, back.trainer)


def test_a_chunk_keeps_every_number_and_leaves_out_empty_columns():
    rng = random.Random(3)
    entries = [{"epoch": 40 + i, "train_loss": rng.random(), "test_loss": rng.random() * 1e-300,
                "train_error": None, "test_error": None, "validation_loss": None,
                "validation_error": None, "penalty": 0.0} for i in range(CHUNK)]
    data = pack_chunk(entries, 40)
    assert bits(unpack_chunk(data, 40)) == bits(entries)
    assert len(data) < CHUNK * 3 * 8  # three columns at most, the others left out
    with pytest.raises(ValueError):
        pack_chunk(entries, 41)       # a chunk holds consecutive epochs from its first


def test_a_run_at_the_epoch_limit_stays_under_the_per_run_bound():
    """The worst case: 30,000 epochs of every column, numbers without any pattern."""
    rng = random.Random(7)
    history = [{"epoch": i, **{k: rng.random() for k in ENTRY_KEYS[1:]}}
               for i in range(Settings().max_epochs + 1)]
    chunks = pack_history(history)
    assert bits(unpack_history(chunks)) == bits(history)
    size = sum(map(len, chunks))
    assert size < Settings().store_run_mb * 2**20 / 2  # room left for the weights
