"""The wire protocol of ``/ws/train``: one version constant, message checks, frame bytes.

docs/protocol.md documents every message; ``static/js/protocol.js`` is the other side.
A frame is ``[uint32 LE header length][UTF-8 JSON header][output grid][neuron grids]``.
"""

from __future__ import annotations

import json
import math
import re
import struct
from typing import Any

import numpy as np
import orjson

from app import jsontext
from core.config_checks import json_safe

PROTOCOL_VERSION = 1

# each client message type and the fields it takes besides ``type``
CLIENT_FIELDS: dict[str, frozenset[str]] = {
    "start": frozenset({"config"}), "update": frozenset({"config"}),
    "pause": frozenset(), "resume": frozenset(), "step": frozenset({"epochs"}),
    "reset": frozenset(), "probe": frozenset({"x", "label"}),
    "speed": frozenset({"epochs_per_second"}), "restore": frozenset({"epoch"}),
    "sweep": frozenset({"vary", "epochs"}), "sweep_stop": frozenset(),
    "set_weight": frozenset({"layer", "from", "to", "value"}),
    "save": frozenset(), "load": frozenset({"run"}),
}
CLIENT_TYPES = tuple(CLIENT_FIELDS)

# error codes (docs/protocol.md lists them with their meaning)
BAD_JSON = "bad_json"
NOT_AN_OBJECT = "not_an_object"
UNKNOWN_TYPE = "unknown_type"
INVALID_FIELD = "invalid_field"
INVALID_CONFIG = "invalid_config"
BINARY_NOT_SUPPORTED = "binary_not_supported"
MESSAGE_TOO_BIG = "message_too_big"
NO_RUN = "no_run"
NOT_PAUSED = "not_paused"
DIVERGED = "diverged"
UNKNOWN_SESSION = "unknown_session"
NO_SNAPSHOT = "no_snapshot"
INVALID_RUN = "invalid_run"
RUN_TOO_LARGE = "run_too_large"

# close codes
CLOSE_NORMAL = 1000
CLOSE_POLICY = 1008          # origin refused, client not reading its replies
CLOSE_TOO_BIG = 1009
CLOSE_TRY_AGAIN_LATER = 1013  # session limits
CLOSE_REPLACED = 4001        # the same session was resumed on another socket
CLOSE_IDLE = 4002            # no start in time, or no message for a long time: freed
CLOSE_CLASS_REFUSED = 4003   # ?class=CODE refused (no such class, a bad name): freed


class ProtocolError(ValueError):
    """A refused client message: ``code``, a full-sentence ``message``, maybe a ``field``,
    and for a refused value what is ``allowed`` (words) and what was ``received``, so a
    page can say it again in its own language."""

    def __init__(self, code: str, message: str, field: str | None = None, *,
                 allowed: str | None = None, received: Any = None):
        message, field = _utf8_safe(message), _utf8_safe(field)
        super().__init__(message)
        self.code, self.message, self.field = code, message, field
        self.allowed, self.received = _utf8_safe(allowed), received

    def to_message(self) -> dict:
        out = {"type": "error", "code": self.code, "message": self.message}
        if self.field is not None:
            out["field"] = self.field
        if self.allowed is not None:
            out["allowed"], out["received"] = self.allowed, _received(self.received)
        return out


def _received(value: Any) -> Any:
    """What came, short and JSON-safe (a long text or list is cut)."""
    value = json_safe(value)
    return _utf8_safe(value) if isinstance(value, str) else value


def _utf8_safe(text: str | None) -> str | None:
    """Lone surrogates (legal in JSON "\\ud800", not in UTF-8) escaped, so a refusal
    that quotes the client's text can still be sent."""
    if text is None:
        return None
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def decode_client_text(text: str) -> dict:
    """A client's JSON text → a message object with a known ``type``."""
    try:
        message = jsontext.parse(text)
    except jsontext.JsonRefusal as exc:
        raise ProtocolError(exc.code, exc.message, exc.field) from None
    if not isinstance(message, dict):
        got = type(message).__name__ if message is not None else "null"
        raise ProtocolError(NOT_AN_OBJECT, f"A message must be a JSON object with a \"type\"; "
                            f"got a {_json_kind(message) or got}.")
    kind = message.get("type")
    if kind not in CLIENT_TYPES:
        raise ProtocolError(UNKNOWN_TYPE, f"type must be one of {', '.join(CLIENT_TYPES)}; "
                            f"got {json.dumps(kind)[:60]}.", "type")
    return message


