"""A bounded set of a run's snapshots, for ``restore {epoch}`` ("train from here").

One is taken per frame sent (the epochs the learner actually saw). When the set is
full, every other snapshot in the older half is dropped, so recent epochs stay dense
and old ones thin out; epoch 0 is always kept.

``pack_run`` / ``unpack_run``: a whole run as JSON, for resuming on another worker
(the snapshot's own JSON form is ``core.snapshot``'s; the dataset is not sent: it is
rebuilt from the config and its seed).
"""

from __future__ import annotations

from core.config import validate_config
from core.snapshot import Snapshot, pack_history, unpack_history
from core.trainer import Trainer

MAX_SNAPSHOTS = 48


class Snapshots:
    def __init__(self, limit: int = MAX_SNAPSHOTS):
        self.limit = limit
        self.items: list[Snapshot] = []

    def clear(self) -> None:
        self.items.clear()

    def add(self, trainer: Trainer) -> None:
        if self.items and self.items[-1].epoch == trainer.epoch:
            return
        self.add_snapshot(trainer.snapshot())

    def add_snapshot(self, snap: Snapshot) -> None:
        self.items.append(snap)
        if len(self.items) > self.limit:
            half = len(self.items) // 2
            old = self.items[:half]
            self.items = old[:1] + old[2::2] + self.items[half:]

    def at_or_before(self, epoch: int) -> Snapshot:
        """The newest snapshot whose epoch is at most ``epoch`` (epoch 0 always exists)."""
        best = self.items[0]
        for snap in self.items:
            if snap.epoch <= epoch:
                best = snap
        return best

    def drop_after(self, epoch: int) -> None:
        self.items = [s for s in self.items if s.epoch <= epoch]


# --- a run as JSON, for the shared session store (app/live/store.py) --------------------------
def capture_run(trainer: Trainer) -> dict:
    """A run's state now, cheaply (copies of the arrays, the history's entries shared:
    they are never changed once made), to be packed later, off the event loop."""
    return {"config": trainer.config, "state": trainer.state, "snapshot": trainer.snapshot(),
            "history": list(trainer.history)}


def pack_captured(captured: dict) -> dict:
    """The JSON form of a captured run: config (with its seed), state, the snapshot
    (weights, optimizer state, epoch and the row inside an epoch under way), history."""
    return {"config": captured["config"].to_dict(), "state": captured["state"],
            "snapshot": captured["snapshot"].to_dict(),
            "history": pack_history(captured["history"])}


def pack_run(trainer: Trainer) -> dict:
    return pack_captured(capture_run(trainer))


def unpack_run(packed: dict) -> tuple[Trainer, Snapshot]:
    """The run ``pack_run`` packed (same data, weights, optimizer state, history and
    position in its epoch), and the snapshot of its epoch 0 (``restore`` always finds
    epoch 0)."""
    trainer = Trainer(validate_config(packed["config"]))
    initial = trainer.snapshot()
    trainer.history = unpack_history(packed["history"])
    trainer.restore(Snapshot.from_dict(packed["snapshot"]))
    trainer.state = packed["state"]
    return trainer, initial
