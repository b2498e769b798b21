"""A session's live sweep: variants of its run trained together beside it, and their frames.

``sweep {vary: {field, values}, epochs}`` takes the session's current configuration (its
seed and data), makes one variant per value (each validated as that field, refusals
naming ``vary.values[i]``) and trains them all in ``core.sweep.SweepRun`` (stacked where
shapes allow), within the server's sweep budget (``app.sweep_budget``). The scheduler
advances live sweeps within its training budget, each sweep counting as one more
learner in the fair share, so the main run of every session keeps its pace; sweep
frames go out at most ``SWEEP_FPS`` a second and only when the socket has nothing else
to send, so they never delay a main frame.

A sweep frame waits in the outbox's one frame slot (a ``Frame`` of kind ``SWEEP``). A
run frame may replace a waiting one (a main frame always wins); the sweep is then told
(``dropped``) and its next frame repeats the history the lost one carried, so every
variant's history arrives complete. One live sweep per session: a new one replaces the
old (``SweepSlot``).
"""

from __future__ import annotations

import itertools
import logging
import time

from app.live.frames import HISTORY_KEYS, LATEST_KEYS, grid_section
from app.live.outbox import Frame, FrameKind
from app.protocol import INVALID_FIELD, ProtocolError, encode_frame, require_number
from app.sweep_budget import SweepRefused
from app.training import ApiError, parse_sweep
from core.cost import sweep_bytes
from core.grid import output_grid
from core.sweep import SweepRun, best_index
from core.trainer import DIVERGED

SWEEP_RESOLUTION = 32     # each variant's grid is R×R: small multiples, small frames
SWEEP_FPS = 10            # sweep frames per second per socket, at most
MAX_SWEEP_EPOCHS = 2000   # 16 variants × 2000 epochs of history stays bounded
NO_SWEEP = "no_sweep"
log = logging.getLogger("nnlive.sweeps")


