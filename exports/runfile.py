"""A run as one JSON file a learner can keep, and the same run read back exactly.

The file holds the resolved configuration, the dataset, the current weights and biases
(readable), the exact state (``core.snapshot``: the parameters, the optimizer's state,
the epoch and the row reached inside an epoch under way, as float64 bytes in base64),
and the history (its columns packed the same way). Reading it back rebuilds the run so
that training continues with the same bits as if it had never stopped. Everything is
checked: a bad file gets a ``RunFileError`` naming the part that is wrong.
"""

from __future__ import annotations

import binascii
import math

import numpy as np

from core.config import ConfigError, validate_config
from core.snapshot import Snapshot, pack_history, unpack_history
from core.trainer import DIVERGED, READY, Trainer

FORMAT, VERSION = "nnlive-run", 1
KEYS = ("format", "version", "config", "dataset", "state", "epoch", "weights", "biases",
        "snapshot", "history")
HISTORY_KEYS = ("epoch", "train_loss", "test_loss", "train_error", "test_error",
                "validation_loss", "validation_error", "penalty")


class RunFileError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, f"{field}: {message}"


def run_file(trainer: Trainer) -> dict:
    """The run now, as the file's JSON object."""
    return {"format": FORMAT, "version": VERSION, "config": trainer.config.to_dict(),
            "dataset": trainer.dataset.as_rows(), "state": trainer.state,
            "epoch": trainer.epoch, "weights": trainer.weights(), "biases": trainer.biases(),
            "snapshot": trainer.snapshot().to_dict(), "history": pack_history(trainer.history)}


def read_run(packed, max_epochs: int) -> tuple[Trainer, Snapshot]:
    """The run a file holds, and the snapshot of its epoch 0; or a ``RunFileError``."""
    _check_shape(packed)
    try:
        config = validate_config(packed["config"])
    except ConfigError as exc:
        raise RunFileError(f"config.{exc.field}", exc.message) from None
    trainer = Trainer(config)
    if packed["dataset"] != trainer.dataset.as_rows():
        raise RunFileError("dataset", "the rows differ from what the config (with its seed) "
                           "gives; the file was changed or is from another version.")
    initial = trainer.snapshot()
    snapshot = _snapshot(packed["snapshot"], initial, max_epochs, config.n_fit)
    history = _history(packed["history"], snapshot)
    _check_weights(packed, snapshot, trainer)
    trainer.history = history
    trainer.restore(snapshot)
    trainer.state = packed["state"]
    return trainer, initial


def _check_shape(packed) -> None:
    if not isinstance(packed, dict):
        raise RunFileError("run", "a run file is a JSON object; this is not one.")
    if packed.get("format") != FORMAT or packed.get("version") != VERSION:
        raise RunFileError("format", f"expected format {FORMAT!r} version {VERSION}; got "
                           f"{str(packed.get('format'))[:30]!r} version "
                           f"{str(packed.get('version'))[:10]}.")
    for key in KEYS:
        if key not in packed:
            raise RunFileError(key, "missing from the file.")
    extra = sorted(set(packed) - set(KEYS))
    if extra:
        raise RunFileError(extra[0], "is not part of a run file; its parts are "
                           f"{', '.join(KEYS)}.")
    if packed["state"] not in (READY, DIVERGED):
        raise RunFileError("state", "expected ready or diverged; got "
                           f"{str(packed['state'])[:20]!r}.")


def _snapshot(packed, initial: Snapshot, max_epochs: int, rows: int) -> Snapshot:
    try:
        snap = Snapshot.from_dict(packed)
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as exc:
        raise RunFileError("snapshot", f"not a readable snapshot ({str(exc)[:80]}).") from None
    for name in ("params", "last_finished"):
        array = getattr(snap, name)
        if array.shape != initial.params.shape or not np.isfinite(array).all():
            raise RunFileError(f"snapshot.{name}", f"expected {initial.params.size} finite "
                               f"numbers for this network; got {array.size}.")
    if snap.optimizer != initial.optimizer:
        raise RunFileError("snapshot.optimizer", f"expected {initial.optimizer!r} (the "
                           f"config's optimizer); got {str(snap.optimizer)[:20]!r}.")
    _check_optimizer_state(snap.optimizer_state, initial.optimizer_state)
    if not 0 <= snap.epoch <= max_epochs:
        raise RunFileError("snapshot.epoch", f"expected 0 to {max_epochs}; got {snap.epoch}.")
    if not 0 <= snap.row < rows:
        raise RunFileError("snapshot.row", f"expected a row from 0 to {rows - 1} of an "
                           f"epoch; got {snap.row}.")
    return snap


def _check_optimizer_state(state: dict, expected: dict) -> None:
    if set(state) != set(expected):
        raise RunFileError("snapshot.optimizer_state", f"expected the parts "
                           f"{', '.join(sorted(expected)) or 'none'}; got "
                           f"{', '.join(sorted(state)) or 'none'}.")
    for key, value in state.items():
        if isinstance(expected[key], int):
            if not isinstance(value, int) or value < 0:
                raise RunFileError(f"snapshot.optimizer_state.{key}", "expected a count.")
        elif value.shape != expected[key].shape or not np.isfinite(value).all():
            raise RunFileError(f"snapshot.optimizer_state.{key}", f"expected "
                               f"{expected[key].size} finite numbers; got {value.size}.")


def _history(packed, snap: Snapshot) -> list[dict]:
    try:
        if set(packed) != set(HISTORY_KEYS):
            raise ValueError("columns " + ", ".join(sorted(packed)))
        history = unpack_history(packed)
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as exc:
        raise RunFileError("history", f"expected the packed columns {', '.join(HISTORY_KEYS)} "
                           f"({str(exc)[:60]}).") from None
    epochs = [e["epoch"] for e in history]
    if len(history) != snap.history_length or epochs != list(range(len(history))) or \
            not history or epochs[-1] != snap.epoch:
        raise RunFileError("history", f"expected epochs 0 to {snap.epoch}, one entry each; "
                           f"got {len(history)} entries.")
    for entry in history:
        if any(v is not None and not math.isfinite(v) for v in entry.values()):
            raise RunFileError("history", f"epoch {entry['epoch']} holds a number that is not "
                               "finite.")
    return history


def _check_weights(packed: dict, snap: Snapshot, trainer: Trainer) -> None:
    """The readable weights must be the snapshot's: a file edited by hand in one place
    and not the other is refused rather than half believed."""
    network = trainer.network
    saved = network.params.copy()
    network.params[:] = snap.params
    try:
        same = packed["weights"] == trainer.weights() and packed["biases"] == trainer.biases()
    finally:
        network.params[:] = saved
    if not same:
        raise RunFileError("weights", "the weights and biases differ from snapshot.params; "
                           "the file was changed by hand in one place only.")
