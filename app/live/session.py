"""One learner's session: a token, its run, the socket attached, its live sweep.

The session outlives a socket: on a drop it is detached (training pauses) and kept for
the grace period so ``?session=TOKEN`` can resume it. The run (``LiveRun``) changes only
through its own methods and the socket's frames only through their pacing
(``FramePacing``); the session ties the two together and says what happened (``status``).
All methods run on the event loop, never concurrently with training (the scheduler
trains between messages), so a change here always lands "at the next mini-batch".
"""

from __future__ import annotations

import time

from app.live.frames import build_frame
from app.live.outbox import Frame, Outbox
from app.live.pacing import FramePacing
from app.live.records import Checkpoint, Restored, capture
from app.live.run import LiveRun, Reached, RunState
from app.live.saving import Saving
from app.live.store.base import Gone
from app.live.sweeps import SweepSlot
from app.logs import session_event
from app.metrics import UNEXPOSED, Metrics
from app.protocol import dumps
from app.settings import Settings
from app.sweep_budget import SweepBudget
from core.config import Config
from core.snapshot import Snapshot
from core.trainer import Trainer


class Session:
    def __init__(self, token: str, address: str, settings: Settings,
                 metrics: Metrics = UNEXPOSED, sweep_budget: SweepBudget | None = None,
                 persistent: bool = False):
        self.token, self.address, self.settings = token, address, settings
        self.metrics = metrics
        self.run = LiveRun(settings.max_epochs)
        self.pacing: FramePacing | None = None  # the attached socket's frames
        self.websocket = None      # the attached socket, to close it if resumed elsewhere
        self.detached_at: float | None = time.monotonic()
        self.sweeps = SweepSlot()
        self.sweep_budget = sweep_budget  # what this session's live sweeps lease from
        self.saving = Saving(persistent)  # checkpoints in the store, and their answers
        self.restored: Restored | None = None  # rebuilt from the store, not yet greeted
        self.lost = False          # claimed by another worker: never saved or resumed here
        self.member = None         # its class membership (app/classroom/members.py), if any

    # --- what others read -------------------------------------------------------------
    @property
    def trainer(self) -> Trainer | None:
        return self.run.trainer

    @property
    def outbox(self) -> Outbox | None:
        return self.pacing.outbox if self.pacing is not None else None

    @property
    def sweep(self):
        """The live sweep beside the run (app/live/sweeps.py), if any."""
        return self.sweeps.current

    @property
    def epoch_cost(self) -> float:
        return self.run.epoch_cost

    @property
    def trained_at(self) -> float:
        return self.run.trained_at

    @property
    def speed(self) -> float:
        return self.run.speed

    @property
    def last_frame_at(self) -> float:
        return self.pacing.last_frame_at if self.pacing is not None else 0.0

    # --- socket -----------------------------------------------------------------------
    def attach(self, outbox: Outbox, websocket=None) -> None:
        self.count_sent_frames()
        self.pacing = FramePacing(outbox, self.settings.max_fps)
        self.websocket, self.detached_at = websocket, None

    def detach(self) -> None:
        self.count_sent_frames()
        self.pacing, self.websocket, self.detached_at = None, None, time.monotonic()

    def count_sent_frames(self) -> None:
        """Add the frames this socket sent since the last count to the metrics."""
        if self.pacing is not None:
            self.pacing.count_sent(self.metrics)

    def send(self, message: dict) -> None:
        if message.get("type") == "error":
            self.metrics.errors.labels(code=message.get("code", "unknown")).inc()
        if self.pacing is not None:
            self.pacing.outbox.put_text(dumps(message))

    def status(self, **extra) -> None:
        run = self.run
        self.send({"type": "status", "state": run.state, "epoch": run.epoch,
                   "generation": run.generation, "speed": run.speed,
                   **self.saving.status(), **extra})

    def send_dataset(self) -> None:
        trainer = self.trainer
        self.send({"type": "dataset", "config": trainer.config.to_dict(),
                   "generation": self.run.generation, **trainer.dataset.as_rows()})

    # --- runs -------------------------------------------------------------------------
    def new_run(self, config: Config, *, state: RunState) -> None:
        """A fresh run at epoch 0: ``dataset``, then the epoch-0 frame."""
        self.run.start(config, state)
        self.send_dataset()
        self.show_now()

    def load_run(self, trainer: Trainer, initial: Snapshot) -> None:
        """A run read from a file: ``dataset``, then its frame, paused where it was."""
        self.run.load(trainer, initial)
        self.send_dataset()
        self.show_now()

    def reset_run(self) -> None:
        self.run.reset()
        self.show_now()

    def rewind(self, epoch: int) -> int:
        """Back to the newest snapshot at or before ``epoch``; paused. Returns its epoch."""
        epoch = self.run.rewind(epoch)
        self.show_now()
        return epoch

    def set_weight(self, layer: int, row: int, to: int, value: float) -> None:
        self.run.set_weight(layer, row, to, value)
        if self.pacing is not None:  # the current epoch's entry was measured again
            self.pacing.resend_from(len(self.trainer.history) - 1)

    def show_now(self) -> None:
        """A restart's first frame goes out before any training."""
        if self.pacing is not None:
            self.push_frame(time.monotonic())

    def release(self) -> None:
        """The session is freed: its run goes (and its sweep's lease with it)."""
        self.count_sent_frames()
        self.run.drop()

    def mark_lost(self) -> None:
        """Claimed by another worker: never saved or resumed here again."""
        self.lost = True

    # --- training (called by the scheduler) -------------------------------------------
    def wants_training(self) -> bool:
        return self.pacing is not None and self.run.wants_training()

    def epochs_allowed(self) -> float:
        return self.run.epochs_allowed()

    def accrue(self, dt: float) -> None:
        if self.pacing is not None:
            self.run.accrue(dt)

    def train(self, epochs: int) -> None:
        """Train alone (the scheduler trains sessions of one shape together instead)."""
        self.trained(*self.run.train(epochs))

    def train_batches(self, k: int) -> None:
        """Train ``k`` mini-batches alone: a long epoch sliced so the loop stays free."""
        self.trained(*self.run.train_batches(k))

    def trained(self, asked: float, done: int, cost_per_epoch: float) -> None:
        """Book ``done`` of ``asked`` epochs just trained, and say what the run reached."""
        self.metrics.epochs.inc(done)
        reached = self.run.trained(asked, done, cost_per_epoch)
        if reached is Reached.DIVERGED:
            trainer = self.trainer
            session_event("diverged", self.token, self.address, epoch=trainer.epoch,
                          learning_rate=trainer.config.learning_rate)
            self.status(reason="non-finite loss or weight; the last finite weights are kept")
        elif reached is Reached.EPOCH_LIMIT:
            self.status(reason="epoch_limit")
        elif reached is Reached.STEP_DONE:
            self.status()

    def fault(self, message: str) -> None:
        """An unexpected failure in this run: pause it and say so; others go on."""
        self.run.fault()  # the next frame shows the run as it was kept
        self.send({"type": "error", "code": "internal_error", "message": message})
        self.status(reason="internal_error")

    # --- frames -----------------------------------------------------------------------
    def frame_due(self, now: float) -> bool:
        if self.pacing is None or self.trainer is None:
            return False
        return self.pacing.due(now, self.run.revision)

    def push_frame(self, now: float) -> None:
        """Build the frame for the weights now and put it in the outbox's slot."""
        run, pacing, settings = self.run, self.pacing, self.settings
        history = run.trainer.history
        start = pacing.history_from(run.generation, len(history), self.metrics)
        data = build_frame(run.trainer, generation=run.generation, state=run.state,
                           history_from=start, resolution=settings.grid_resolution,
                           neuron_resolution=settings.neuron_resolution)
        pacing.put(Frame(data, history_from=start), now, run.generation, run.revision,
                   len(history))
        if self.member is not None:  # the teacher's wall takes its thumbnail from this frame
            self.member.framed(data)
        run.snapshots.add(run.trainer)

    # --- the store (app/live/store/, records.py, saving.py) ---------------------------
    def checkpoint_key(self) -> tuple:
        """What a checkpoint holds changes with this: the run's revision, speed, config."""
        run = self.run
        return (run.revision, run.speed, run.state, run.trainer.config)

    def checkpoint_due(self, now: float) -> bool:
        run = self.run
        if self.lost or run.trainer is None:
            return False
        resting = run.state != RunState.RUNNING
        return self.saving.due(self.checkpoint_key(), run.generation, resting, now)

    def checkpoint(self, owner: str, *, exact: bool, now: float) -> Checkpoint:
        """The run now, for the store (cheap: encoded later, in the store's thread);
        ``exact``: its owner lets it go (a drop, the end of the grace, a shutdown)."""
        self.saving.captured(self.checkpoint_key(), self.run.generation, now)
        return capture(self.token, self.run, self.saving.written, owner=owner,
                       attached=self.pacing is not None, exact=exact)

    def stored(self, checkpoint: Checkpoint, outcome: Exception | None, now: float) -> None:
        """The store's answer to ``checkpoint``: the learner hears of any change."""
        if outcome is None:
            changed = self.saving.stored(checkpoint)
        elif isinstance(outcome, Gone):
            self.saving.start_over()
            return
        else:
            changed = self.saving.failed(outcome.fault, now)
            if changed:
                session_event("not saved", self.token, self.address, epoch=self.run.epoch,
                              reason=outcome.fault.value)
        if changed:
            self.status()

    def adopt(self, restored: Restored) -> None:
        """A run rebuilt from the store becomes this session's (greeted with where it
        was restored to: ``hello.restored``). Older than what the page last saw, it is a
        new generation: the page drops what it had after the restored epoch."""
        generation = restored.generation + (0 if restored.exact else 1)
        self.run.adopt(restored.trainer, restored.initial, generation=generation,
                       speed=restored.speed, state=restored.state)
        self.saving.written = restored.written()
        self.saving.captured(self.checkpoint_key(), restored.generation, time.monotonic())
        self.restored = restored

    def take_restored(self) -> Restored | None:
        """Where this session came from the store, once (for the first ``hello``)."""
        restored, self.restored = self.restored, None
        return restored
