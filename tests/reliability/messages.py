"""Hypothesis strategies for client messages, each with the answer docs/protocol.md owes.

A bad message is drawn as ``Bad(data, code, field)``: what is sent (text or bytes) and
the ``error`` it must get. Which answer is due is decided here from the protocol's
rules, never from the server; for configuration values the real validator
(``core.config``) names the field, as the protocol says it does.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from hypothesis import assume
from hypothesis import strategies as st

from app.protocol import CLIENT_FIELDS as FIELDS  # each type's, as docs/protocol.md lists
from app.protocol import CLIENT_TYPES as TYPES
from core.config import FIELD_NAMES, Config, ConfigError, apply_update, validate_config


@dataclass
class Bad:
    data: str | bytes
    code: str
    field: str | None = None


def utf8_safe(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


# text with lone surrogates too: legal in JSON ("\ud800"), impossible in UTF-8
any_text = st.text(st.characters(codec=None), max_size=12) | st.sampled_from(
    ["\ud800", "a\udfffb", "", "☃", "\x00", "type"])
scalars = (st.none() | st.booleans() | st.integers(-2**70, 2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | any_text
           | st.sampled_from([1e308, -1e308, 5e-324, 2**53 + 1, 10**300]))
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(any_text, inner, max_size=4), max_leaves=12)


def dump(value) -> str:
    return json.dumps(value)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


@st.composite
def not_json(draw) -> Bad:
    text = draw(st.text(max_size=40) | st.sampled_from(
        ['{"type": "pause"', "{'type': 'pause'}", '{"type": pause}', "", " ", "{,}", "[1,]",
         '{"type": "pause"}}', "\x00", '{"type": "speed", "epochs_per_second": 1e}']))
    try:
        json.loads(text)
        assume(False)
    except ValueError:
        pass
    return Bad(text, "bad_json")


@st.composite
def non_finite(draw) -> Bad:
    const = draw(st.sampled_from(["NaN", "Infinity", "-Infinity"]))
    template, field = draw(st.sampled_from([
        ('{"type": "speed", "epochs_per_second": %s}', "epochs_per_second"),
        ('{"type": "update", "config": {"learning_rate": %s}}', "config.learning_rate"),
        ('{"type": "probe", "x": [%s, 1]}', "x[0]"), ("[%s]", None), ("%s", None),
        ('{"type": %s}', "type")]))
    return Bad(template % const, "bad_json", field)


@st.composite
def too_many_digits(draw) -> Bad:
    digits = draw(st.integers(4301, 6000))
    return Bad('{"type": "step", "epochs": %s}' % ("9" * digits), "bad_json", "epochs")


@st.composite
def too_deep(draw) -> Bad:
    """Nested past the 32 levels any message needs; past ≈ 1,000 the parser itself
    gives up (RecursionError), and the refusal still names the field."""
    depth = draw(st.integers(33, 3000))
    nested = "[" * depth + "]" * depth
    return Bad('{"type": "step", "epochs": ' + nested + "}", "bad_json", "epochs")


@st.composite
def not_an_object(draw) -> Bad:
    value = draw(junk.filter(lambda v: not isinstance(v, dict)))
    return Bad(dump(value), "not_an_object")


@st.composite
def unknown_type(draw) -> Bad:
    message = draw(st.dictionaries(any_text, junk, max_size=4))
    if draw(st.booleans()):
        message["type"] = draw(junk.filter(lambda v: not (isinstance(v, str) and v in TYPES)))
    else:
        message.pop("type", None)
    return Bad(dump(message), "unknown_type", "type")


@st.composite
def extra_key(draw) -> Bad:
    kind = draw(st.sampled_from(TYPES))
    extras = draw(st.dictionaries(any_text.filter(lambda k: k not in FIELDS[kind] | {"type"}),
                                  junk, min_size=1, max_size=3))
    message = {"type": kind, **extras}
    return Bad(dump(message), "invalid_field", utf8_safe(sorted(extras)[0]))


def binary() -> st.SearchStrategy:
    return st.binary(max_size=64).map(lambda b: Bad(b, "binary_not_supported"))


def oversize(limit: int) -> st.SearchStrategy:
    sizes = st.integers(limit + 1, limit + 3000)
    return sizes.map(lambda n: Bad('{"type": "pause", "pad": "%s"}' % ("x" * n),
                                   "message_too_big"))


def structural(limit: int) -> st.SearchStrategy:
    """Refused whatever the session's state: the answer depends on the bytes alone."""
    return st.one_of(not_json(), non_finite(), too_many_digits(), too_deep(), not_an_object(),
                     unknown_type(), extra_key(), binary(), oversize(limit))


# --- bad values in well-formed messages (need a run; the run is paused) ---------------
@st.composite
def bad_speed(draw) -> Bad:
    v = draw(junk)
    assume(not (_is_number(v) and (1 <= v <= 10_000 or v == 0)))
    return Bad(dump({"type": "speed", "epochs_per_second": v}), "invalid_field",
               "epochs_per_second")


@st.composite
def bad_step(draw) -> Bad:
    message = {"type": "step"}
    if draw(st.booleans()):
        v = draw(junk)
        assume(not (_is_number(v) and float(v).is_integer() and 1 <= v <= 10_000))
        message["epochs"] = v
    return Bad(dump(message), "invalid_field", "epochs")


@st.composite
def bad_restore(draw) -> Bad:
    v = draw(junk.filter(lambda v: not _is_number(v)) | st.integers(max_value=-1)
             | st.integers(10**9, 10**30) | st.floats(0.1, 0.9))
    return Bad(dump({"type": "restore", "epoch": v}), "invalid_field", "epoch")


@st.composite
def bad_probe(draw) -> Bad:
    x = draw(junk)
    ok = isinstance(x, list) and len(x) == 2 and all(_is_number(v) and -6 <= v <= 6 for v in x)
    if ok:  # a good point: spoil the label instead (classes 0 and 1 on the default data)
        label = draw(junk.filter(lambda v: v is not None and v not in (0, 1)))
        return Bad(dump({"type": "probe", "x": x, "label": label}), "invalid_field", "label")
    return Bad(dump({"type": "probe", "x": x}), "invalid_field", "x")


@st.composite
def bad_config(draw, current: Config) -> Bad:
    """A refused start or update; ``current`` is the run's config (update merges onto it)."""
    kind = draw(st.sampled_from(["start", "update"]))
    if draw(st.integers(0, 4)) == 0:
        config = draw(junk.filter(lambda v: not isinstance(v, dict)
                                  and not (kind == "start" and v is None)))
        return Bad(dump({"type": kind, "config": config}), "invalid_field", "config")
    names = st.sampled_from(FIELD_NAMES) | any_text
    config = draw(st.dictionaries(names, junk, min_size=1, max_size=3))
    try:
        validate_config(config) if kind == "start" else apply_update(current, config)
    except ConfigError as exc:
        return Bad(dump({"type": kind, "config": config}), "invalid_config",
                   utf8_safe(exc.field))
    assume(False)  # valid by chance: it would change the run


def bad_values(current: Config) -> st.SearchStrategy:
    """Refused by the handlers of a paused run whose config is ``current``."""
    return st.one_of(bad_speed(), bad_step(), bad_restore(), bad_probe(), bad_config(current))
