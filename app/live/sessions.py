"""The session manager, kept on ``app.state``: creates, finds, caps and frees sessions.

A session is counted from its socket's ``hello`` until it is freed: closed, or detached
for longer than the grace period. Caps are global and per client address (an IPv6
client by its /64, ``app.clients``); new sessions from one address are also limited in
rate, so a class behind one NAT can arrive together while a script cannot take every
place at once.

With a shared store (``app.live.store``), a detached session is saved there, and ``fetch``
brings a session saved by another worker home before its socket opens it here.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
import time
from collections import Counter

from app.clients import RateLimiter, client_key
from app.live.closing import Closer
from app.live.run import RunState
from app.live.session import Session
from app.live.store import LocalStore
from app.logs import session_event
from app.memory import MemoryJanitor
from app.metrics import UNEXPOSED, Metrics
from app.protocol import CLOSE_REPLACED
from app.settings import Settings
from app.sweep_budget import SweepBudget

log = logging.getLogger("nnlive.sessions")
REFRESH_SHARE = 1 / 3  # attached sessions are refreshed in the store this often per grace


class SessionLimit(RuntimeError):
    """No room for another session; ``reason`` is sent with close code 1013."""

    def __init__(self, reason: str, kind: str = "server_full"):
        super().__init__(reason)
        self.reason, self.kind = reason, kind


class SessionManager:
    def __init__(self, settings: Settings, metrics: Metrics = UNEXPOSED,
                 store: LocalStore | None = None):
        self.settings, self.metrics = settings, metrics
        self.store = store if store is not None else LocalStore()
        self.store.on_lost = self.lost
        self.sessions: dict[str, Session] = {}
        self.arrivals = RateLimiter(settings.session_rate, settings.session_burst)
        self.janitor = MemoryJanitor()
        self.sweep_budget = SweepBudget(settings.max_sweeps, settings.sweep_memory_mb,
                                        self.janitor)
        self._last_refresh = 0.0
        self.closer = Closer()  # sockets of sessions claimed elsewhere, being closed

    def open(self, address: str, token: str | None = None) -> tuple[Session, bool]:
        """(session, resumed): the session of ``token`` if it still exists, else a new one."""
        if token is not None and token in self.sessions:
            session = self.sessions[token]
            self.store.attached(token)
            self.metrics.sessions_opened.labels(kind="resumed").inc()
            session_event("resumed", token, address, epoch=session.run.epoch,
                          state=session.run.state)
            return session, True
        try:
            self._check_room(address)
        except SessionLimit as exc:
            self.metrics.sessions_refused.labels(reason=exc.kind).inc()
            session_event("refused", None, address, reason=exc.kind,
                          sessions=len(self.sessions))
            raise
        token = secrets.token_urlsafe(16)
        session = self._new_session(token, address)
        self.sessions[token] = session
        self.store.attached(token)
        self.metrics.sessions_opened.labels(kind="new").inc()
        session_event("opened", token, address, sessions=len(self.sessions))
        return session, False

    def arrival_allowed(self, address: str, token: str | None) -> bool:
        """Before a socket is accepted: a resume always, a new session only within the
        address's rate (its refusal is an HTTP 403, cheaper than a socket: a script
        opening sockets in a loop costs little, and a browser backs off)."""
        if token is not None and token in self.sessions:
            return True
        if self.arrivals.take(client_key(address)):
            return True
        self.metrics.sessions_refused.labels(reason="rate").inc()
        session_event("refused", None, address, reason="rate", sessions=len(self.sessions))
        return False

    def _check_room(self, address: str) -> None:
        key = client_key(address)
        if len(self.sessions) >= self.settings.max_sessions:
            self._make_room(lambda s: True)
        if len(self.sessions) >= self.settings.max_sessions:
            raise SessionLimit(f"server full: {self.settings.max_sessions} sessions; "
                               "try again later", "server_full")
        if self.per_client()[key] >= self.settings.max_sessions_per_client:
            self._make_room(lambda s: client_key(s.address) == key)
        if self.per_client()[key] >= self.settings.max_sessions_per_client:
            raise SessionLimit(f"too many sessions from this address: at most "
                               f"{self.settings.max_sessions_per_client}; close a tab or "
                               "wait a minute", "per_client")

    def _new_session(self, token: str, address: str) -> Session:
        """A session of this manager: its live sweeps take leases of this budget."""
        return Session(token, address, self.settings, self.metrics, self.sweep_budget)

    def per_client(self) -> Counter:
        """Sessions held by each client address (IPv6: each /64)."""
        return Counter(client_key(s.address) for s in self.sessions.values())

    def _make_room(self, belongs) -> None:
        """At a cap, a session waiting for a reconnect gives way to a learner who is here:
        the one detached longest, among those ``belongs`` picks (a class behind one NAT
        that reloads its pages would otherwise wait out the grace period)."""
        detached = [s for s in self.sessions.values()
                    if belongs(s) and s.outbox is None and s.detached_at is not None]
        if detached:
            self.free(min(detached, key=lambda s: s.detached_at), why="made room")

    async def fetch(self, token: str, address: str) -> None:
        """Before ``open(address, token)``: make the local copy of ``token`` the one to
        resume. A copy claimed by another worker since is stale and dropped; a session
        saved by another worker is claimed and rebuilt here."""
        if not self.store.shared:
            return
        local = self.sessions.get(token)
        if local is not None:
            if await self.store.owner(token) in (None, self.store.worker):
                return
            self.lost([token])
        text = await self.store.claim(token)
        if text is None:
            return
        try:  # in a thread: a long run takes tens of milliseconds to rebuild
            session = await asyncio.to_thread(Session.from_record, token, address,
                                              self.settings, text, self.metrics,
                                              self.sweep_budget)
        except Exception:  # a record from an incompatible version: start afresh
            log.exception("could not rebuild session %s", token[:6])
            return
        if token in self.sessions:  # another socket brought it home meanwhile
            return
        self.sessions[token] = session
        self.metrics.sessions_opened.labels(kind="claimed").inc()
        session_event("claimed", token, address, epoch=session.run.epoch,
                      state=session.run.state)

    def detach(self, session: Session) -> None:
        """The socket went away: keep the session for the grace period (or free it)."""
        session.detach()
        if self.settings.grace_seconds == 0 or session.lost:
            self.free(session, forget=not session.lost)
            return
        if self.store.shared:
            self.store.save(session.token, self._encoder(session), attached=False)
            session.mark_saved()
        session_event("detached", session.token, session.address, epoch=session.run.epoch,
                      state=session.run.state, grace=self.settings.grace_seconds)

    def free(self, session: Session, *, forget: bool = True, why: str = "closed") -> None:
        if self.sessions.get(session.token) is session:
            del self.sessions[session.token]
            if forget:
                self.store.forget(session.token)
            session_event("freed", session.token, session.address, epoch=session.run.epoch,
                          why=why, sessions=len(self.sessions))
        session.release()
        self.janitor.released()

    def lost(self, tokens: list[str]) -> None:
        """These sessions were claimed by another worker: drop them here, closing their
        sockets (4001, as when a session is resumed on another socket)."""
        for token in tokens:
            session = self.sessions.get(token)
            if session is None:
                continue
            websocket = session.websocket
            session.mark_lost()
            self.free(session, forget=False, why="claimed elsewhere")
            if websocket is not None:
                self.closer.later(websocket, CLOSE_REPLACED, "session resumed on another worker")

    def reap(self, now: float | None = None) -> int:
        """Free sessions detached for longer than the grace period; how many were freed."""
        now = time.monotonic() if now is None else now
        grace = self.settings.grace_seconds
        expired = [s for s in self.sessions.values()
                   if s.outbox is None and s.detached_at is not None
                   and now - s.detached_at > grace]
        for session in expired:
            self.free(session, why="grace period over")
        return len(expired)

    def housekeeping(self, now: float) -> None:
        """Once a second: reap, end the sweep leases no longer held, give memory back
        (``app.memory``); with a shared store, checkpoint sessions that came to rest
        (paused, diverged) and keep the attached ones alive there."""
        self.reap()
        self.arrivals.forget_full()
        self.sweep_budget.prune()  # sweeps replaced or freed: their memory goes back
        self.janitor.tidy()
        if not self.store.shared:
            return
        attached = [s for s in self.sessions.values() if s.outbox is not None and not s.lost]
        for session in attached:
            resting = session.run.state in (RunState.PAUSED, RunState.DIVERGED)
            if resting and session.checkpoint_key() != session.saved:
                self.store.save(session.token, self._encoder(session), attached=True)
                session.mark_saved()
        if now - self._last_refresh >= self.settings.grace_seconds * REFRESH_SHARE:
            self._last_refresh = now
            self.store.refresh([s.token for s in attached])

    @staticmethod
    def _encoder(session: Session):
        return functools.partial(Session.encode_record, session.to_record())

    def counts(self) -> dict:
        attached = sum(1 for s in self.sessions.values() if s.outbox is not None)
        return {"sessions": len(self.sessions), "attached": attached}
