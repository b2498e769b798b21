"""The sessions of one worker kept in the store (``app.live.store``): checkpoints, claims,
heartbeats.

- A session with a run is checkpointed while it trains (every half second) and as soon
  as it changes at rest; when its socket drops, when it is freed after the grace
  period and at shutdown its exact state is written (``exact``: its owner let go).
- ``?session=TOKEN`` on a worker that does not hold the session claims it from the
  store and rebuilds it; the worker that held it (if alive) learns at its next
  heartbeat or write that it lost it, and closes its socket (4001).
- A session closed by its page (or gone quiet) is deleted: nobody can come back to it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from app.live.records import KIND, Checkpoint, rebuild
from app.live.session import Session
from app.live.store.base import NotOwner, Others
from app.live.store.front import MemoryStore, RecordStore
from app.logs import session_event
from app.metrics import Metrics

log = logging.getLogger("nnlive.sessions")


class Keeper:
    def __init__(self, store: MemoryStore | RecordStore, metrics: Metrics,
                 lost: Callable[[list[str]], None]):
        self.store, self.metrics, self.lost = store, metrics, lost
        self.others = Others()  # what the other workers of this server hold (heartbeats)

    @property
    def persistent(self) -> bool:
        return self.store.persistent

    # --- writes -----------------------------------------------------------------------
    def checkpoints(self, sessions: list[Session], now: float) -> None:
        """Checkpoint the attached sessions whose run changed enough since the last."""
        for session in sessions:
            if session.pacing is not None and session.checkpoint_due(now):
                self.save(session, exact=False)

    def save(self, session: Session, *, exact: bool, release: bool = False) -> None:
        """Write ``session``'s run (if it has one and is still this worker's);
        ``release``: nobody holds it in memory any more, any worker may take it."""
        if not self.persistent or session.lost or session.trainer is None:
            return
        owner = "" if release else self.store.worker
        checkpoint = session.checkpoint(owner, exact=exact, now=time.monotonic())
        self.store.put(KIND, session.token, checkpoint.encode,
                       lambda outcome: self._answered(session, checkpoint, outcome))

    def _answered(self, session: Session, checkpoint: Checkpoint,
                  outcome: Exception | None) -> None:
        if isinstance(outcome, NotOwner):
            self.lost([session.token])
        else:
            session.stored(checkpoint, outcome, time.monotonic())

    def forget(self, session: Session) -> None:
        if self.persistent and not session.lost and session.trainer is not None:
            self.store.delete(KIND, session.token)

    def heartbeat(self, sessions: list[Session], crowds: dict[str, int]) -> None:
        """This worker lives; learn what the others hold and which sessions they took."""
        if self.persistent:
            attached = [s.token for s in sessions if s.pacing is not None and not s.lost]
            self.store.heartbeat(len(sessions), crowds, attached, self._beat)

    def _beat(self, others: Others) -> None:
        self.others = others
        self.lost(others.lost)

    # --- claims -----------------------------------------------------------------------
    async def still_ours(self, token: str) -> bool:
        """Whether this worker's copy of ``token`` is still the one to resume."""
        if not self.persistent:
            return True
        return await self.store.owner(KIND, token) in (None, "", self.store.worker)

    async def claim(self, token: str, address: str,
                    new_session: Callable[[str, str], Session]) -> Session | None:
        """The session of ``token`` from the store, now owned here, or None."""
        if not self.persistent:
            return None
        stored = await self.store.claim(KIND, token)
        if stored is None:
            return None
        try:  # in a thread: a long run takes tens of milliseconds to rebuild
            restored = await asyncio.to_thread(rebuild, stored)
        except Exception:  # a record from an incompatible version: start afresh
            log.exception("could not rebuild session %s", token[:6])
            return None
        session = new_session(token, address)
        session.adopt(restored)
        session_event("claimed", token, address, epoch=session.run.epoch,
                      state=session.run.state, exact=restored.exact)
        return session

    async def close(self, sessions: list[Session]) -> None:
        """At shutdown: every run written as it is, released; then the store closes."""
        for session in sessions:
            self.save(session, exact=True, release=True)
        await self.store.close()
