"""This worker's part of every class: its members, joining, and the loop that keeps them
in step with the store.

Every ``SYNC_SECONDS`` (and at once after a teacher's change on this worker), for each
class with members here: read the record, apply the teacher's new commands to the
members (``Member.follow``), write the tiles of members that built a frame since, the
data of members whose data changed, and the spotlight's frame if it trains here; a
member whose session was freed leaves. Any worker's wall therefore sees every learner,
at most ``SYNC_SECONDS`` late, and a command reaches every worker as fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from app.classroom.access import Access
from app.classroom.members import Member, clean_name
from app.classroom.records import ClassRecord
from app.classroom.store import LocalClassStore, StoreUnavailable
from app.settings import Settings
from app.training import ApiError

SYNC_SECONDS = 0.2  # the wall shows a learner at most this late (it asks 3 times a second)
PRUNE_EVERY = 60.0  # seconds between sweeps of expired classes and spent attempt buckets

log = logging.getLogger("nnlive.classroom")


class Classroom:
    def __init__(self, settings: Settings, sessions, store: LocalClassStore):
        self.settings, self.sessions, self.store = settings, sessions, store
        self.access = Access(settings, store)
        self.members: dict[str, dict[str, Member]] = {}  # code → learner id → member
        self.task: asyncio.Task | None = None
        self._pruned = time.monotonic()
        self._failing: set[str] = set()  # classes whose last sync found the store away

    def start(self) -> None:
        self.store.start()
        self.task = asyncio.create_task(self.run(), name="nnlive-classroom")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self.store.close()

    async def run(self) -> None:
        while True:
            began = time.perf_counter()
            for code in list(self.members):
                try:
                    await self.sync(code)
                except StoreUnavailable as exc:  # the learners train on; the wall waits
                    if code not in self._failing:  # once per outage, not five times a second
                        log.warning("class %s not synced: %s", code, exc)
                    self._failing.add(code)
                    continue
                except Exception:
                    log.exception("class %s sync failed", code)
                self._failing.discard(code)
            await self._tidy()
            await asyncio.sleep(max(0.01, SYNC_SECONDS - (time.perf_counter() - began)))

    # --- learners --------------------------------------------------------------------
    async def admit(self, session, query, address: str) -> str | None:
        """A new socket's ``?class=CODE&name=NAME``: None when it asks for no class or has
        joined; else why it was refused (the ``error`` is sent: the socket closes, 4003)."""
        if "class" not in query:
            return None
        try:
            await self.join(session, query.get("class"), query.get("name"), address)
        except ApiError as exc:
            session.send({"type": "error", "code": exc.code, "message": exc.message,
                          "field": exc.field})
            return exc.code
        except StoreUnavailable:  # the run itself works: the learner trains outside the class
            session.send({"type": "error", "code": "store_unavailable", "message": "The "
                          "class cannot be reached now; this run is not in it. Reload the "
                          "page in a moment to join.", "field": "class"})
        return None

    async def join(self, session, code_text: str | None, name_text: str | None,
                   address: str) -> None:
        """``/ws/train?class=CODE&name=NAME``: make the session a member (a ``class``
        message tells it the locks), or raise ``Refusal``."""
        if session.member is not None:  # resumed: it is a member already
            session.send(session.member.message())
            return
        name = clean_name(name_text)
        record = await self.access.for_learner(code_text, address)
        member = Member(session, record, name)
        session.member = member
        self.members.setdefault(record.code, {})[member.id] = member
        session.send(member.message())
        await self._publish(record, [member])  # a run restored from the store has data

    async def sync(self, code: str) -> None:
        members = self.members.get(code)
        if not members:  # no learner of this class trains here
            return
        gone = [m for m in members.values() if self.sessions.sessions.get(m.session.token)
                is not m.session]
        for member in gone:
            del members[member.id]
        record = await self.store.get(code)
        if record is None:
            self._end(code)
            return
        for member in list(members.values()):
            if member.follow(record):  # a restart costs a few ms: let the sockets in between
                await asyncio.sleep(0)
        await self._publish(record, list(members.values()))
        await self._spotlight(record, members)
        leaving = [m.id for m in gone if not m.session.lost]  # lost: resumed elsewhere
        await self.store.drop_tiles(code, leaving)
        await self.store.drop_blobs(code, ["data:" + i for i in leaving])
        if not members:
            self.members.pop(code, None)

    async def _publish(self, record: ClassRecord, members: list[Member]) -> None:
        """The members' tiles, and their data where it changed: read at one instant (a run
        may restart while the store writes), the data written first, so a tile never
        names data the wall cannot fetch."""
        now = time.time()
        data = {m: d for m in members if (d := m.data()) is not None}
        tiles = {m.id: m.tile(now) for m in members if m.tile_due(now)}
        await self.store.put_blobs(record.code, {"data:" + m.id: d[1] for m, d in data.items()},
                                   record.expires)
        for member, (key, _) in data.items():
            member.data_sent = key
        await self.store.put_tiles(record.code, tiles, record.expires)

    async def _spotlight(self, record: ClassRecord, members: dict[str, Member]) -> None:
        member = members.get(record.spotlight) if record.spotlight else None
        blob = member.spotlight() if member is not None else None
        if blob is not None:
            await self.store.put_blobs(record.code, {"spotlight": blob}, record.expires)

    def _end(self, code: str) -> None:
        """The class ended (or expired): its members go on as ordinary sessions."""
        for member in self.members.pop(code, {}).values():
            member.session.member = None
            member.session.send(member.message(ended=True, locks=[]))

    async def _tidy(self) -> None:
        if time.monotonic() - self._pruned < PRUNE_EVERY:
            return
        self._pruned = time.monotonic()
        self.access.tidy()
        try:
            await self.store.prune()
        except StoreUnavailable:  # the next sweep deletes it; an expired class is unseen
            pass

    def spotlit(self, record: ClassRecord) -> None:
        """A new spotlight: its learner's frame is sent at the next look, even if paused."""
        member = self.members.get(record.code, {}).get(record.spotlight or "")
        if member is not None:
            member.spot_fresh = True

