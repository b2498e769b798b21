"""Who may find a class: a teacher with its key, a learner with its code — and how often
an address may be wrong.

Every failed look-up (an unknown code, a missing or wrong key) spends one of the
address's attempts (``NNLIVE_CLASS_ATTEMPT_BURST`` at once, then
``NNLIVE_CLASS_ATTEMPT_RATE`` a second); with none left, every look-up from that
address is refused without looking, so the answers stop telling codes apart. A class
behind one school address gets the burst for its typos; a script guessing codes gets
0.2 a second: at most 17,280 of 887 million codes a day. Opening classes is limited
too (``NNLIVE_CLASS_CREATE_BURST`` at once, then one a minute per address;
``NNLIVE_MAX_CLASSES`` on the server). The limits are per worker process.
"""

from __future__ import annotations

from app.classroom.codes import bearer_key, key_matches, normalize_code
from app.classroom.records import ClassRecord
from app.classroom.store import LocalClassStore
from app.clients import RateLimiter, client_key
from app.settings import Settings
from app.training import ApiError

RETRY = {"Retry-After": "60"}


class Access:
    def __init__(self, settings: Settings, store: LocalClassStore):
        self.settings, self.store = settings, store
        self.attempts = RateLimiter(settings.class_attempt_rate, settings.class_attempt_burst)
        self.creations = RateLimiter(settings.class_create_rate, settings.class_create_burst)

    async def for_teacher(self, code_text: str, authorization: str | None,
                          address: str) -> ClassRecord:
        """The class, if ``authorization`` carries its key: else 404 (no such class) or
        403 (no key, or a wrong one), each spending one of the address's attempts."""
        record = await self._find(code_text, address)
        if not key_matches(bearer_key(authorization), record.key_digest):
            self._failed(address)
            raise ApiError("forbidden", "This class needs its teacher key, sent as "
                           "Authorization: Bearer KEY (the key in teacher_url).",
                           "authorization", status=403)
        return record

    async def for_learner(self, code_text: str | None, address: str) -> ClassRecord:
        """The class a learner asked to join (``?class=CODE``), or a refusal."""
        return await self._find(code_text, address)

    async def _find(self, code_text: str | None, address: str) -> ClassRecord:
        if not self.attempts.has(client_key(address)):
            raise ApiError("too_many_attempts", "Too many wrong class codes or keys from "
                           "this address; wait a minute and try again.", "class",
                           status=429, headers=RETRY)
        code = normalize_code(code_text)
        record = await self.store.get(code) if code is not None else None
        if record is None:
            self._failed(address)
            raise ApiError("unknown_class", "There is no class with this code (a code is 6 "
                           "letters and digits; a class ends after its retention period).",
                           "class", status=404)
        return record

    def _failed(self, address: str) -> None:
        self.attempts.take(client_key(address))

    async def may_create(self, address: str) -> None:
        """Refuses a new class past the address's rate or the server's cap."""
        if not self.creations.take(client_key(address)):
            raise ApiError("too_many_classes", "Too many classes opened from this address; "
                           "wait a minute.", status=429, headers=RETRY)
        if await self.store.count() >= self.settings.max_classes:
            raise ApiError("busy", f"The server has {self.settings.max_classes} classes open "
                           "(NNLIVE_MAX_CLASSES); try again later.", status=503, headers=RETRY)

    def tidy(self) -> None:
        self.attempts.forget_full()
        self.creations.forget_full()
