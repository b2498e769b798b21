"""A run's snapshot carries everything to resume it bit for bit, through JSON too."""

import json

import numpy as np
import pytest

from core.config import validate_config
from core.snapshot import Snapshot
from core.trainer import DIVERGED, Trainer


def _same_run(a: Trainer, b: Trainer) -> None:
    assert (a.epoch, a.state, a.mid_epoch) == (b.epoch, b.state, b.mid_epoch)
    assert a.network.params.tobytes() == b.network.params.tobytes()
    assert a.history == b.history
    for key, value in a.optimizer.state().items():
        assert np.asarray(value).tobytes() == np.asarray(b.optimizer.state()[key]).tobytes()


def _through_json(snap: Snapshot) -> Snapshot:
    return Snapshot.from_dict(json.loads(json.dumps(snap.to_dict())))


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("batches", [0, 3])
def test_a_snapshot_through_json_resumes_identically(optimizer, batches):
    fields = {"seed": 4, "n_points": 200, "optimizer": optimizer, "validation_ratio": 10,
              "regularization": "l2", "reg_rate": 0.01}
    original = Trainer(validate_config(fields))
    original.train_epochs(2)
    original.train_batches(batches)  # 3: inside the third epoch
    copy = Trainer(validate_config(fields))
    copy.history = list(original.history)
    copy.restore(_through_json(original.snapshot()))
    _same_run(original, copy)
    original.train_epochs(2)
    copy.train_epochs(2)
    _same_run(original, copy)


def test_a_mid_epoch_snapshot_keeps_the_epoch_a_divergence_goes_back_to():
    fields = {"seed": 1, "dataset": "plane", "activation": "relu", "learning_rate": 10,
              "n_points": 400, "batch_size": 5}
    original = Trainer(validate_config(fields))
    original.train_epochs(2)
    original.train_batches(3)  # inside the third epoch, the one that diverges
    copy = Trainer(validate_config(fields))
    copy.history = list(original.history)
    copy.restore(_through_json(original.snapshot()))
    for run in (original, copy):
        run.train_epochs(50)
    assert original.state == DIVERGED and original.epoch == 2
    _same_run(original, copy)  # both back at the weights of epoch 2, not of the snapshot


def test_an_unknown_format_is_refused():
    packed = Trainer(validate_config({"seed": 1})).snapshot().to_dict()
    with pytest.raises(ValueError, match="format"):
        Snapshot.from_dict({**packed, "format": 99})
