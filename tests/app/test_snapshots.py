"""A run packed for another worker comes back where it was, inside an epoch too."""

import json

import numpy as np
import pytest

from app.live.snapshots import pack_run, unpack_run
from core.config import validate_config
from core.trainer import Trainer


@pytest.mark.parametrize("fields", [{"optimizer": "adam"}, {"batch_size": 3},
                                    {"dataset": "plane", "validation_ratio": 25}])
def test_a_run_packed_mid_epoch_trains_on_identically(fields):
    original = Trainer(validate_config({"seed": 8, "n_points": 300, **fields}))
    original.train_epochs(1)
    original.train_batches(3)
    restored, initial = unpack_run(json.loads(json.dumps(pack_run(original))))
    assert restored.mid_epoch and restored.epoch == 1 and initial.epoch == 0
    original.train_epochs(2)
    restored.train_epochs(2)
    assert original.network.params.tobytes() == restored.network.params.tobytes()
    assert original.history == restored.history
    for key, value in original.optimizer.state().items():
        assert np.asarray(value).tobytes() == np.asarray(restored.optimizer.state()[key]).tobytes()
