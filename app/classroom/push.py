"""What a teacher sends: a new class's title, and a push (configuration, locks, challenge).

Checked like every request body (``app.training``'s key and configuration checks), with
refusals naming the field. A pushed configuration is resolved once, seed included, so
every learner trains on the same rows from the same initial weights; a challenge's is
resolved as a sweep's (``core.sweep.sweep_base``: 20 % held out for validation when the
configuration holds none out), and it locks the data fields, so every run it ranks trains
and is chosen on the same rows.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from app.training import ApiError, check_keys
from core.challenge import parse_challenge
from core.config import FIELD_NAMES, validate_config
from core.config_checks import ConfigError
from core.sweep import DATA_FIELDS, sweep_base

TITLE_LENGTH = 80
UNSET = object()


class Refused(ApiError):
    """A refused value; the answer also says what is ``allowed`` and what was ``received``,
    so the wall can say it again in its own language (``static/js/errors.js``)."""

    def __init__(self, exc: ConfigError, code: str = "invalid_config"):
        super().__init__(code, exc.message, exc.field)
        self.allowed, self.received = exc.allowed, exc.received

    def body(self) -> dict:
        body = super().body()
        body["error"].update(allowed=self.allowed, received=self.received)
        return body


@dataclass(frozen=True)
class Push:
    config: dict | None         # resolved, or None: the class's configuration stays
    locks: list[str] | None     # None: the locks stay
    challenge: object = UNSET   # a challenge's dict, None to end it, UNSET: it stays


def parse_title(body) -> str:
    body = check_keys(body, ("title",))
    title = body.get("title", "")
    visible = isinstance(title, str) and not any(
        unicodedata.category(c).startswith("C") for c in title)
    if not (visible and len(title.strip()) <= TITLE_LENGTH):
        raise ApiError("invalid_field", f"title must be text of at most {TITLE_LENGTH} "
                       "characters, without control characters.", "title")
    return title.strip()


def parse_push(body, has_config: bool) -> Push:
    """``{"config"?, "lock"?, "challenge"?}``; ``has_config``: the class has a configuration
    already (locks alone need one)."""
    body = check_keys(body, ("config", "lock", "challenge"))
    if not body:
        raise ApiError("invalid_field", "Send config, lock or challenge.", "config")
    challenge = _challenge(body["challenge"]) if "challenge" in body else UNSET
    wants_challenge = challenge is not UNSET and challenge is not None
    if wants_challenge and "config" not in body:
        raise ApiError("invalid_field", "A challenge comes with its configuration: send "
                       "config with it.", "config")
    config = None
    if "config" in body:
        config = _config(body["config"], sweep_base if wants_challenge else validate_config)
    locks = _locks(body["lock"]) if "lock" in body else None
    if locks and config is None and not has_config:
        raise ApiError("invalid_field", "Locks keep learners on the class's configuration: "
                       "push a config first (or with them).", "lock")
    if wants_challenge:
        locks = list(dict.fromkeys([*DATA_FIELDS, *(locks or [])]))
    return Push(config, locks, challenge)


def _config(raw, resolve) -> dict:
    if not isinstance(raw, dict):
        raise ApiError("invalid_field", "config must be an object of configuration fields.",
                       "config")
    try:
        return resolve(raw).to_dict()
    except ConfigError as exc:
        raise Refused(exc) from None


def _locks(value) -> list[str]:
    if not isinstance(value, list) or len(value) > len(FIELD_NAMES):
        raise ApiError("invalid_field", f"lock must be a list of at most {len(FIELD_NAMES)} "
                       "configuration field names.", "lock")
    for i, name in enumerate(value):
        if name not in FIELD_NAMES:
            raise ApiError("invalid_field", f"lock[{i}] must be a configuration field: "
                           f"{', '.join(FIELD_NAMES)}.", f"lock[{i}]")
    return list(dict.fromkeys(value))


def _challenge(value) -> dict | None:
    if value is None:
        return None
    try:
        return parse_challenge(value).to_dict()
    except ConfigError as exc:
        raise Refused(exc, "invalid_field") from None
