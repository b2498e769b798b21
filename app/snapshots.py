"""A bounded set of a run's snapshots, for ``restore {epoch}`` ("train from here").

One is taken per frame sent (the epochs the learner actually saw). When the set is
full, every other snapshot in the older half is dropped, so recent epochs stay dense
and old ones thin out; epoch 0 is always kept.

``pack_run`` / ``unpack_run``: a whole run as JSON, for resuming on another worker.
"""

from __future__ import annotations

import base64
import math

import numpy as np

from core.config import validate_config
from core.trainer import Trainer

MAX_SNAPSHOTS = 48


class Snapshots:
    def __init__(self, limit: int = MAX_SNAPSHOTS):
        self.limit = limit
        self.items: list[dict] = []

    def clear(self) -> None:
        self.items.clear()

    def add(self, trainer: Trainer) -> None:
        if self.items and self.items[-1]["epoch"] == trainer.epoch:
            return
        self.add_snapshot(trainer.snapshot())

    def add_snapshot(self, snap: dict) -> None:
        self.items.append(snap)
        if len(self.items) > self.limit:
            half = len(self.items) // 2
            old = self.items[:half]
            self.items = old[:1] + old[2::2] + self.items[half:]

    def at_or_before(self, epoch: int) -> dict:
        """The newest snapshot whose epoch is at most ``epoch`` (epoch 0 always exists)."""
        best = self.items[0]
        for snap in self.items:
            if snap["epoch"] <= epoch:
                best = snap
        return best

    def drop_after(self, epoch: int) -> None:
        self.items = [s for s in self.items if s["epoch"] <= epoch]


# --- a run as JSON, for the shared session store (app/store.py) --------------------------
# Arrays travel as base64 of their float64 bytes (exact, bit for bit, and never pickle);
# the dataset is not sent: it is rebuilt from the config and its seed.

def _pack_array(values) -> dict:
    return {"f8": base64.b64encode(np.ascontiguousarray(values, dtype="<f8").tobytes())
            .decode("ascii")}


def _unpack_array(packed: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(packed["f8"]), dtype="<f8").astype(np.float64)


def _pack_history(history: list[dict]) -> dict:
    """Columns of float64; ``None`` (the error rates of a regression) travels as NaN,
    which a history never holds otherwise (a non-finite loss ends the run first)."""
    keys = list(history[0])
    return {key: _pack_array([np.nan if e[key] is None else e[key] for e in history])
            for key in keys}


def _unpack_history(columns: dict) -> list[dict]:
    arrays = {key: _unpack_array(packed).tolist() for key, packed in columns.items()}
    n = len(arrays["epoch"])
    return [{key: (int(col[i]) if key == "epoch" else None if math.isnan(col[i]) else col[i])
             for key, col in arrays.items()} for i in range(n)]


def capture_run(trainer: Trainer) -> dict:
    """A run's state now, cheaply (copies of the arrays, the history's entries shared:
    they are never changed once made), to be packed later, off the event loop."""
    return {"config": trainer.config, "state": trainer.state, "snapshot": trainer.snapshot(),
            "history": list(trainer.history)}


def pack_captured(captured: dict) -> dict:
    """The JSON form of a captured run: config (with its seed), epoch, weights,
    optimizer state, history."""
    snap = captured["snapshot"]
    optimizer_state = {key: int(v) if np.isscalar(v) else _pack_array(v)
                       for key, v in snap["optimizer_state"].items()}
    return {"config": captured["config"].to_dict(), "state": captured["state"],
            "epoch": snap["epoch"], "params": _pack_array(snap["params"]),
            "optimizer": snap["optimizer"], "optimizer_state": optimizer_state,
            "history": _pack_history(captured["history"])}


def pack_run(trainer: Trainer) -> dict:
    return pack_captured(capture_run(trainer))


def unpack_run(packed: dict) -> tuple[Trainer, dict]:
    """The run ``pack_run`` packed (same data, weights, optimizer state and history),
    and the snapshot of its epoch 0 (``restore`` always finds epoch 0)."""
    trainer = Trainer(validate_config(packed["config"]))
    initial = trainer.snapshot()
    trainer.history = _unpack_history(packed["history"])
    optimizer_state = {key: v if isinstance(v, int) else _unpack_array(v)
                       for key, v in packed["optimizer_state"].items()}
    trainer.restore({"epoch": packed["epoch"], "params": _unpack_array(packed["params"]),
                     "optimizer": packed["optimizer"], "optimizer_state": optimizer_state,
                     "history_length": len(trainer.history)})
    trainer.state = packed["state"]
    return trainer, initial
