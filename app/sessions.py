"""The session manager, kept on ``app.state``: creates, finds, caps and frees sessions.

A session is counted from its socket's ``hello`` until it is freed: closed, or detached
for longer than the grace period. Caps are global and per client address.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter

from app.session import Session
from app.settings import Settings


class SessionLimit(RuntimeError):
    """No room for another session; ``reason`` is sent with close code 1013."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class SessionManager:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.sessions: dict[str, Session] = {}

    def open(self, address: str, token: str | None = None) -> tuple[Session, bool]:
        """(session, resumed): the session of ``token`` if it still exists, else a new one."""
        if token is not None and token in self.sessions:
            return self.sessions[token], True
        self._check_room(address)
        token = secrets.token_urlsafe(16)
        session = Session(token, address, self.settings)
        self.sessions[token] = session
        return session, False

    def _check_room(self, address: str) -> None:
        if len(self.sessions) >= self.settings.max_sessions:
            raise SessionLimit(f"server full: {self.settings.max_sessions} sessions; "
                               "try again later")
        mine = Counter(s.address for s in self.sessions.values())[address]
        if mine >= self.settings.max_sessions_per_client:
            raise SessionLimit(f"too many sessions from this address: at most "
                               f"{self.settings.max_sessions_per_client}; close a tab or "
                               "wait a minute")

    def detach(self, session: Session) -> None:
        """The socket went away: keep the session for the grace period (or free it)."""
        session.detach()
        if self.settings.grace_seconds == 0:
            self.free(session)

    def free(self, session: Session) -> None:
        self.sessions.pop(session.token, None)
        session.trainer = None
        session.snapshots.clear()

    def reap(self, now: float | None = None) -> int:
        """Free sessions detached for longer than the grace period; how many were freed."""
        now = time.monotonic() if now is None else now
        grace = self.settings.grace_seconds
        expired = [s for s in self.sessions.values()
                   if s.outbox is None and s.detached_at is not None
                   and now - s.detached_at > grace]
        for session in expired:
            self.free(session)
        return len(expired)

    def counts(self) -> dict:
        attached = sum(1 for s in self.sessions.values() if s.outbox is not None)
        return {"sessions": len(self.sessions), "attached": attached}
