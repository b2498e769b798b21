"""``/ws/train``: one socket = a reader (this handler) and a sender task (the outbox).

The reader decodes each message (a large one in a worker thread), hands it to
``app.live.handlers`` and turns any refusal into an ``error`` message; the session keeps
running. Training happens in the scheduler, never here. A socket that sends no
``start`` within ``NNLIVE_START_SECONDS``, or no message at all for
``NNLIVE_IDLE_SECONDS``, is closed with 4002 and its session freed: its place goes to
someone who is there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from datetime import UTC, datetime

from fastapi import APIRouter, WebSocket

from app.live.closing import close_socket
from app.live.handlers import handle
from app.live.outbox import Outbox
from app.live.session import Session
from app.live.sessions import SessionLimit, SessionManager
from app.protocol import (
    BINARY_NOT_SUPPORTED,
    CLOSE_CLASS_REFUSED,
    CLOSE_IDLE,
    CLOSE_NORMAL,
    CLOSE_POLICY,
    CLOSE_TRY_AGAIN_LATER,
    MESSAGE_TOO_BIG,
    PROTOCOL_VERSION,
    UNKNOWN_SESSION,
    ProtocolError,
    decode_client_text,
)
from app.security import origin_allowed

router = APIRouter()
log = logging.getLogger("nnlive.ws")
HANDLER_SHARE = 0.05  # of the event loop one socket's messages may use, sustained…
HANDLER_BURST = 0.25  # …after a burst of this many seconds (a learner clicking about)
OFF_LOOP_BYTES = 64 * 1024  # messages larger than this are parsed in a worker thread
# a run file may exceed NNLIVE_MAX_MESSAGE_BYTES: a message that starts {"type":"load"
# may have up to NNLIVE_MAX_RUN_BYTES, decided before a byte of it is parsed
LOAD_PREFIX = re.compile(r'\s*\{\s*"type"\s*:\s*"load"')


class Pacer:
    """Keeps one socket's message handling to a share of the loop: a client that floods
    costly messages (``start`` with 2,000 points, say) is read more slowly, so the others
    are still answered promptly. Nothing is refused; replies just come later."""

    def __init__(self, share: float = HANDLER_SHARE, burst: float = HANDLER_BURST):
        self.share, self.burst = share, burst
        self.credit, self.at = burst, time.perf_counter()

    def charge(self, seconds: float) -> float:
        """Spend ``seconds`` of handler time; how long to wait before reading on."""
        now = time.perf_counter()
        self.credit = min(self.burst, self.credit + (now - self.at) * self.share) - seconds
        self.at = now
        return 0.0 if self.credit >= 0 else -self.credit / self.share


@router.websocket("/ws/train")
async def train_socket(websocket: WebSocket) -> None:
    state = websocket.app.state
    if not origin_allowed(websocket, state.settings):
        await websocket.close(CLOSE_POLICY, "origin not allowed")  # before accept: HTTP 403
        return
    token = websocket.query_params.get("session")
    address = websocket.client.host if websocket.client else "unknown"
    if not state.sessions.arrival_allowed(address, token):
        await websocket.close(CLOSE_TRY_AGAIN_LATER, "too many new sessions")  # HTTP 403
        return
    await websocket.accept()
    try:
        session, found = state.sessions.open(address, token)
    except SessionLimit as exc:
        await websocket.close(CLOSE_TRY_AGAIN_LATER, exc.reason)
        return
    outbox, close_code, idle = Outbox(), None, ""
    state.sessions.attach(session, outbox, websocket)
    sender = asyncio.create_task(outbox.run(websocket), name=f"send-{session.token[:6]}")
    try:
        _greet(session, state.settings, found, token)
        refused = await state.classroom.admit(session, websocket.query_params, address)
        if refused is not None:  # ?class=CODE refused: say why, then close
            await outbox.drain(2.0)
            close_code, idle = CLOSE_CLASS_REFUSED, refused
        else:
            close_code = await _read_loop(websocket, session, state.settings, sender)
            idle = _idle_reason(session, state.settings)  # before the release frees the run
    finally:
        await _stop(sender)  # it may be stuck writing to a client that does not read
        _release(state.sessions, session, outbox, close_code)
    if outbox.overflow is not None:  # after the release: closing may take a while
        await close_socket(websocket, CLOSE_POLICY, f"not reading: {outbox.overflow}")
    elif close_code in (CLOSE_IDLE, CLOSE_CLASS_REFUSED):
        await close_socket(websocket, close_code, idle)


def _release(sessions: SessionManager, session: Session, outbox: Outbox,
             close_code: int | None) -> None:
    if session.outbox is not outbox:  # resumed on another socket meanwhile
        return
    if close_code in (CLOSE_NORMAL, CLOSE_IDLE, CLOSE_CLASS_REFUSED):  # nothing to resume
        sessions.free(session, why="closed" if close_code == CLOSE_NORMAL else "idle")
    else:                           # dropped, or going away (a reload): keep a while
        sessions.detach(session)


def _quiet_until(session: Session, settings, opened: float, last: float) -> float:
    """When this socket's silence ends it: no run yet by ``start_seconds`` after it
    opened, or no message for ``idle_seconds``."""
    if session.trainer is None:
        return opened + settings.start_seconds
    return last + settings.idle_seconds


def _idle_reason(session: Session, settings) -> str:
    if session.trainer is None:
        return f"no start within {settings.start_seconds:g} s"
    return f"idle: no message for {settings.idle_seconds:g} s"


def _greet(session: Session, settings, found: bool, token: str | None) -> None:
    """``hello``; for a session found again, its dataset and status. ``resumed`` only
    when the run is exactly where it was left; a run brought back from an older
    checkpoint (its server stopped without saving it) says where: ``restored``."""
    restored = session.take_restored()
    resumed = found and (restored is None or restored.exact)
    hello = {"type": "hello", "protocol": PROTOCOL_VERSION, "session": session.token,
             "resumed": resumed, "limits": settings.limits()}
    if restored is not None:
        hello["restored"] = {"epoch": session.run.epoch, "saved_at": _utc(restored.saved_at)}
    session.send(hello)
    if token is not None and not found:
        session.send(ProtocolError(UNKNOWN_SESSION, "That session no longer exists (closed, "
                                   "or kept past the server's retention); this is a new "
                                   "session.", "session").to_message())
    if found and session.trainer is not None:
        session.send_dataset()
        session.status(**({"resumed": True} if resumed else {}))
        if restored is not None:  # the first frame: the run exactly as it was restored
            session.show_now()


def _utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


async def _read_loop(websocket: WebSocket, session: Session, settings,
                     sender: asyncio.Task) -> int | None:
    """Handle messages until the socket closes (the client's close code, if any), the
    sender fails (the socket is gone), the client stops reading its replies (None), or
    it stays quiet too long (``CLOSE_IDLE``)."""
    outbox, pacer = session.outbox, Pacer()
    overflowed = asyncio.ensure_future(outbox.overflowed.wait())
    opened = last = time.monotonic()
    try:
        while outbox.overflow is None:
            receive = asyncio.ensure_future(websocket.receive())
            quiet = _quiet_until(session, settings, opened, last) - time.monotonic()
            done, _ = await asyncio.wait({receive, sender, overflowed}, timeout=max(0, quiet),
                                         return_when=asyncio.FIRST_COMPLETED)
            if receive not in done:
                receive.cancel()
                return CLOSE_IDLE if not done else None
            message = receive.result()
            if message["type"] == "websocket.disconnect":
                return message.get("code")
            began, last = time.perf_counter(), time.monotonic()
            await _handle(session, message, settings)
            wait = pacer.charge(time.perf_counter() - began)
            if wait > 0:
                await asyncio.sleep(wait)
        return None
    finally:
        overflowed.cancel()


async def _handle(session: Session, message: dict, settings) -> None:
    """One client message; any refusal becomes an ``error`` reply, never an exception."""
    try:
        handle(session, await _decode(message, settings.max_message_bytes,
                                      settings.max_run_bytes))
    except ProtocolError as exc:
        session.send(exc.to_message())
    except Exception:  # a bug must not take the learner's run down with it
        log.exception("message failed")
        session.send({"type": "error", "code": "internal_error",
                      "message": "The server could not handle that message; the run "
                      "is unchanged."})


async def _decode(message: dict, max_bytes: int, max_run_bytes: int) -> dict:
    if message.get("bytes") is not None:
        raise ProtocolError(BINARY_NOT_SUPPORTED, "Binary messages are not accepted; send "
                            "JSON text objects with a \"type\".")
    text = message.get("text") or ""
    size = len(text.encode("utf-8"))
    limit = max_run_bytes if LOAD_PREFIX.match(text) else max_bytes
    if size > limit:
        what = "A load message" if limit == max_run_bytes else "The message"
        raise ProtocolError(MESSAGE_TOO_BIG, f"{what} has {size} bytes; at most "
                            f"{limit} are accepted.")
    if size > OFF_LOOP_BYTES:
        return await asyncio.to_thread(decode_client_text, text)
    return decode_client_text(text)


async def _stop(task: asyncio.Task) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
