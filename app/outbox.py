"""What one socket has yet to send: a bounded queue of JSON texts and one frame slot.

A sender task drains it. Texts go first, in order (so ``dataset`` always precedes the
epoch-0 frame). The frame slot holds at most one frame; while one is in flight and one
waits, nothing more is built (see ``Session.frame_due``), so memory stays bounded
however slowly the client reads.

A client that does not read its replies overflows the text queue (by count or bytes).
``put_text`` never raises: it is called from message handlers and from the scheduler
alike, and an exception there would stop training for every session. It marks the
outbox instead (``overflow``), and the socket's reader closes the socket (1008).
"""

from __future__ import annotations

import asyncio
from collections import deque

from starlette.websockets import WebSocket

MAX_TEXTS = 256  # replies owed to a client that never reads; beyond this it is closed
MAX_TEXT_BYTES = 4 * 2**20  # …or this many bytes of them (a dataset message is ≤ ~100 KB)


class OutboxFull(RuntimeError):
    """The client sends requests but does not read the replies."""


class Outbox:
    def __init__(self, max_texts: int = MAX_TEXTS, max_bytes: int = MAX_TEXT_BYTES):
        self.max_texts, self.max_bytes = max_texts, max_bytes
        self.texts: deque[str] = deque()
        self.text_bytes = 0           # characters waiting (≈ bytes: the JSON is mostly ASCII)
        self.overflow: str | None = None
        self.overflowed = asyncio.Event()
        self.frame: bytes | None = None
        self.frame_history_from = 0   # history index the waiting frame starts at
        self.frame_generation = -1    # generation of the newest frame built for this socket
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

    def put_frame(self, frame: bytes, history_from: int, generation: int) -> None:
        """Wait in the slot, replacing any unsent frame (whose history ``frame`` repeats)."""
        self.frame, self.frame_history_from = frame, history_from
        self.frame_generation = generation
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
                    await websocket.send_bytes(frame)
                finally:
                    self.in_flight = False
                self.sent_frames += 1
                if self.texts or self.frame is not None:
                    self._wake.set()