class LiveSweep:
    def __init__(self, field: str, configs: list, epochs: int, dataset=None, *,
                 sweep_id: int = 1):
        self.id = sweep_id
        self.field, self.epochs = field, epochs
        self.values = [c.to_dict()[field] for c in configs]
        self.run = SweepRun(configs, dataset)
        self.sent = [0] * len(configs)  # history index each variant's next frame starts at
        self.outbox = None              # the socket the marks count for
        self.cost = 1e-4 * len(configs)  # seconds per mini-batch step of every group
        self.next_frame_at = 0.0
        self.dirty = True
        self.finished = False           # trained to the end, or stopped

    # --- training --------------------------------------------------------------------
    def wants_training(self) -> bool:
        return not self.finished and self.run.epoch < self.epochs

    def train(self, quota: float) -> None:
        """As many mini-batch steps as fit in ``quota`` seconds (at least one): a slice
        ends mid-epoch when epochs are long, so it never holds the loop for long."""
        steps = int(max(1.0, quota / max(self.cost, 1e-7)))
        start = time.perf_counter()
        taken = self.run.train_steps(steps, self.epochs)
        if taken:
            self.cost = 0.7 * self.cost + 0.3 * (time.perf_counter() - start) / taken
        self.dirty = True
        alive = any(self.run.trainer(i).state != DIVERGED for i in range(len(self.values)))
        if self.run.epoch >= self.epochs or not alive:
            self.finished = True

    def stop(self, *, show: bool = True) -> None:
        """No more training; ``show``: one more frame says so."""
        self.finished, self.dirty = True, show

    # --- messages and frames ---------------------------------------------------------
    def started_message(self, base: dict, replaced: int | None) -> dict:
        return {"type": "sweep_started", "sweep": self.id, "field": self.field,
                "values": self.values, "epochs": self.epochs, "config": base,
                "resolution": SWEEP_RESOLUTION, "replaced": replaced}

    def _variant_numbers(self, i: int) -> dict:
        trainer = self.run.trainer(i)
        latest = trainer.history[-1]
        return {"value": self.values[i], "epoch": trainer.epoch, "state": trainer.state,
                **{k: latest.get(k) for k in LATEST_KEYS}}

    def best(self) -> int:
        return best_index([{"history": self.run.trainer(i).history}
                           for i in range(len(self.values))])

    def done_message(self, stopped: bool) -> dict:
        return {"type": "sweep_done", "sweep": self.id, "field": self.field,
                "epochs": self.epochs, "epoch": self.run.epoch, "stopped": stopped,
                "best": self.best(),
                "variants": [self._variant_numbers(i) for i in range(len(self.values))]}

    def frame_due(self, outbox, now: float) -> bool:
        if outbox is None or not self.dirty or now < self.next_frame_at:
            return False
        return outbox.frame is None and not outbox.in_flight and not outbox.texts

    def build_frame(self, outbox) -> Frame:
        """Every variant's numbers, history since its last frame and R×R grid."""
        if outbox is not self.outbox:  # a new socket: every history from epoch 0
            self.outbox, self.sent = outbox, [0] * len(self.values)
        header = {"kind": "sweep", "sweep": self.id, "field": self.field,
                  "values": self.values, "epochs": self.epochs, "epoch": self.run.epoch,
                  "done": self.finished, "best": self.best(), "variants": []}
        blobs = []
        for i in range(len(self.values)):
            variant, blob = self._variant(i)
            header["variants"].append(variant)
            blobs.append(blob)
        marks, self.sent = self.sent, [len(self.run.trainer(i).history)
                                       for i in range(len(self.values))]
        self.dirty = False
        return Frame(_encode(header, blobs), FrameKind.SWEEP, sweep=self, marks=marks)

    def _variant(self, i: int) -> tuple[dict, bytes]:
        trainer = self.run.trainer(i)
        config = trainer.config
        labels = trainer.dataset.train[:, 2] if config.task == "regression" else None
        grid = output_grid(trainer.network, config.features, SWEEP_RESOLUTION, labels)
        variant = self._variant_numbers(i)
        variant["history"] = [{k: e.get(k) for k in HISTORY_KEYS}
                              for e in trainer.history[self.sent[i]:]]
        return variant, grid_section(grid, variant)

    def dropped(self, frame: Frame) -> None:
        """A main frame took the slot before ``frame`` went out: resend its history."""
        self.sent = [min(a, b) for a, b in zip(self.sent, frame.marks)]
        self.dirty = True


def _encode(header: dict, blobs: list[bytes]) -> bytes:
    """The frame layout of docs/protocol.md: the output grid section holds every
    variant's grid in turn (``grid``: shape [V, R, R] or [V, R, R, K]); each variant's
    ``grid`` gets its own ``offset`` (from the first byte after the header) and range."""
    offset = 0
    for variant, blob in zip(header["variants"], blobs):
        variant["grid"]["offset"], variant["grid"]["length"] = offset, len(blob)
        offset += len(blob)
    shape = [len(blobs), *header["variants"][0]["grid"]["shape"]]
    header["grid"] = {"shape": shape, "dtype": "uint8"}
    return encode_frame(header, [("grid", b"".join(blobs))])


class SweepSlot:
    """A session's live sweep: one at a time, numbered in turn within the session."""

    def __init__(self) -> None:
        self.current: LiveSweep | None = None
        self._ids = itertools.count(1)

    def start(self, field: str, configs: list, epochs: int, dataset) -> int | None:
        """A new sweep in the slot; the id of the unfinished one it replaced, if any."""
        old = self.current
        sweep = LiveSweep(field, configs, epochs, dataset, sweep_id=next(self._ids))
        if old is not None:  # the frame rate cap holds across sweeps, per socket
            sweep.next_frame_at = old.next_frame_at
        self.current = sweep
        return old.id if old is not None and not old.finished else None


