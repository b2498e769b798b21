"""Every fast path against the plain reference (core/reference.py), and the reference
against finite differences.

The fast paths are a lone run (``Trainer``), a live stack (``core.cohort``) and a sweep's
block (``core.sweep``). Each is run for every loss on every output kind it can train ×
every activation × every optimizer, its runs covering every regularizer, at batch sizes
on both sides of each size threshold of the fast code: tanh goes through exp from
``TANH_BY_EXP_FROM`` elements per matrix, so for each layer width u (hidden 5 and 3, the
single output row of a sigmoid's delta) the batch sizes ⌈T/u⌉ − 1 and ⌈T/u⌉, and the
measurement over 40 rows (below) and 400 (above). Weights and histories must agree to
1e-12 (relative, or absolute below 1).
"""

import functools
import math

import numpy as np
import pytest

from core import reference
from core.activations import ACTIVATIONS, TANH_BY_EXP_FROM
from core.cohort import cohort_key, train_together
from core.config import validate_config
from core.datasets import make_dataset
from core.features import feature_matrix
from core.optimizers import OPTIMIZERS
from core.regularizers import REGULARIZERS
from core.sweep import SweepRun
from core.trainer import Trainer

PAIRS = [  # (dataset, loss): every loss on every output kind it trains
    ("circle", "cross_entropy"), ("three_blobs", "cross_entropy"),  # sigmoid, softmax
    ("circle", "mse"), ("three_blobs", "mse"), ("plane", "mse"),  # sigmoid, softmax, linear
    ("circle", "mae"), ("three_blobs", "mae"), ("plane", "mae"),
    ("circle", "hinge"), ("three_blobs", "hinge"),  # raw scores, 1 and 3 outputs
]
HIDDEN = [5, 3]
SMALL = {"n_points": 40, "train_ratio": 90}  # 36 rows trained on, 40 measured
LARGE = {"n_points": 400, "train_ratio": 90, "validation_ratio": 20}  # 288 trained on
EPOCHS = {40: 2, 400: 1}  # a second epoch starts from the first's state; once is enough
BATCHES = [(SMALL, 1), (SMALL, 10)] + [
    (LARGE, b) for u in (*HIDDEN, 1)
    for b in (math.ceil(TANH_BY_EXP_FROM / u) - 1, math.ceil(TANH_BY_EXP_FROM / u))]
# three runs, one per regularizer (a stack mixes them, so does a sweep's block)
RUNS = [{"seed": 1, "learning_rate": 0.01},
        {"seed": 2, "learning_rate": 0.02, "regularization": "l1", "reg_rate": 0.003},
        {"seed": 3, "learning_rate": 0.005, "regularization": "l2", "reg_rate": 0.03}]
# Where a gradient is within a few ε = 1e-8 of 0 (a cancelling sum, a ReLU barely alive),
# Adam's step η·g/(|g| + ε) turns the gradient's rounding (≈ 1e-18, which depends on the
# order of a sum) into up to η/ε times as much: 2e-12 a step at η = 0.02. Adam runs
# here take a tenth of each rate, so that agreement to 1e-12 says something.
ADAM_RATE = 0.1
COMBOS = [(d, loss, a, o) for d, loss in PAIRS for a in ACTIVATIONS for o in OPTIMIZERS]


def _config(dataset, loss, activation, optimizer, data, batch, **fields):
    if optimizer == "adam":
        fields["learning_rate"] *= ADAM_RATE
    return validate_config({"dataset": dataset, "loss": loss, "activation": activation,
                            "optimizer": optimizer, "hidden": HIDDEN, "batch_size": batch,
                            **data, **fields})


@functools.cache
def _reference(config):
    return reference.train(config, EPOCHS[config.n_points])


def _dataset(config):
    return _data(config.dataset, config.n_points, config.train_ratio, config.validation_ratio,
                 config.seed)


@functools.lru_cache(maxsize=64)
def _data(dataset, n_points, train_ratio, validation_ratio, seed):
    return make_dataset(validate_config({"dataset": dataset, "n_points": n_points, "seed": seed,
                                         "train_ratio": train_ratio,
                                         "validation_ratio": validation_ratio}))


def _close(ours, theirs, what):
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    scale = np.maximum(1.0, np.abs(theirs))
    assert np.all(np.abs(ours - theirs) <= 1e-12 * scale), what


def _same_as_reference(trainer: Trainer, what: str) -> None:
    expected = _reference(trainer.config)
    assert trainer.state == expected.state, what
    assert len(trainer.history) == len(expected.history), what
    for ours, theirs in zip(trainer.history, expected.history):
        for key, value in theirs.items():
            if value is None:
                assert ours[key] is None, (what, key)
            else:
                _close(ours[key], value, (what, key))
    for ours, theirs in zip(trainer.network.weights() + trainer.network.biases(),
                            expected.weights + expected.biases):
        _close(ours, theirs, (what, "weights"))


