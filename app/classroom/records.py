"""What a class is (its record), and what the wall shows of one learner (a tile).

A record holds the class's settings and the teacher's commands; every worker reads it
to keep its learners in step. Commands are numbered (``seq``): a member remembers the
last it applied, so each worker applies each command once, whichever worker received it.
The newest ``KEEP_COMMANDS`` are kept, far more than a worker misses between two looks.

A tile is one learner as JSON bytes, written by the worker that trains it and read by
whichever worker answers the wall.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import orjson

KEEP_COMMANDS = 32
COMMANDS = ("config", "pause", "resume", "reset")  # "config": restart on the class's config
STALE_TILE_SECONDS = 30.0  # a tile not rewritten for this long is a worker that went away
HEARTBEAT_SECONDS = 5.0    # so a worker rewrites every tile at least this often


@dataclass
class ClassRecord:
    code: str
    title: str
    key_digest: str
    created: float               # Unix time
    expires: float               # Unix time: the class and all it holds are deleted then
    config: dict | None = None   # the resolved configuration pushed to every learner
    locks: list[str] = field(default_factory=list)
    challenge: dict | None = None
    spotlight: str | None = None  # the learner id on the projector
    seq: int = 0                 # the newest command's number
    commands: list[dict] = field(default_factory=list)  # [{"seq", "kind"}], the newest

    def to_json(self) -> bytes:
        return orjson.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: bytes | str) -> ClassRecord:
        return cls(**orjson.loads(text))

    def expired(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) >= self.expires

    def add_command(self, kind: str) -> None:
        self.seq += 1
        self.commands = [*self.commands, {"seq": self.seq, "kind": kind}][-KEEP_COMMANDS:]

    def commands_after(self, seq: int) -> list[str]:
        """The kinds of the commands numbered after ``seq``, oldest first."""
        return [c["kind"] for c in self.commands if c["seq"] > seq]

    def public(self) -> dict:
        """The record as the teacher's answers show it (never the key's digest)."""
        return {"code": self.code, "title": self.title, "created": self.created,
                "expires": self.expires, "config": self.config, "locks": self.locks,
                "challenge": self.challenge, "spotlight": self.spotlight}


def read_tiles(raw: dict[str, bytes], now: float | None = None) -> tuple[list[dict], list[str]]:
    """(the tiles, ids of those gone stale) from the store's ``{id: JSON bytes}``."""
    now = time.time() if now is None else now
    tiles, stale = [], []
    for learner, text in raw.items():
        tile = orjson.loads(text)
        (stale.append(learner) if now - tile["at"] > STALE_TILE_SECONDS else tiles.append(tile))
    return tiles, stale