# --- messages (app/live/handlers.py dispatches them) ------------------------------------
def start_sweep(session, message: dict) -> None:
    """A live sweep, within the server's sweep budget: a refusal (field, cost, or a
    budget with no room now) leaves the session as it was. The lease lasts while this
    sweep is the session's and the session is not freed."""
    epochs = require_number(message, "epochs", 1, MAX_SWEEP_EPOCHS, integer=True)
    base = session.trainer.config
    if "vary" not in message:
        raise ProtocolError(INVALID_FIELD, "vary is missing; it must be {\"field\": F, "
                            "\"values\": [v1, …]} with 2 to 16 values.", "vary")
    body = {"config": base.to_dict(), "vary": message["vary"], "epochs": epochs}
    try:
        start, field, configs, _ = parse_sweep(body)  # start: base, maybe with validation
    except ApiError as exc:
        raise ProtocolError(exc.code, exc.message, exc.field) from None
    budget = session.sweep_budget
    try:
        lease = budget.admit(sweep_bytes(configs))
    except SweepRefused as exc:
        raise ProtocolError(exc.code, exc.message, exc.field) from None
    same_rows = start.validation_ratio == base.validation_ratio  # else split anew
    try:
        replaced = session.sweeps.start(field, configs, epochs,
                                        session.trainer.dataset if same_rows else None)
    except BaseException:
        budget.release(lease)
        raise
    sweep = session.sweep
    lease.bind(held=lambda: session.sweep is sweep and session.trainer is not None,
               running=lambda: not sweep.finished)
    session.send(sweep.started_message(start.to_dict(), replaced))


def stop_sweep(session, message: dict) -> None:
    sweep = session.sweep
    if sweep is None or sweep.finished:
        raise ProtocolError(NO_SWEEP, "sweep_stop needs a live sweep; there is none "
                            "running (send sweep {vary, epochs} to start one).")
    sweep.stop()
    session.send(sweep.done_message(stopped=True))


# --- the scheduler's part (app/live/scheduler.py calls these each tick) -----------------
def live_sweeps(sessions) -> list:
    """Sessions whose sweep wants training now (attached to a socket)."""
    return [s for s in sessions if s.sweep is not None and s.outbox is not None
            and s.sweep.wants_training()]


def train_sweeps(sessions: list, budget: float, turn: int = 0) -> None:
    """Round robin from ``turn`` (the scheduler rotates it): each sweep a quota of what
    is left of ``budget``."""
    if not sessions:
        return
    start = turn % len(sessions)
    order = sessions[start:] + sessions[:start]
    deadline = time.perf_counter() + budget
    for k, session in enumerate(order):
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        sweep = session.sweep
        if _guarded(session, sweep.train, left / (len(order) - k)) and sweep.finished:
            session.send(sweep.done_message(stopped=False))


def push_sweep_frames(sessions, budget: float) -> None:
    """Due sweep frames into idle outboxes, within ``budget`` seconds."""
    now, deadline = time.monotonic(), time.perf_counter() + budget
    for session in sessions:
        sweep = session.sweep
        if sweep is None or not sweep.frame_due(session.outbox, now):
            continue
        if time.perf_counter() > deadline:
            break
        outbox = session.outbox
        frame = _guarded(session, sweep.build_frame, outbox)
        if frame is not None:
            outbox.put_frame(frame)
        sweep.next_frame_at = max(sweep.next_frame_at + 1 / SWEEP_FPS, now - 0.05)


def _guarded(session, work, *args):
    """``work(*args)``; a failure stops this sweep alone (the run and others go on)."""
    try:
        return work(*args) or True
    except Exception:
        log.exception("sweep of session %s failed", session.token[:6])
        session.sweep.stop(show=False)
        session.send({"type": "error", "code": "internal_error", "message": "The server "
                      "failed on this sweep and stopped it; the run is unchanged."})
        return None
