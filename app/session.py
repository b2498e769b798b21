"""One learner's training session: its run, its run state, and its socket's outbox.

The session outlives a socket: on a drop it is detached (training pauses) and kept for
the grace period so ``?session=TOKEN`` can resume it. All methods run on the event
loop, never concurrently with training (the scheduler trains between messages), so a
change here always lands "at the next mini-batch".
"""

from __future__ import annotations

import json
import time

from app.frames import build_frame
from app.logs import session_event
from app.metrics import UNEXPOSED, Metrics
from app.outbox import Outbox
from app.protocol import dumps
from app.settings import Settings
from app.snapshots import Snapshots, capture_run, pack_captured, unpack_run
from core.config import Config
from core.cost import seconds_per_epoch
from core.trainer import DIVERGED, Trainer

IDLE, RUNNING, PAUSED = "idle", "running", "paused"  # plus "diverged"
STALE_FRAME_SECONDS = 1.0  # a waiting frame older than this is replaced by a newer one


class Session:
    def __init__(self, token: str, address: str, settings: Settings,
                 metrics: Metrics = UNEXPOSED):
        self.token, self.address, self.settings = token, address, settings
        self.metrics = metrics
        self.trainer: Trainer | None = None
        self.state = IDLE
        self.generation = 0
        self.speed = 60.0
        self.credit = 0.0          # epochs owed at the current speed
        self.step_target: int | None = None
        self.outbox: Outbox | None = None
        self.websocket = None      # the attached socket, to close it if resumed elsewhere
        self.detached_at: float | None = time.monotonic()
        self.history_sent = 0      # trainer.history index the next frame starts at
        self.last_frame_at = 0.0
        self.next_frame_at = 0.0
        self.frame_built_at = 0.0
        self.dirty = False         # something a frame shows changed since the last one
        self.snapshots = Snapshots()
        self.epoch_cost = 1e-3     # seconds per epoch, a running estimate
        self.epochs_trained = 0
        self.trained_at = 0.0      # perf_counter of the last training: who waited longest
        self.frames_counted = 0    # outbox.sent_frames already added to the metrics
        self.saved: tuple | None = None  # (generation, epoch, state) last checkpointed
        self.lost = False          # claimed by another worker: never saved or resumed here
        self.sweep = None          # the live sweep beside the run (app/sweeps.py), if any
        self.member = None         # its class membership (app/classroom/members.py), if any

    # --- socket -----------------------------------------------------------------------
    def attach(self, outbox: Outbox) -> None:
        self.count_sent_frames()
        self.outbox, self.detached_at = outbox, None
        self.frames_counted = 0
        self.history_sent, self.dirty = 0, self.trainer is not None

    def detach(self) -> None:
        self.count_sent_frames()
        self.outbox, self.detached_at = None, time.monotonic()

    def count_sent_frames(self) -> None:
        """Add the frames this socket sent since the last count to the metrics."""
        if self.outbox is not None:
            sent = self.outbox.sent_frames
            self.metrics.frames_sent.inc(sent - self.frames_counted)
            self.frames_counted = sent

    def send(self, message: dict) -> None:
        if message.get("type") == "error":
            self.metrics.errors.labels(code=message.get("code", "unknown")).inc()
        if self.outbox is not None:
            self.outbox.put_text(dumps(message))

    def status(self, **extra) -> None:
        epoch = self.trainer.epoch if self.trainer is not None else 0
        self.send({"type": "status", "state": self.state, "epoch": epoch,
                   "generation": self.generation, "speed": self.speed, **extra})

    # --- runs -------------------------------------------------------------------------
    def new_run(self, config: Config, *, state: str) -> None:
        """A fresh run at epoch 0: ``dataset``, then the epoch-0 frame."""
        self.trainer = Trainer(config)
        # a first guess of an epoch's cost (twice core.cost's lower bound), so a heavy
        # run is sliced from its first tick; measurement corrects it from then on
        self.epoch_cost = 2 * seconds_per_epoch([config])
        self.generation += 1
        self.send_dataset()
        self._restarted(state)

    def load_run(self, trainer: Trainer, initial) -> None:
        """A run read from a file (``initial``: its epoch 0, for restore): paused where
        it was, ``dataset`` then its frame."""
        self.trainer = trainer
        self.epoch_cost = 2 * seconds_per_epoch([trainer.config])
        self.generation += 1
        self.send_dataset()
        self._restarted(DIVERGED if trainer.state == DIVERGED else PAUSED)
        self.snapshots.clear()  # "train from here" finds epoch 0 and where the file was
        self.snapshots.add_snapshot(initial)
        self.snapshots.add(trainer)

    def reset_run(self) -> None:
        self.trainer.reset()
        self.generation += 1
        self._restarted(RUNNING if self.state == RUNNING else PAUSED)

    def _restarted(self, state: str) -> None:
        """Epoch 0 of a new generation: its frame goes out before any training."""
        self.state, self.step_target, self.credit = state, None, 0.0
        self.snapshots.clear()
        self.dirty = True
        if self.outbox is not None:
            self.push_frame(time.monotonic())

    def send_dataset(self) -> None:
        self.send({"type": "dataset", "config": self.trainer.config.to_dict(),
                   "generation": self.generation, **self.trainer.dataset.as_rows()})

    def restore(self, epoch: int) -> int:
        """Back to the newest snapshot at or before ``epoch``; paused. Returns its epoch."""
        snap = self.snapshots.at_or_before(epoch)
        self.trainer.restore(snap)
        self.snapshots.drop_after(snap.epoch)
        self.generation += 1
        self.state, self.step_target, self.credit = PAUSED, None, 0.0
        self.dirty = True
        if self.outbox is not None:
            self.push_frame(time.monotonic())
        return snap.epoch

    # --- training (called by the scheduler) -------------------------------------------
    def wants_training(self) -> bool:
        if self.outbox is None or self.trainer is None:
            return False
        return self.state == RUNNING or self.step_target is not None

    def epochs_allowed(self) -> float:
        """How many epochs this session may train now (before the fair-share cut)."""
        if self.step_target is not None:
            return self.step_target - self.trainer.epoch
        if self.speed == 0:
            return float("inf")
        return self.credit

    def accrue(self, dt: float) -> None:
        if self.state == RUNNING and self.speed > 0 and self.outbox is not None:
            # at most a quarter second owed: a session held back under load does not burst
            self.credit = min(self.credit + self.speed * dt, max(1.0, self.speed * 0.25))

    def train(self, epochs: int) -> None:
        """Train alone (the scheduler trains sessions of one shape together instead)."""
        start = time.perf_counter()
        done = len(self.trainer.train_epochs(epochs))
        self.trained(epochs, done, (time.perf_counter() - start) / max(1, epochs))

    def train_batches(self, k: int) -> None:
        """Train ``k`` mini-batches alone: a long epoch sliced so the loop stays free."""
        per_epoch = self.trainer.batches_per_epoch
        start = time.perf_counter()
        done = len(self.trainer.train_batches(k))
        cost = (time.perf_counter() - start) * per_epoch / max(1, k)
        self.trained(k / max(1, per_epoch), done, cost)

    def fault(self, message: str) -> None:
        """An unexpected failure in this run: pause it and say so; others go on."""
        self.state, self.step_target, self.credit = PAUSED, None, 0.0
        self.dirty = True  # the next frame shows the run as it was kept
        self.send({"type": "error", "code": "internal_error", "message": message})
        self.status(reason="internal_error")

    def trained(self, asked: float, done: int, cost_per_epoch: float) -> None:
        """Book ``done`` of ``asked`` epochs just trained, and say what the run reached."""
        self.epoch_cost = 0.8 * self.epoch_cost + 0.2 * cost_per_epoch
        self.trained_at = time.perf_counter()
        self.epochs_trained += done
        self.metrics.epochs.inc(done)
        self.credit = max(0.0, self.credit - asked)
        self.dirty = True
        if self.trainer.state == DIVERGED:
            self.state, self.step_target = DIVERGED, None
            session_event("diverged", self.token, self.address, epoch=self.trainer.epoch,
                          learning_rate=self.trainer.config.learning_rate)
            self.status(reason="non-finite loss or weight; the last finite weights are kept")
        elif self.trainer.epoch >= self.settings.max_epochs and self.state == RUNNING:
            self.state, self.step_target = PAUSED, None
            self.status(reason="epoch_limit")
        elif self.step_target is not None and self.trainer.epoch >= self.step_target:
            self.step_target = None
            self.status()

    # --- frames -----------------------------------------------------------------------
    def frame_due(self, now: float) -> bool:
        if self.outbox is None or self.trainer is None or not self.dirty:
            return False
        if now < self.next_frame_at:
            return False
        if self.outbox.frame is None or hasattr(self.outbox.frame, "sweep"):
            return True  # at most one frame in flight and one waiting (a sweep's gives way)
        return now - self.frame_built_at > STALE_FRAME_SECONDS  # replace a stale waiting one

    def push_frame(self, now: float) -> None:
        """Build the frame for the weights now and put it in the outbox's slot."""
        outbox = self.outbox
        history_from = self.history_sent
        if hasattr(outbox.frame, "sweep"):  # a waiting sweep frame gives way (app/sweeps.py)
            outbox.frame.sweep.dropped(outbox.frame)
        elif outbox.frame is not None:  # replacing an unsent frame: repeat its history
            history_from = outbox.frame_history_from
            self.metrics.frames_dropped.inc()
        if outbox.frame_generation != self.generation or history_from > len(self.trainer.history):
            history_from = 0  # a new run or a restore: the whole history again
        frame = build_frame(self.trainer, generation=self.generation, state=self.state,
                            history_from=history_from,
                            resolution=self.settings.grid_resolution,
                            neuron_resolution=self.settings.neuron_resolution)
        outbox.put_frame(frame, history_from, self.generation)
        if self.member is not None:  # the teacher's wall takes its thumbnail from this frame
            self.member.framed(frame)
        self.history_sent = len(self.trainer.history)
        # frames on a fixed beat of 1/max_fps: the average rate is the cap, never above it
        period = 1.0 / self.settings.max_fps
        self.next_frame_at = max(self.next_frame_at + period, now - period / 2)
        self.last_frame_at = self.frame_built_at = now
        self.dirty = False
        self.snapshots.add(self.trainer)

    # --- the shared store (app/store.py) ------------------------------------------------
    def to_record(self) -> dict:
        """This session now, cheaply; ``encode_record`` turns it into JSON text (slower:
        run it off the event loop)."""
        return {"version": 1, "generation": self.generation, "speed": self.speed,
                "state": self.state,
                "run": capture_run(self.trainer) if self.trainer is not None else None}

    @staticmethod
    def encode_record(record: dict) -> str:
        run = record["run"]
        packed = {**record, "run": pack_captured(run) if run is not None else None}
        return json.dumps(packed, separators=(",", ":"), allow_nan=False)

    def checkpoint_key(self) -> tuple:
        epoch = self.trainer.epoch if self.trainer is not None else 0
        return (self.generation, epoch, self.state)

    @classmethod
    def from_record(cls, token: str, address: str, settings: Settings, text: bytes | str,
                    metrics: Metrics = UNEXPOSED) -> Session:
        """A detached session rebuilt from ``encode_record``'s JSON, as it was saved
        (slow for long runs: call it off the event loop)."""
        record = json.loads(text)
        session = cls(token, address, settings, metrics)
        session.generation, session.speed = record["generation"], record["speed"]
        session.state = record["state"]
        if record["run"] is not None:
            session.trainer, initial = unpack_run(record["run"])
            session.snapshots.add_snapshot(initial)
            session.snapshots.add(session.trainer)
        return session
