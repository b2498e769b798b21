"""The generated scripts reproduce POST /api/train: to 1e-9 with NumPy, to 1e-6 with
PyTorch (float64), for every loss, optimizer and regularizer, with and without a
validation split — and on a real server, run as ``python script.py --json``."""

import contextlib
import io
import itertools
import json
import runpy
import subprocess
import sys

import httpx
import numpy as np
import pytest
import torch

from app.exporting import script_work
from app.training import Deadline, train_run
from core.config import validate_config

LOSSES = {"cross_entropy": ("circle", "three_blobs"), "hinge": ("xor", "three_blobs"),
          "mse": ("plane", "three_blobs"), "mae": ("multi_gaussian", "gaussian")}
COMBOS = [(loss, opt, reg, dataset) for loss, opt, reg in itertools.product(
    LOSSES, ("sgd", "momentum", "adam"), ("none", "l1", "l2")) for dataset in LOSSES[loss]]
TOLERANCE = {"numpy": 1e-9, "pytorch": 1e-6}


def _config(loss, optimizer, regularization, dataset, validation=0):
    return validate_config({
        "dataset": dataset, "loss": loss, "optimizer": optimizer, "seed": 11,
        "regularization": regularization, "reg_rate": 0.003 if regularization != "none" else 0,
        "n_points": 80, "hidden": [3, 2], "learning_rate": 0.02, "batch_size": 6,
        "validation_ratio": validation, "features": ["x1", "x2", "x1x2", "sin_x1"],
        "activation": {"hinge": "relu", "mae": "sigmoid"}.get(loss, "tanh")})


def _run_in_process(text: str, tmp_path) -> dict:
    path = tmp_path / "script.py"
    path.write_text(text)
    out, argv, dtype = io.StringIO(), sys.argv, torch.get_default_dtype()
    sys.argv = [str(path), "--json"]
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(str(path), run_name="__main__")
    finally:
        sys.argv = argv
        torch.set_default_dtype(dtype)
    return json.loads(out.getvalue().splitlines()[-1])


def _largest_difference(got: dict, expected: dict) -> float:
    """The largest |a − b| / max(1, |b|): absolute for ordinary weights, relative for
    the huge ones a diverging run keeps (1e150 ± a rounding is not a disagreement)."""
    pairs = zip(got["final"]["weights"] + got["final"]["biases"],
                expected["final"]["weights"] + expected["final"]["biases"])
    return max(float(np.max(np.abs(np.subtract(a, b)) / np.maximum(1, np.abs(b))))
               for a, b in pairs)


def _check(got: dict, expected: dict, framework: str) -> None:
    tolerance = TOLERANCE[framework]
    assert _largest_difference(got, expected) <= tolerance
    last = expected["history"][-1]
    for key in ("train_loss", "test_loss"):
        assert abs(got[key] - last[key]) <= tolerance * max(1, abs(last[key]))


@pytest.mark.parametrize("framework", ["numpy", "pytorch"])
@pytest.mark.parametrize("loss, optimizer, regularization, dataset", COMBOS)
def test_script_matches_the_api(loss, optimizer, regularization, dataset, framework, tmp_path):
    config = _config(loss, optimizer, regularization, dataset)
    expected = json.loads(train_run(config, 12, Deadline(60), lambda: False))
    got = _run_in_process(script_work(config, 12, framework).decode(), tmp_path)
    assert got["final"]["weights"] != json.loads(train_run(config, 0, Deadline(60),
                                                           lambda: False))["final"]["weights"]
    _check(got, expected, framework)


@pytest.mark.parametrize("framework", ["numpy", "pytorch"])
def test_script_with_a_validation_split_and_a_divergence(framework, tmp_path):
    config = _config("cross_entropy", "momentum", "l2", "spiral", validation=25)
    expected = json.loads(train_run(config, 20, Deadline(60), lambda: False))
    _check(_run_in_process(script_work(config, 20, framework).decode(), tmp_path), expected,
           framework)
    wild = validate_config({**config.to_dict(), "learning_rate": 10, "loss": "mse",
                            "dataset": "plane", "activation": "relu", "optimizer": "sgd"})
    expected = json.loads(train_run(wild, 30, Deadline(60), lambda: False))
    assert len(expected["history"]) < 31  # it diverged: the last finite weights are kept
    _check(_run_in_process(script_work(wild, 30, framework).decode(), tmp_path), expected,
           framework)


@pytest.mark.parametrize("framework", ["numpy", "pytorch"])
def test_script_from_the_server_runs_as_a_program(server, framework, tmp_path):
    body = {"config": {"seed": 5, "n_points": 60, "dataset": "three_blobs",
                       "optimizer": "adam", "regularization": "l1", "reg_rate": 0.001},
            "epochs": 8}
    answer = httpx.post(server.url + "/api/script", json={**body, "framework": framework},
                        timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/x-python")
    text = answer.text
    assert "def train(" in text and text.count("\n") < 400  # short enough to read
    path = tmp_path / "script.py"
    path.write_text(text)
    done = subprocess.run([sys.executable, str(path), "--json"], capture_output=True,
                          text=True, timeout=120, check=True)
    expected = httpx.post(server.url + "/api/train", json=body, timeout=30).json()
    _check(json.loads(done.stdout.splitlines()[-1]), expected, framework)


@pytest.mark.parametrize("body, field", [
    ({"config": {}, "epochs": 1, "framework": "jax"}, "framework"),
    ({"config": {}, "epochs": 1}, "framework"),
    ({"config": {"hidden": [0]}, "epochs": 1, "framework": "numpy"}, "hidden[0]"),
    ({"config": {}, "epochs": -1, "framework": "numpy"}, "epochs"),
    ({"config": {}, "epochs": 1, "framework": "numpy", "x": 1}, "x"),
])
def test_script_refusals_name_the_field(server, body, field):
    answer = httpx.post(server.url + "/api/script", json=body, timeout=30)
    assert answer.status_code == 422 and answer.json()["error"]["field"] == field