@pytest.mark.parametrize(("dataset", "loss", "activation", "optimizer"), COMBOS)
def test_lone_runs_follow_the_reference(dataset, loss, activation, optimizer):
    for data, batch in BATCHES:
        for fields in RUNS:
            config = _config(dataset, loss, activation, optimizer, data, batch, **fields)
            trainer = Trainer(config, _dataset(config))
            trainer.train_epochs(EPOCHS[config.n_points])
            _same_as_reference(trainer, f"lone, batch {batch}, {fields}")


@pytest.mark.parametrize(("dataset", "loss", "activation", "optimizer"), COMBOS)
def test_live_stacks_follow_the_reference(dataset, loss, activation, optimizer):
    for data, batch in BATCHES:
        configs = [_config(dataset, loss, activation, optimizer, data, batch, **f)
                   for f in RUNS]
        members = [Trainer(c, _dataset(c)) for c in configs]
        assert len({cohort_key(t) for t in members}) == 1
        train_together(members, EPOCHS[configs[0].n_points])
        for trainer in members:
            _same_as_reference(trainer, f"stack, batch {batch}")


@pytest.mark.parametrize(("dataset", "loss", "activation", "optimizer"), COMBOS)
def test_sweep_blocks_follow_the_reference(dataset, loss, activation, optimizer):
    for data, batch in BATCHES:
        configs = [_config(dataset, loss, activation, optimizer, data, batch,
                           **{**fields, "seed": 1, "hidden": [h, 3]})
                   for fields, h in zip(RUNS, (5, 2, 7))]  # one block of three variants
        run = SweepRun(configs, _dataset(configs[0]))
        assert len(run.groups) == 1
        run.train_epochs(EPOCHS[configs[0].n_points])
        for i in range(len(configs)):
            _same_as_reference(run.trainer(i), f"sweep, batch {batch}, variant {i}")


def test_a_stack_measured_member_by_member_follows_the_reference(monkeypatch):
    monkeypatch.setattr("core.cohort.MEASURE_BYTES", 1)  # one member a chunk
    configs = [_config("three_blobs", "mse", "tanh", "adam", LARGE, 52, **f) for f in RUNS]
    members = [Trainer(c) for c in configs]
    train_together(members, EPOCHS[400])
    for trainer in members:
        _same_as_reference(trainer, "stack in chunks")


# --- the reference's own gradients against central finite differences -----------------------
OUTPUTS = [("circle", "cross_entropy"), ("three_blobs", "cross_entropy"),
           ("circle", "mse"), ("three_blobs", "mse"), ("plane", "mse"),
           ("circle", "mae"), ("three_blobs", "mae"), ("plane", "mae"),
           ("circle", "hinge"), ("three_blobs", "hinge")]


def _objective(weights, biases, x, y, config):
    z = reference.forward(weights, biases, x, config.activation)[0][-1]
    data = reference.losses(z, y, reference.output_kind(config), config.loss).mean()
    return data + reference.penalty(weights, config.regularization, config.reg_rate)


@pytest.mark.parametrize("regularization", sorted(REGULARIZERS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize(("dataset", "loss"), OUTPUTS)
def test_reference_gradients_match_finite_differences(dataset, loss, activation,
                                                      regularization):
    config = validate_config({"dataset": dataset, "loss": loss, "activation": activation,
                              "regularization": regularization, "reg_rate": 0.3,
                              "hidden": [4, 3], "features": ["x1", "x2", "x1x2"], "seed": 7})
    rng = np.random.default_rng(7)
    rows = make_dataset(config).train[:6]
    x, y = feature_matrix(rows[:, :2] / 3, config.features), rows[:, 2]
    n_out = 3 if dataset == "three_blobs" else 1
    sizes = [3, 4, 3, n_out]
    weights = [rng.normal(0, 0.8, (a, b)) for a, b in zip(sizes, sizes[1:])]
    biases = [rng.normal(0, 0.8, b) for b in sizes[1:]]
    grad_w, grad_b = reference.gradients(weights, biases, x, y, config)
    h = 1e-6
    for params, grads in ((weights, grad_w), (biases, grad_b)):
        for p, g in zip(params, grads):
            numeric = np.zeros_like(p)
            for i in np.ndindex(p.shape):
                keep = p[i]
                p[i] = keep + h
                up = _objective(weights, biases, x, y, config)
                p[i] = keep - h
                down = _objective(weights, biases, x, y, config)
                p[i] = keep
                numeric[i] = (up - down) / (2 * h)
            np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-7)
