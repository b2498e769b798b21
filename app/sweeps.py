"""A session's live sweep: variants of its run trained together beside it, and their frames.

``sweep {vary: {field, values}, epochs}`` takes the session's current configuration (its
seed and data), makes one variant per value (each validated as that field, refusals
naming ``vary.values[i]``) and trains them all in ``core.sweep.SweepRun`` (stacked where
shapes allow). The scheduler advances live sweeps within its training budget, each
sweep counting as one more learner in the fair share, so the main run of every session
keeps its pace; sweep frames go out at most ``SWEEP_FPS`` a second and only when the
socket has nothing else to send, so they never delay a main frame.

A sweep frame waits in the outbox's one frame slot. ``Session.push_frame`` may replace a
waiting one (a main frame always wins); the sweep is then told (``dropped``) and its
next frame repeats the history the lost one carried, so every variant's history arrives
complete. One live sweep per session: a new one replaces the old.
"""

from __future__ import annotations

import itertools
import logging
import struct
import time

from app.protocol import INVALID_FIELD, ProtocolError, dumps_bytes, require_number
from app.training import ApiError, parse_sweep
from core.grid import output_grid, to_uint8
from core.sweep import SweepRun, best_index
from core.trainer import DIVERGED

SWEEP_RESOLUTION = 32     # each variant's grid is R×R: small multiples, small frames
SWEEP_FPS = 10            # sweep frames per second per socket, at most
MAX_SWEEP_EPOCHS = 2000   # 16 variants × 2000 epochs of history stays bounded
NO_SWEEP = "no_sweep"
HISTORY_KEYS = ("epoch", "train_loss", "test_loss", "train_error", "test_error",
                "validation_loss", "validation_error", "penalty")
LATEST_KEYS = HISTORY_KEYS[1:]
_ids = itertools.count(1)
log = logging.getLogger("nnlive.sweeps")
_turns = itertools.count()


class SweepFrame(bytes):
    """A sweep frame in the outbox slot; ``sweep`` and ``marks`` let it be given back."""

    sweep: LiveSweep
    marks: list[int]


class LiveSweep:
    def __init__(self, field: str, configs: list, epochs: int, dataset=None):
        self.id = next(_ids)
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

    def build_frame(self, outbox) -> SweepFrame:
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
        frame = SweepFrame(_encode(header, blobs))
        frame.sweep, frame.marks = self, marks
        self.dirty = False
        return frame

    def _variant(self, i: int) -> tuple[dict, bytes]:
        trainer = self.run.trainer(i)
        config = trainer.config
        labels = trainer.dataset.train[:, 2] if config.task == "regression" else None
        values, lo, hi = output_grid(trainer.network, config.features, SWEEP_RESOLUTION, labels)
        variant = self._variant_numbers(i)
        variant["history"] = [{k: e.get(k) for k in HISTORY_KEYS}
                              for e in trainer.history[self.sent[i]:]]
        variant["grid"] = {"shape": list(values.shape), "dtype": "uint8", "range": [lo, hi]}
        return variant, to_uint8(values, lo, hi)

    def dropped(self, frame: SweepFrame) -> None:
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
    header["grid"] = {"shape": shape, "dtype": "uint8", "offset": 0, "length": offset}
    head = dumps_bytes(header)
    return b"".join([struct.pack("<I", len(head)), head, *blobs])


# --- messages (app/handlers.py dispatches them) -----------------------------------------
def start_sweep(session, message: dict) -> None:
    epochs = require_number(message, "epochs", 1, MAX_SWEEP_EPOCHS, integer=True)
    base = session.trainer.config
    body = {"config": base.to_dict(), "vary": message.get("vary"), "epochs": epochs}
    if "vary" not in message:
        raise ProtocolError(INVALID_FIELD, "vary is missing; it must be {\"field\": F, "
                            "\"values\": [v1, …]} with 2 to 16 values.", "vary")
    try:
        start, field, configs, _ = parse_sweep(body)  # start: base, maybe with validation
    except ApiError as exc:
        raise ProtocolError(exc.code, exc.message, exc.field) from None
    old = getattr(session, "sweep", None)
    same_rows = start.validation_ratio == base.validation_ratio  # else split anew
    sweep = LiveSweep(field, configs, epochs, session.trainer.dataset if same_rows else None)
    if old is not None:  # the frame rate cap holds across sweeps, per socket
        sweep.next_frame_at = old.next_frame_at
    session.sweep = sweep
    replaced = old.id if old is not None and not old.finished else None
    session.send(sweep.started_message(start.to_dict(), replaced))


def stop_sweep(session, message: dict) -> None:
    sweep = getattr(session, "sweep", None)
    if sweep is None or sweep.finished:
        raise ProtocolError(NO_SWEEP, "sweep_stop needs a live sweep; there is none "
                            "running (send sweep {vary, epochs} to start one).")
    sweep.finished, sweep.dirty = True, True
    session.send(sweep.done_message(stopped=True))


# --- the scheduler's part (app/scheduler.py calls these each tick) ----------------------
def live_sweeps(sessions) -> list:
    """Sessions whose sweep wants training now (attached to a socket)."""
    return [s for s in sessions if getattr(s, "sweep", None) is not None
            and s.outbox is not None and s.sweep.wants_training()]


def train_sweeps(sessions: list, budget: float) -> None:
    """Round robin from a rotating start: each sweep a quota of what is left of ``budget``."""
    if not sessions:
        return
    start = next(_turns) % len(sessions)
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
        sweep = getattr(session, "sweep", None)
        if sweep is None or not sweep.frame_due(session.outbox, now):
            continue
        if time.perf_counter() > deadline:
            break
        outbox = session.outbox
        frame = _guarded(session, sweep.build_frame, outbox)
        if frame is not None:
            outbox.put_frame(frame, session.history_sent, outbox.frame_generation)
        sweep.next_frame_at = max(sweep.next_frame_at + 1 / SWEEP_FPS, now - 0.05)


def _guarded(session, work, *args):
    """``work(*args)``; a failure stops this sweep alone (the run and others go on)."""
    try:
        return work(*args) or True
    except Exception:
        log.exception("sweep of session %s failed", session.token[:6])
        session.sweep.finished, session.sweep.dirty = True, False
        session.send({"type": "error", "code": "internal_error", "message": "The server "
                      "failed on this sweep and stopped it; the run is unchanged."})
        return None
