"""One learner's membership of a class, on the worker that trains it.

The member keeps a reference to the newest frame its session built (``framed``, called by
``Session.push_frame``): the wall's thumbnail is that frame's output grid, picked down to
``THUMBNAIL`` cells a side (``core.thumbnails``), and its numbers are the run's own
history — nothing is evaluated again for the wall. It applies the teacher's commands to
its session through the same calls the learner's own messages use (``app.live.handlers``),
and refuses the learner's changes to locked fields.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from collections.abc import Mapping

from app.classroom.records import HEARTBEAT_SECONDS, ClassRecord
from app.live import handlers
from app.live.run import RunState
from app.protocol import ProtocolError, decode_frame, dumps_bytes, encode_frame, peek_frame
from app.training import ApiError
from core.config import Config, validate_config
from core.sweep import DATA_FIELDS
from core.thumbnails import thin_history, thumbnail

LOCKED = "locked"
THUMBNAIL = 25           # cells a side of a wall thumbnail (a frame's grid is 50 or more)
SPOTLIGHT_HISTORY = 400  # history entries sent with the spotlight: one per pixel column
NAME_LENGTH = 24


def clean_name(text: object) -> str:
    """A display name as the learner chose it: trimmed, spaces collapsed, 1 – 24
    characters, none of them control or invisible formatting characters."""
    name = " ".join(unicodedata.normalize("NFC", text).split()) if isinstance(text, str) else ""
    hidden = any(unicodedata.category(c).startswith("C") for c in name)
    if not 1 <= len(name) <= NAME_LENGTH or hidden:
        raise ApiError("invalid_field", f"name must be 1 to {NAME_LENGTH} characters "
                       "(letters, digits, spaces, punctuation): the name the teacher's wall "
                       "shows.", "name", status=400)
    return name


class Member:
    def __init__(self, session, record: ClassRecord, name: str):
        self.session, self.code, self.name = session, record.code, name
        self.id = session.token[:6]
        self.applied = record.seq  # commands given before the learner joined are not replayed
        self.locks: list[str] = []
        self.challenge: dict | None = None
        self.config: Config | None = None
        self.config_source: dict | None = None  # the record's JSON it was validated from
        self.expires = record.expires
        self.frame: bytes | None = None
        self.fresh = self.spot_fresh = True  # something to show since the last tile
        self.tile_at = 0.0
        self.data_sent: str | None = None
        self._config_of: tuple = (None, None, None)  # (Config, its dict, its data key)
        self.follow(record, announce=False)

    # --- the session's side ---------------------------------------------------------
    def framed(self, frame: bytes) -> None:
        """The session built a frame (the thumbnail comes from it)."""
        self.frame = frame
        self.fresh = self.spot_fresh = True

    def check_update(self, partial: Mapping) -> None:
        """An ``update`` may not change a locked field (``error {code: "locked", field}``)."""
        for field in partial:
            if field in self.locks:
                raise ProtocolError(LOCKED, f"{field} is locked by the teacher of class "
                                    f"{self.code}; the other fields can still be changed.",
                                    field)

    def check_load(self, config: Config) -> None:
        """A run file opened in a class keeps the locked fields at the class's values."""
        for field in self.locks:
            if getattr(config, field, None) != getattr(self.config, field, None):
                raise ProtocolError(LOCKED, f"{field} is locked by the teacher of class "
                                    f"{self.code}, and this run file has another {field}.",
                                    field)

    def message(self, **extra) -> dict:
        return {"type": "class", "code": self.code, "name": self.name, "id": self.id,
                "locks": self.locks, "challenge": self.challenge, **extra}

    # --- the class's side -----------------------------------------------------------
    def follow(self, record: ClassRecord, *, announce: bool = True) -> bool:
        """Take the record's configuration and locks, and apply the commands given since
        the last look, oldest first (a configuration pushed twice restarts once). Whether
        there were any."""
        if record.config is not None and record.config != self.config_source:
            self.config, self.config_source = validate_config(record.config), record.config
        kinds = record.commands_after(self.applied)
        self.applied = record.seq
        last_config = max((i for i, k in enumerate(kinds) if k == "config"), default=None)
        for i, kind in enumerate(kinds):
            if kind != "config" or i == last_config:
                self._apply(kind)
        if (record.locks, record.challenge) != (self.locks, self.challenge):
            self.locks, self.challenge = list(record.locks), record.challenge
            if announce:
                self.session.send(self.message())
        return bool(kinds)

    def _apply(self, kind: str) -> None:
        session = self.session
        if session.trainer is None:
            return  # no run yet: its start takes the class's configuration
        if kind == "config":
            paused = session.run.state == RunState.PAUSED
            session.new_run(self.config, state=RunState.PAUSED if paused else RunState.RUNNING)
            session.status(reset=True, by="class")
        elif kind == "resume":
            try:
                handlers.resume(session, {})
            except ProtocolError:  # diverged, or at the epoch limit: it stays as it is
                pass
        else:
            getattr(handlers, kind)(session, {})  # pause, reset

    # --- what the wall shows ----------------------------------------------------------
    def tile_due(self, now: float) -> bool:
        return self.fresh or now - self.tile_at >= HEARTBEAT_SECONDS

    def tile(self, now: float) -> bytes:
        """This learner as the wall shows it (JSON bytes), from the newest frame."""
        session, trainer = self.session, self.session.trainer
        tile = {"id": self.id, "name": self.name, "at": now,
                "attached": session.outbox is not None, "state": session.run.state,
                "generation": session.run.generation, "epoch": 0, "train_loss": None,
                "test_loss": None, "validation_loss": None, "config": None, "data": None,
                "grid": None}
        if trainer is not None and self.frame is not None:
            header, body = peek_frame(self.frame)
            entry = trainer.history[min(header["epoch"], len(trainer.history) - 1)]
            config, data_key = self._config(trainer.config)[1:]
            tile.update(epoch=header["epoch"], state=header["state"], config=config,
                        data=data_key, grid=_thumbnail(header["grid"], body))
            tile.update({k: entry.get(k) for k in ("train_loss", "test_loss",
                                                   "validation_loss")})
        self.fresh, self.tile_at = False, now
        return dumps_bytes(tile)

    def data(self) -> tuple[str, bytes] | None:
        """(the data key, this learner's rows as JSON) when they changed since last sent
        (``data_sent``: the caller sets it once they are written)."""
        trainer = self.session.trainer
        if trainer is None:
            return None
        key = self._config(trainer.config)[2]
        if key == self.data_sent:
            return None
        return key, dumps_bytes({"key": key, **trainer.dataset.as_rows()})

    def spotlight(self) -> bytes | None:
        """The newest frame, its history the whole run's (thinned) and its header naming
        the learner: what the projector shows of this learner."""
        trainer = self.session.trainer
        if trainer is None or self.frame is None or not self.spot_fresh:
            return None
        header, body = decode_frame(self.frame)
        header.update(history=thin_history(trainer.history, SPOTLIGHT_HISTORY), id=self.id,
                      name=self.name, config=self._config(trainer.config)[1],
                      data=self._config(trainer.config)[2])
        blobs = [(name, body[header[name]["offset"]:][:header[name]["length"]])
                 for name in ("grid", "neurons") if header.get(name)]
        self.spot_fresh = False
        return encode_frame(header, blobs)

    def _config(self, config: Config) -> tuple:
        """(config, its JSON form without custom points, its data key), kept per config."""
        if self._config_of[0] is not config:
            as_dict = config.to_dict()
            rows = as_dict.pop("points", None)
            data = dumps_bytes([as_dict.get(f) for f in DATA_FIELDS if f != "points"] + [rows])
            self._config_of = (config, as_dict, hashlib.blake2b(data, digest_size=8).hexdigest())
        return self._config_of


def _thumbnail(grid: dict, body: bytes) -> dict:
    small, shape = thumbnail(body[grid["offset"]:grid["offset"] + grid["length"]],
                             grid["shape"], THUMBNAIL)
    return {"shape": shape, "range": grid["range"],
            "bytes": base64.b64encode(small).decode("ascii")}
