"""A run's state at one moment, exactly, and its JSON-safe form.

``Trainer.snapshot()`` gives a :class:`Snapshot`: everything needed to resume the run
bit for bit — the weights, the optimizer's state, the epoch and the row reached inside
an epoch under way, the weights of the last finished epoch (where a divergence goes
back to) and how long the history was. ``to_dict`` / ``from_dict`` carry it as JSON
(versioned; arrays as base64 of their little-endian float64 bytes, exact and never
pickle), for checkpoints kept in a store and restored in another process (a history
the server keeps beside it, in chunks of its own: app/live/chunks.py).
``pack_history`` / ``unpack_history`` carry a history as JSON columns (a run file).
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

import numpy as np

FORMAT = 1


@dataclass(frozen=True, eq=False)
class Snapshot:
    epoch: int
    row: int  # the next row of the epoch under way (0: at an epoch's start)
    params: np.ndarray
    last_finished: np.ndarray  # the weights at the end of epoch ``epoch``
    optimizer: str
    optimizer_state: dict  # arrays, and Adam's step count ``t``
    history_length: int

    def to_dict(self) -> dict:
        state = {key: int(v) if np.isscalar(v) else pack_array(v)
                 for key, v in self.optimizer_state.items()}
        at_epoch_end = self.row == 0  # then last_finished is params: not sent twice
        return {"format": FORMAT, "epoch": self.epoch, "row": self.row,
                "params": pack_array(self.params),
                "last_finished": None if at_epoch_end else pack_array(self.last_finished),
                "optimizer": self.optimizer, "optimizer_state": state,
                "history_length": self.history_length}

    @classmethod
    def from_dict(cls, packed: dict) -> Snapshot:
        if packed.get("format") != FORMAT:
            raise ValueError(f"a snapshot of format {FORMAT} was expected; got format "
                             f"{packed.get('format')!r}")
        params = unpack_array(packed["params"])
        last = packed["last_finished"]
        state = {key: v if isinstance(v, int) else unpack_array(v)
                 for key, v in packed["optimizer_state"].items()}
        return cls(int(packed["epoch"]), int(packed["row"]), params,
                   params.copy() if last is None else unpack_array(last),
                   packed["optimizer"], state, int(packed["history_length"]))


def pack_array(values) -> dict:
    return {"f8": base64.b64encode(np.ascontiguousarray(values, dtype="<f8").tobytes())
            .decode("ascii")}


def unpack_array(packed: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(packed["f8"]), dtype="<f8").astype(np.float64)


def pack_history(history: list[dict]) -> dict:
    """Columns of float64; ``None`` (the error rates of a regression, the validation
    numbers without a split) travels as NaN, which a history never holds otherwise (a
    non-finite loss ends the run first)."""
    return {key: pack_array([np.nan if e[key] is None else e[key] for e in history])
            for key in history[0]}


def unpack_history(columns: dict) -> list[dict]:
    arrays = {key: unpack_array(packed).tolist() for key, packed in columns.items()}
    n = len(arrays["epoch"])
    return [{key: (int(col[i]) if key == "epoch" else None if math.isnan(col[i]) else col[i])
             for key, col in arrays.items()} for i in range(n)]
