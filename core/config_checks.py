"""Value checks behind the configuration validator, and the error they raise.

Each check takes the field's name (``"hidden[2]"`` for an element), the value and what is
allowed, and returns the value in its canonical type or raises ``ConfigError`` with one
sentence naming the field, what is allowed and what came.
"""

import json
import math
import numbers
from typing import Any


class ConfigError(ValueError):
    """A field-level refusal: ``field`` (e.g. ``"hidden[2]"``), a full sentence
    ``message``, the ``allowed`` values in words, and what was ``received``."""

    def __init__(self, field: str, message: str, allowed: str, received: Any):
        super().__init__(message)
        self.field, self.message, self.allowed = field, message, allowed
        self.received = json_safe(received)

    def to_dict(self) -> dict:
        return {"code": "invalid_config", "field": self.field, "message": self.message,
                "allowed": self.allowed, "received": self.received}


def json_safe(value: Any, depth: int = 0) -> Any:
    """What came, in a form JSON can carry (no NaN, bounded size)."""
    if value is None or isinstance(value, (bool, str)):
        return value if not isinstance(value, str) or len(value) <= 200 else value[:200] + "…"
    if isinstance(value, numbers.Integral):
        return int(value) if abs(value) < 2**64 else show(value)
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(value) else show(value)
    if isinstance(value, (list, tuple)) and depth < 3:
        if len(value) > 20:
            return f"a list of {len(value)} items"
        return [json_safe(item, depth + 1) for item in value]
    return show(value)


def show(value: Any) -> str:
    """JSON-like text of a value for messages: 11, 2.5, NaN, true, "abc", [1, 2]."""
    if isinstance(value, (list, tuple)) and len(value) > 20:
        return f"a list of {len(value)} items"
    if isinstance(value, numbers.Integral) and abs(value) >= 10**30:
        return "a very large positive integer" if value > 0 else "a very large negative integer"
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def fail(field: str, allowed: str, received: Any) -> ConfigError:
    return ConfigError(field, f"{field} must be {allowed}; got {show(received)}.",
                       allowed, received)


def fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def check_number(field: str, value: Any, lo: float | None, hi: float | None, *,
            integer: bool = False, lo_exclusive: bool = False, allowed: str | None = None):
    """A finite number (bools and strings refused) in [lo, hi]; ints for integer fields.

    A whole float such as 3.0 counts as the integer 3 (JSON writers differ), 2.5 does not.
    """
    if allowed is None:
        allowed = range_words(integer, lo, hi, lo_exclusive)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise fail(field, allowed, value)
    if isinstance(value, numbers.Integral):
        value = int(value)
    elif not math.isfinite(value) or (integer and not float(value).is_integer()):
        raise fail(field, allowed, value)
    too_low = lo is not None and (value <= lo if lo_exclusive else value < lo)
    if too_low or (hi is not None and value > hi):
        raise fail(field, allowed, value)
    return int(value) if integer else float(value)


def range_words(integer: bool, lo, hi, lo_exclusive: bool = False) -> str:
    noun = "an integer" if integer else "a number"
    if lo_exclusive:
        return f"{noun} greater than {fmt(lo)} and at most {fmt(hi)}"
    return f"{noun} from {fmt(lo)} to {fmt(hi)}"


def check_choice(field: str, value: Any, choices: tuple) -> str:
    if not isinstance(value, str) or value not in choices:
        raise fail(field, "one of " + ", ".join(choices), value)
    return value


def check_sequence(field: str, value: Any, lo: int, hi: int, what: str) -> list:
    if not isinstance(value, (list, tuple)) or not lo <= len(value) <= hi:
        raise fail(field, f"a list of {lo} to {hi} {what}", value)
    return list(value)
