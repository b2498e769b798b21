"""The session manager, kept on ``app.state``: creates, finds, caps and frees sessions.

A session is counted from its socket's ``hello`` until it is freed: closed, or detached
for longer than the grace period. Caps are per server (the sessions of every worker of
one ``nnlive serve`` count, through the store's heartbeats) and per client address in
this worker (an IPv6 client by its /64, ``app.clients``); new sessions from one address
are also limited in rate, so a class behind one NAT can arrive together while a script
cannot take every place at once.

Runs are kept in the store (``app.live.keeper``): a session freed after its grace
period, or held by a worker that stopped, comes back from there with its token.
"""

from __future__ import annotations

import logging
import math
import secrets
import time
from collections import Counter

from app.clients import RateLimiter, client_key
from app.live.closing import Closer
from app.live.keeper import Keeper
from app.live.outbox import Outbox
from app.live.session import Session
from app.live.store.front import MemoryStore, RecordStore
from app.logs import session_event
from app.memory import MemoryJanitor
from app.metrics import UNEXPOSED, Metrics
from app.protocol import CLOSE_REPLACED
from app.settings import Settings
from app.sweep_budget import SweepBudget

log = logging.getLogger("nnlive.sessions")


class SessionLimit(RuntimeError):
    """No room for another session; ``reason`` is sent with close code 1013."""

    def __init__(self, reason: str, kind: str = "server_full"):
        super().__init__(reason)
        self.reason, self.kind = reason, kind


class SessionManager:
    def __init__(self, settings: Settings, metrics: Metrics = UNEXPOSED,
                 store: MemoryStore | RecordStore | None = None):
        self.settings, self.metrics = settings, metrics
        self.keeper = Keeper(store if store is not None else MemoryStore(), metrics,
                             self.lost)
        self.sessions: dict[str, Session] = {}
        # an address's new sessions spread over the workers: each takes its share
        self.arrivals = RateLimiter(settings.per_worker(settings.session_rate),
                                    math.ceil(settings.per_worker(settings.session_burst)))
        self.janitor = MemoryJanitor()
        # the machine's sweep budget, shared out between the workers
        self.sweep_budget = SweepBudget(
            max(1, math.floor(settings.per_worker(settings.max_sweeps))),
            max(1, int(settings.per_worker(settings.sweep_memory_mb))), self.janitor)
        self.closer = Closer()  # sockets of sessions claimed elsewhere, being closed

    def open(self, address: str, token: str | None = None) -> tuple[Session, bool]:
        """(session, resumed): the session of ``token`` if it still exists, else a new one."""
        if token is not None and token in self.sessions:
            session = self.sessions[token]
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
        self.metrics.sessions_opened.labels(kind="new").inc()
        session_event("opened", token, address, sessions=len(self.sessions))
        return session, False

    def attach(self, session: Session, outbox: Outbox, websocket) -> None:
        """A socket for ``session``; one still attached elsewhere is closed (4001)."""
        if session.websocket is not None and session.outbox is not None:
            self.closer.later(session.websocket, CLOSE_REPLACED,
                              "session resumed on another socket")
        session.attach(outbox, websocket)
        if session.saving.written.generation >= 0:  # in the store: say it is here again
            self.keeper.save(session, exact=False)

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
        key, cap, others = client_key(address), self.session_cap(), self.keeper.others
        if len(self.sessions) + others.sessions >= cap:
            self._make_room(lambda s: True)
        if len(self.sessions) + others.sessions >= cap:
            raise SessionLimit(f"server full: {self.settings.max_sessions} sessions; "
                               "try again later", "server_full")
        held = others.crowds.get(key, 0)  # this address's sessions at the other workers
        if self.per_client()[key] + held >= self.settings.max_sessions_per_client:
            self._make_room(lambda s: client_key(s.address) == key)
        if self.per_client()[key] + held >= self.settings.max_sessions_per_client:
            raise SessionLimit(f"too many sessions from this address: at most "
                               f"{self.settings.max_sessions_per_client}; close a tab or "
                               "wait a minute", "per_client")

    def session_cap(self) -> int:
        """The server's cap as this worker applies it: whole, beside the other workers'
        sessions (their heartbeats), or its share without a store to count them in."""
        if self.keeper.persistent:
            return self.settings.max_sessions
        return math.ceil(self.settings.per_worker(self.settings.max_sessions))

    def _new_session(self, token: str, address: str) -> Session:
        """A session of this manager: its live sweeps take leases of this budget."""
        return Session(token, address, self.settings, self.metrics, self.sweep_budget,
                       persistent=self.keeper.persistent)

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
            self.free(min(detached, key=lambda s: s.detached_at), why="made room", keep=True)

    async def fetch(self, token: str, address: str) -> None:
        """Before ``open(address, token)``: make the local copy of ``token`` the one to
        resume. A copy another worker took since is stale and dropped; a session in the
        store (saved by another worker, or by this one before a restart) is claimed and
        rebuilt here."""
        local = self.sessions.get(token)
        if local is not None:
            if await self.keeper.still_ours(token):
                return
            self.lost([token])
        session = await self.keeper.claim(token, address, self._new_session)
        if session is None or token in self.sessions:  # another socket was quicker
            return
        self.sessions[token] = session
        self.metrics.sessions_opened.labels(kind="claimed").inc()

    def detach(self, session: Session) -> None:
        """The socket went away: keep the session for the grace period (or free it)."""
        session.detach()
        if self.settings.grace_seconds == 0 or session.lost:
            self.free(session, why="dropped", keep=True)
            return
        self.keeper.save(session, exact=True)
        session_event("detached", session.token, session.address, epoch=session.run.epoch,
                      state=session.run.state, grace=self.settings.grace_seconds)

    def free(self, session: Session, *, why: str = "closed", keep: bool = False) -> None:
        """Let the session go; ``keep``: its run stays in the store for its token (a drop,
        a grace period over), else it goes too (its page closed it: nobody can return)."""
        if self.sessions.get(session.token) is session:
            del self.sessions[session.token]
            if keep:
                self.keeper.save(session, exact=True, release=True)
            else:
                self.keeper.forget(session)
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
            self.free(session, why="claimed elsewhere")
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
            self.free(session, why="grace period over", keep=True)
        return len(expired)

    def checkpoints(self, now: float) -> None:
        """Checkpoint the runs that changed (the scheduler calls it several times a
        second; ``app.live.saving`` decides which are due)."""
        self.keeper.checkpoints(list(self.sessions.values()), now)

    def housekeeping(self, now: float) -> None:
        """Once a second: reap, end the sweep leases no longer held, give memory back
        (``app.memory``), tell the store this worker lives."""
        self.reap()
        self.arrivals.forget_full()
        self.sweep_budget.prune()  # sweeps replaced or freed: their memory goes back
        self.janitor.tidy()
        # every address, one learner alone included: the per-address cap sums them
        # over the workers (at most max_sessions entries, a few kB a second)
        self.keeper.heartbeat(list(self.sessions.values()), dict(self.per_client()))

    async def close(self) -> None:
        """Shutdown: every run written as it is, for a restart to bring back."""
        await self.keeper.close(list(self.sessions.values()))

    def counts(self) -> dict:
        attached = sum(1 for s in self.sessions.values() if s.outbox is not None)
        return {"sessions": len(self.sessions), "attached": attached}
