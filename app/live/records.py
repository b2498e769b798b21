"""A session in the store: a checkpoint captured on the event loop, encoded in the
store's thread, and a run rebuilt from it bit for bit.

A session's record (kind ``"session"``, key: its token) is:

- ``meta``: JSON: format, generation, speed, run state, whether the state is exact
  (written as its owner let it go: a drop, the end of a grace period, a shutdown) or
  a checkpoint of a run that may have trained on since, the trainer's state, the
  ``core.snapshot.Snapshot`` (weights, optimizer state, epoch and the row inside an
  epoch under way: exact resumption) and the history's length;
- part 0: the configuration with its seed (JSON; custom points included), written
  again only when it changed; the dataset is rebuilt from it;
- parts 1…: the history in chunks (``app.live.chunks``), only the growing one rewritten.

What a checkpoint must rewrite depends on what the store already has
(``Stored``: its generation, history length and configuration): the caller keeps that
from the answers it gets.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from app.live.chunks import CHUNK, pack_history, unpack_history
from app.live.run import LiveRun, RunState
from app.live.store.base import Put, Stored
from core.config import Config, validate_config
from core.snapshot import Snapshot
from core.trainer import Trainer

KIND = "session"
FORMAT = 2  # 2: history chunks of 128 entries (1: 512)


@dataclass(frozen=True)
class Written:
    """What of a run a store holds: its generation, history length and configuration."""

    generation: int
    history_length: int
    config: Config | None

    def first_part(self, run: LiveRun) -> int:
        """The first part a checkpoint of ``run`` must write (0: every part)."""
        trainer = run.trainer
        if run.generation != self.generation or trainer.config is not self.config:
            return 0
        if len(trainer.history) < self.history_length:
            return 0
        # the last entry written may have changed since (set_weight measures it again)
        return 1 + max(0, self.history_length - 1) // CHUNK


NOTHING = Written(-1, 0, None)


@dataclass
class Checkpoint:
    """A session's run now: cheap to take (the arrays copied, the history entries
    shared: they never change once a newer one exists)."""

    token: str
    owner: str
    attached: bool
    exact: bool
    generation: int
    speed: float
    state: str
    config: Config
    trainer_state: str
    snapshot: Snapshot
    history_length: int
    first_part: int
    tail: list[dict]   # history entries from the first chunk written on
    saved_at: float

    @property
    def written(self) -> Written:
        return Written(self.generation, self.history_length, self.config)

    def encode(self) -> Put:
        """The record to write (in the store's thread: packing takes milliseconds)."""
        meta = {"format": FORMAT, "generation": self.generation, "speed": self.speed,
                "state": self.state, "exact": self.exact,
                "trainer_state": self.trainer_state, "snapshot": self.snapshot.to_dict(),
                "history_length": self.history_length}
        parts = [] if self.first_part else [_json(self.config.to_dict())]
        parts += pack_history(self.tail, max(0, self.first_part - 1))
        return Put(KIND, self.token, self.owner, self.attached, self.saved_at, _json(meta),
                   parts, self.first_part)


def capture(token: str, run: LiveRun, written: Written, *, owner: str, attached: bool,
            exact: bool) -> Checkpoint:
    trainer = run.trainer
    first_part = written.first_part(run)
    first_entry = max(0, first_part - 1) * CHUNK
    return Checkpoint(token, owner, attached, exact, run.generation, run.speed, run.state,
                      trainer.config, trainer.state, trainer.snapshot(), len(trainer.history),
                      first_part, trainer.history[first_entry:], time.time())


@dataclass
class Restored:
    """A run rebuilt from its record; ``exact``: as its owner left it."""

    trainer: Trainer
    initial: Snapshot
    generation: int
    speed: float
    state: RunState
    exact: bool
    saved_at: float

    def written(self) -> Written:
        return Written(self.generation, len(self.trainer.history), self.trainer.config)


def rebuild(stored: Stored) -> Restored:
    """The run a record holds (slow for long runs: call it off the event loop)."""
    meta = json.loads(stored.meta)
    if meta.get("format") != FORMAT:
        raise ValueError(f"a session record of format {FORMAT} was expected")
    config = validate_config(json.loads(stored.parts[0]))
    trainer = Trainer(config)
    initial = trainer.snapshot()
    history = unpack_history(stored.parts[1:])
    if len(history) != meta["history_length"]:
        raise ValueError(f"the record's history has {len(history)} entries, "
                         f"not {meta['history_length']}")
    trainer.history = history
    trainer.restore(Snapshot.from_dict(meta["snapshot"]))
    trainer.state = meta["trainer_state"]
    return Restored(trainer, initial, meta["generation"], meta["speed"],
                    RunState(meta["state"]), meta["exact"], stored.saved_at)


def _json(value) -> bytes:
    return json.dumps(value, separators=(",", ":"), allow_nan=False).encode()
