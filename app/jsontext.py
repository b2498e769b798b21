"""Client JSON (HTTP bodies and WebSocket messages) parsed with every refusal naming
where in the document it is.

Python's parser accepts what the protocol does not, or fails in ways that are not
``JSONDecodeError``: ``NaN`` and ``Infinity``, integers past 4,300 digits
(``ValueError``), nesting past the interpreter's recursion limit (``RecursionError``).
Here each becomes a ``JsonRefusal`` with code ``bad_json``, a sentence, and the path of
the value (``config.hidden[2]``) or of the top-level key under which it was found.
Nesting is limited to ``MAX_DEPTH`` levels (a training request needs 4), so nothing
downstream ever walks a deep structure.
"""

from __future__ import annotations

import json
import re

MAX_DEPTH = 32
MAX_DIGITS = 400  # a double's largest whole number has 309 digits


class JsonRefusal(ValueError):
    """``code`` (``bad_json``), a full-sentence ``message``, the ``field`` path or None."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.code, self.message, self.field = "bad_json", message, field


class _Refused:
    """Stands in for a value the parser had to take but the protocol refuses."""

    def __init__(self, why: str):
        self.why = why


def _constant(name: str) -> _Refused:
    return _Refused(f"{name} is not allowed: every number must be finite")


def _integer(text: str) -> int | _Refused:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        return _Refused(f"a number with {digits:,} digits is not allowed: numbers must "
                        "fit in a double")
    return int(text)


def parse(text: str, what: str = "The message") -> object:
    """``text`` as JSON, or a ``JsonRefusal`` naming the field that is wrong."""
    try:
        value = json.loads(text, parse_constant=_constant, parse_int=_integer)
    except json.JSONDecodeError as exc:
        raise JsonRefusal(f"{what} is not valid JSON: {exc.msg} at character "
                          f"{exc.pos}.") from None
    except RecursionError:
        key = _deep_key(text)
        where = f" (under {key})" if key else ""
        raise JsonRefusal(f"{what} is nested too deeply{where}: at most {MAX_DEPTH} "
                          "levels are accepted.", key) from None
    _check(value, what)
    return value


def _check(value: object, what: str) -> None:
    """Walk ``value`` (without recursion) for refused values and excess depth."""
    stack: list[tuple[object, tuple, int]] = [(value, (), 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, _Refused):
            raise JsonRefusal(f"{_where(path, what)}: {item.why}.", _field(path))
        if depth >= MAX_DEPTH and isinstance(item, (dict, list)) and item:
            raise JsonRefusal(f"{_where(path, what)} is nested too deeply: at most "
                              f"{MAX_DEPTH} levels are accepted.", _field(path[:1]))
        if isinstance(item, dict):
            stack.extend((v, (*path, k), depth + 1) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, (*path, i), depth + 1) for i, v in enumerate(item))


def _field(path: tuple) -> str | None:
    """``("config", "hidden", 2)`` → ``config.hidden[2]``; None when the document is not
    an object (there is no field to name)."""
    if not path or not isinstance(path[0], str):
        return None
    text = path[0]
    for part in path[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _where(path: tuple, what: str) -> str:
    field = _field(path)
    return field if field is not None else what


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:]')


def _deep_key(text: str) -> str | None:
    """The top-level key under which ``text`` nests past ``MAX_DEPTH`` (a scan that
    stops there; only run after the parser gave up)."""
    depth, key, last = 0, None, None
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return key
        elif token in "]}":
            depth -= 1
        elif token == ":" and depth == 1 and last is not None:
            key = _field((json.loads(last),))
        last = token if token.startswith('"') else None
    return None
