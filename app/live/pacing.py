"""One socket's frames: when the next is due, and the history it starts at.

Frames go out on a fixed beat of 1/max_fps at most, only when the run changed since the
last one (its ``revision``), with at most one frame in flight and one waiting in the
outbox. A waiting frame is replaced by a newer one only when it has waited longer than
``STALE_FRAME_SECONDS`` (its history is then carried into the new one), or when it is a
live sweep's (which gives way, and is told so). Each socket has its own pacing: a
reconnect starts again with the whole history.
"""

from __future__ import annotations

from app.live.outbox import Frame, FrameKind, Outbox
from app.metrics import Metrics

STALE_FRAME_SECONDS = 1.0  # a waiting frame older than this is replaced by a newer one


class FramePacing:
    def __init__(self, outbox: Outbox, max_fps: float):
        self.outbox = outbox
        self.period = 1.0 / max_fps
        self.history_sent = 0      # history index the next frame starts at
        self.shown: int | None = None  # the run revision the last frame showed
        self.generation = -1       # generation of the newest run frame built here
        self.last_frame_at = 0.0
        self.next_frame_at = 0.0
        self.built_at = 0.0
        self.frames_counted = 0    # outbox.sent_frames already added to the metrics

    def due(self, now: float, revision: int) -> bool:
        if revision == self.shown or now < self.next_frame_at:
            return False
        waiting = self.outbox.frame
        if waiting is None or waiting.kind is FrameKind.SWEEP:
            return True  # at most one frame in flight and one waiting (a sweep's gives way)
        return now - self.built_at > STALE_FRAME_SECONDS  # replace a stale waiting one

    def history_from(self, generation: int, history_length: int, metrics: Metrics) -> int:
        """Where the next run frame's history starts; a frame still waiting in the slot
        gives way (a sweep's is told; a run frame's history is repeated)."""
        start, waiting = self.history_sent, self.outbox.frame
        if waiting is not None and waiting.kind is FrameKind.SWEEP:
            waiting.sweep.dropped(waiting)
        elif waiting is not None:
            start = waiting.history_from
            metrics.frames_dropped.inc()
        if self.generation != generation or start > history_length:
            start = 0  # a new run or a restore: the whole history again
        return start

    def put(self, frame: Frame, now: float, generation: int, revision: int,
            history_length: int) -> None:
        """``frame`` into the outbox's slot; the next one is due a period later."""
        self.outbox.put_frame(frame)
        self.generation, self.shown = generation, revision
        self.history_sent = history_length
        # frames on a fixed beat of 1/max_fps: the average rate is the cap, never above it
        self.next_frame_at = max(self.next_frame_at + self.period, now - self.period / 2)
        self.last_frame_at = self.built_at = now

    def resend_from(self, index: int) -> None:
        """History entries from ``index`` on changed: the next frame carries them again."""
        self.history_sent = min(self.history_sent, index)

    def count_sent(self, metrics: Metrics) -> None:
        """Add the frames sent since the last count to the metrics."""
        sent = self.outbox.sent_frames
        metrics.frames_sent.inc(sent - self.frames_counted)
        self.frames_counted = sent
