"""What one socket has yet to send: a bounded queue of JSON texts and one frame slot.

A sender task drains it. Texts go first, in order (so ``dataset`` always precedes the
epoch-0 frame). The frame slot holds at most one frame (``Frame``: the run's, or a live
sweep's, said by its ``kind``); while one is in flight and one waits, nothing more is
built (``FramePacing.due``), so memory stays bounded however slowly the client reads.

A client that does not read its replies overflows the text queue (by count or bytes).
``put_text`` never raises: it is called from message handlers and from the scheduler
alike, and an exception there would stop training for every session. It marks the
outbox instead (``overflow``), and the socket's reader closes the socket (1008).
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Any

from starlette.websockets import WebSocket

MAX_TEXTS = 256  # replies owed to a client that never reads; beyond this it is closed
MAX_TEXT_BYTES = 4 * 2**20  # …or this many bytes of them (a dataset message is ≤ ~100 KB)


class FrameKind(Enum):
    RUN = "run"      # the session's run (app/live/frames.py)
    SWEEP = "sweep"  # its live sweep (app/live/sweeps.py): gives way to a run frame


@dataclass
class Frame:
    """A built frame waiting in the slot: its bytes, and what to do if it is replaced
    unsent (a run frame's history is repeated by the next; a sweep is told, ``marks``)."""

    data: bytes
    kind: FrameKind = FrameKind.RUN
    history_from: int = 0      # a run frame: the history index it starts at
    sweep: Any = None          # a sweep frame: its LiveSweep…
    marks: list[int] | None = None  # …and the history index each variant started at


class Outbox:
    def __init__(self, max_texts: int = MAX_TEXTS, max_bytes: int = MAX_TEXT_BYTES):
        self.max_texts, self.max_bytes = max_texts, max_bytes
        self.texts: deque[str] = deque()
        self.text_bytes = 0           # characters waiting (≈ bytes: the JSON is mostly ASCII)
        self.overflow: str | None = None
        self.overflowed = asyncio.Event()
        self.frame: Frame | None = None
        self.in_flight = False
        self.sending_text = False
        self.sent_frames = 0
        self._wake = asyncio.Event()

    def put_text(self, text: str) -> None:
        """Queue a reply; past the bounds, drop it and mark the outbox for closing."""
        if self.overflow is not None:
            return
        if len(self.texts) >= self.max_texts or self.text_bytes + len(text) > self.max_bytes:
            self.overflow = (f"more than {len(self.texts)} replies "
                             f"({self.text_bytes + len(text)} bytes) are waiting to be read")
            self.overflowed.set()
            return
        self.texts.append(text)
        self.text_bytes += len(text)
        self._wake.set()

    def put_frame(self, frame: Frame) -> None:
        """Wait in the slot, replacing any unsent frame (the caller settles for it)."""
        self.frame = frame
        self._wake.set()

    @property
    def idle(self) -> bool:
        """Nothing waits in the frame slot and nothing is being sent."""
        return self.frame is None and not self.in_flight

    async def drain(self, timeout: float) -> None:
        """Wait, at most ``timeout`` seconds, until every queued text has been sent (the
        last words before the server closes a socket)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (self.texts or self.sending_text) and loop.time() < deadline:
            await asyncio.sleep(0.01)

    async def run(self, websocket: WebSocket) -> None:
        """Send until cancelled or the socket fails."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self.texts:
                text = self.texts.popleft()
                self.text_bytes -= len(text)
                self.sending_text = True
                try:
                    await websocket.send_text(text)
                finally:
                    self.sending_text = False
            if self.frame is not None:
                frame, self.frame = self.frame, None
                self.in_flight = True
                try:
                    await websocket.send_bytes(frame.data)
                finally:
                    self.in_flight = False
                self.sent_frames += 1
                if self.texts or self.frame is not None:
                    self._wake.set()
