"""A bounded set of a run's snapshots, for ``restore {epoch}`` ("train from here").

One is taken per frame sent (the epochs the learner actually saw). When the set is
full, every other snapshot in the older half is dropped, so recent epochs stay dense
and old ones thin out; epoch 0 is always kept. (A run kept in the store, to resume it
elsewhere or later, is ``app.live.records``'.)
"""

from __future__ import annotations

from core.snapshot import Snapshot
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