def _json_kind(value: Any) -> str:
    return {list: "list", str: "string", bool: "boolean", int: "number",
            float: "number"}.get(type(value), "")


def require_number(message: dict, field: str, lo: float, hi: float, *,
                   integer: bool = False, also: tuple = ()) -> float:
    """``message[field]`` as a finite number in [lo, hi] (or one of ``also``)."""
    noun = "an integer" if integer else "a number"
    extra = "".join(f" or {a}" for a in also)
    allowed = f"{noun} from {lo:g} to {hi:g}{extra}"
    if field not in message:
        raise ProtocolError(INVALID_FIELD, f"{field} is missing; it must be {allowed}.", field,
                            allowed=allowed)
    value = message[field]
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    ok = ok and math.isfinite(value) and (not integer or float(value).is_integer())
    if not ok or not (lo <= value <= hi or value in also):
        raise ProtocolError(INVALID_FIELD, f"{field} must be {allowed}; got "
                            f"{json.dumps(value)[:60]}.", field, allowed=allowed,
                            received=value)
    return int(value) if integer else float(value)


def finite(value: Any) -> Any:
    """A JSON-ready copy: numpy → Python, NaN and ±Infinity → None, tuples → lists."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, np.ndarray):
        return finite(value.tolist())
    if isinstance(value, np.generic):
        return finite(value.item())
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def dumps(value: Any) -> str:
    """Compact JSON that never carries NaN: non-finite numbers become null."""
    return dumps_bytes(value).decode("utf-8")


def dumps_bytes(value: Any) -> bytes:
    """``dumps`` as UTF-8 bytes, the form a frame header takes.

    orjson writes NaN and ±Infinity as null, as the protocol asks, and numpy values as
    numbers, at a tenth of the standard encoder's cost (a frame header: ≈ 3 µs against
    40). What it refuses (integers beyond 64 bits, lone surrogates) takes the standard
    encoder after ``finite`` has walked the value.
    """
    try:
        return orjson.dumps(value, default=_plain, option=orjson.OPT_SERIALIZE_NUMPY)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(finite(value), separators=(",", ":"), allow_nan=False).encode()


def _plain(value: Any) -> Any:
    """numpy scalars and arrays, and tuples, for the encoder."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def encode_frame(header: dict, blobs: list[tuple[str, bytes]]) -> bytes:
    """One binary frame: ``header`` gains ``offset``/``length`` for each named blob
    (``header[name]``), then ``[len][header][blob…]``; offsets count from the first blob."""
    offset = 0
    for name, blob in blobs:
        if header.get(name) is not None:
            header[name]["offset"], header[name]["length"] = offset, len(blob)
            offset += len(blob)
    head = dumps_bytes(header)
    parts = [struct.pack("<I", len(head)), head]
    parts.extend(blob for name, blob in blobs if header.get(name) is not None)
    return b"".join(parts)


FRAME_START = re.compile(rb'\{"epoch":(\d+),"generation":(\d+),"state":"(\w+)"')


def peek_frame(data: bytes) -> tuple[dict, bytes]:
    """A live frame's ``epoch``, ``generation``, ``state`` and ``grid`` entry, and its bytes
    after the header, without reading the whole header (history, weights: a glance at a
    learner costs microseconds). A frame's header begins with those three keys
    (``app/live/frames.py``) and its grid entry holds no object; anything else is read whole."""
    (n,) = struct.unpack_from("<I", data, 0)
    head = data[4 : 4 + n]
    start, at = FRAME_START.match(head), head.rfind(b'"grid":{')
    if start is None or at < 0:
        header, body = decode_frame(data)
        return {k: header.get(k) for k in ("epoch", "generation", "state", "grid")}, body
    grid = orjson.loads(head[at + 7 : head.index(b"}", at) + 1])
    return {"epoch": int(start[1]), "generation": int(start[2]),
            "state": start[3].decode("ascii"), "grid": grid}, data[4 + n :]


def decode_frame(data: bytes) -> tuple[dict, bytes]:
    """(header, payload) from a frame — used by tests, benchmarks and the class wall."""
    (n,) = struct.unpack_from("<I", data, 0)
    return orjson.loads(data[4 : 4 + n]), data[4 + n :]
