"""A learner's run and its run state, apart from any socket.

``LiveRun`` holds the trainer and everything that says how it trains: its state
(``RunState``), its generation (bumped by every restart, so stale frames are dropped),
its speed and the epochs owed at that speed, a ``step`` under way, the snapshots kept
for "train from here", and the measured cost of an epoch. Every change a frame shows
bumps ``revision``; a socket's frames compare it with the revision they last showed.

All of it changes through the methods here, on the event loop, never while the
scheduler trains, so a change lands "at the next mini-batch".
"""

from __future__ import annotations

import time
from enum import StrEnum

from app.live.snapshots import Snapshots
from core.config import Config
from core.cost import seconds_per_epoch
from core.snapshot import Snapshot
from core.trainer import DIVERGED, Trainer


class RunState(StrEnum):
    """What a run is doing; the ``state`` of ``status`` messages and frames."""

    IDLE = "idle"          # no run yet
    RUNNING = "running"
    PAUSED = "paused"
    DIVERGED = "diverged"  # a non-finite loss or weight; the last finite weights kept


class Reached(StrEnum):
    """What a slice of training brought the run to, when the learner must be told."""

    DIVERGED = "diverged"
    EPOCH_LIMIT = "epoch_limit"
    STEP_DONE = "step_done"


class LiveRun:
    def __init__(self, max_epochs: int):
        self.max_epochs = max_epochs
        self.trainer: Trainer | None = None
        self.state = RunState.IDLE
        self.generation = 0
        self.speed = 60.0
        self.credit = 0.0          # epochs owed at the current speed
        self.step_target: int | None = None
        self.snapshots = Snapshots()
        self.epoch_cost = 1e-3     # seconds per epoch, a running estimate
        self.epochs_trained = 0
        self.trained_at = 0.0      # perf_counter of the last training: who waited longest
        self.revision = 0          # bumped by every change a frame shows

    @property
    def epoch(self) -> int:
        return self.trainer.epoch if self.trainer is not None else 0

    def changed(self) -> None:
        self.revision += 1

    # --- restarts ---------------------------------------------------------------------
    def start(self, config: Config, state: RunState) -> None:
        """A fresh run of ``config`` at epoch 0."""
        self.trainer = Trainer(config)
        # a first guess of an epoch's cost (twice core.cost's lower bound), so a heavy
        # run is sliced from its first tick; measurement corrects it from then on
        self.epoch_cost = 2 * seconds_per_epoch([config])
        self._restart(state)

    def load(self, trainer: Trainer, initial: Snapshot) -> None:
        """A run read from a file, paused where it was (diverged if it had); ``initial``
        is its epoch 0, which "train from here" always finds."""
        self.trainer = trainer
        self.epoch_cost = 2 * seconds_per_epoch([trainer.config])
        self._restart(RunState.DIVERGED if trainer.state == DIVERGED else RunState.PAUSED)
        self.snapshots.add_snapshot(initial)
        self.snapshots.add(trainer)

    def reset(self) -> None:
        """Epoch 0 again, same config and seed; running stays running."""
        self.trainer.reset()
        self._restart(RunState.RUNNING if self.state == RunState.RUNNING else RunState.PAUSED)

    def rewind(self, epoch: int) -> int:
        """Back to the newest snapshot at or before ``epoch``, paused; returns its epoch."""
        snap = self.snapshots.at_or_before(epoch)
        self.trainer.restore(snap)
        self.snapshots.drop_after(snap.epoch)
        self.generation += 1
        self._settle(RunState.PAUSED)
        return snap.epoch

    def _restart(self, state: RunState) -> None:
        self.generation += 1
        self.snapshots.clear()
        self._settle(state)

    def _settle(self, state: RunState) -> None:
        self.state, self.step_target, self.credit = state, None, 0.0
        self.changed()

    # --- the learner's controls -------------------------------------------------------
    def pause(self) -> None:
        if self.state == RunState.RUNNING:
            self.state, self.credit = RunState.PAUSED, 0.0
            self.changed()

    def resume(self) -> None:
        if self.state == RunState.PAUSED:
            self.state, self.step_target = RunState.RUNNING, None
            self.changed()

    def step(self, epochs: int) -> None:
        self.step_target = self.epoch + epochs

    def set_speed(self, epochs_per_second: float) -> None:
        self.speed, self.credit = epochs_per_second, 0.0

    def apply_hot(self, config: Config) -> None:
        self.trainer.apply_hot(config)

    def set_weight(self, layer: int, row: int, to: int, value: float) -> None:
        """One parameter set by hand (paused); "train from here" starts from the edit."""
        trainer = self.trainer
        trainer.set_parameter(layer, row, to, value)
        self.snapshots.drop_after(trainer.epoch - 1)
        self.snapshots.add_snapshot(trainer.snapshot())
        self.changed()

    def fault(self) -> None:
        """An unexpected failure while training: paused, as it was kept."""
        self._settle(RunState.PAUSED)

    # --- training (the scheduler's) ---------------------------------------------------
    def wants_training(self) -> bool:
        if self.trainer is None:
            return False
        return self.state == RunState.RUNNING or self.step_target is not None

    def epochs_allowed(self) -> float:
        """How many epochs this run may train now (before the fair-share cut)."""
        if self.step_target is not None:
            return self.step_target - self.trainer.epoch
        if self.speed == 0:
            return float("inf")
        return self.credit

    def accrue(self, dt: float) -> None:
        if self.state == RunState.RUNNING and self.speed > 0:
            # at most a quarter second owed: a run held back under load does not burst
            self.credit = min(self.credit + self.speed * dt, max(1.0, self.speed * 0.25))

    def train(self, epochs: int) -> tuple[float, int, float]:
        """Train alone; (asked, done, seconds per epoch) for ``trained``."""
        start = time.perf_counter()
        done = len(self.trainer.train_epochs(epochs))
        return epochs, done, (time.perf_counter() - start) / max(1, epochs)

    def train_batches(self, k: int) -> tuple[float, int, float]:
        """Train ``k`` mini-batches alone: a long epoch sliced so the loop stays free."""
        per_epoch = self.trainer.batches_per_epoch
        start = time.perf_counter()
        done = len(self.trainer.train_batches(k))
        cost = (time.perf_counter() - start) * per_epoch / max(1, k)
        return k / max(1, per_epoch), done, cost

    def trained(self, asked: float, done: int, cost_per_epoch: float) -> Reached | None:
        """Book ``done`` of ``asked`` epochs just trained; what the run reached, if the
        learner must be told."""
        self.epoch_cost = 0.8 * self.epoch_cost + 0.2 * cost_per_epoch
        self.trained_at = time.perf_counter()
        self.epochs_trained += done
        self.credit = max(0.0, self.credit - asked)
        self.changed()
        if self.trainer.state == DIVERGED:
            self.state, self.step_target = RunState.DIVERGED, None
            return Reached.DIVERGED
        if self.trainer.epoch >= self.max_epochs and self.state == RunState.RUNNING:
            self.state, self.step_target = RunState.PAUSED, None
            return Reached.EPOCH_LIMIT
        if self.step_target is not None and self.trainer.epoch >= self.step_target:
            self.step_target = None
            return Reached.STEP_DONE
        return None

    def adopt(self, trainer: Trainer | None, initial: Snapshot | None, *, generation: int,
              speed: float, state: RunState) -> None:
        """A run saved elsewhere, as it was (``initial``: its epoch 0, which "train from
        here" always finds)."""
        self.generation, self.speed, self.state = generation, speed, state
        self.trainer = trainer
        if initial is not None:
            self.snapshots.add_snapshot(initial)
        if trainer is not None:
            self.snapshots.add(trainer)
        self.changed()

    def drop(self) -> None:
        """Let the run go (the session is freed): its memory goes back."""
        self.trainer = None
        self.snapshots.clear()
