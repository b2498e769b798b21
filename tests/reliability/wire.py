"""A small synchronous client for fuzzing: many messages over one socket, every frame
header and every text parsed with a strict JSON parser (no NaN, no Infinity)."""

from __future__ import annotations

import struct
import time

from websockets.sync.client import connect

from tests.serve import strict_json


def open_socket(url: str):
    return connect(url, max_size=None, compression=None, open_timeout=10)


def frame_header(data: bytes) -> dict:
    (n,) = struct.unpack_from("<I", data, 0)
    header = strict_json(data[4 : 4 + n].decode("utf-8"))
    ends = [b["offset"] + b["length"] for b in (header["grid"], header["neurons"]) if b]
    assert max(ends) == len(data) - 4 - n  # the blobs fill the rest exactly
    return header


def receive(ws, timeout: float = 10.0):
    """The next message: a dict for text, ``("frame", header)`` for a frame."""
    data = ws.recv(timeout=timeout)
    if isinstance(data, bytes):
        return ("frame", frame_header(data))
    return strict_json(data)


def next_text(ws, timeout: float = 10.0, limit: int = 5000) -> dict:
    """The next JSON message, skipping (but checking) frames."""
    deadline = time.monotonic() + timeout
    for _ in range(limit):
        message = receive(ws, max(0.01, deadline - time.monotonic()))
        if isinstance(message, dict):
            return message
    raise AssertionError(f"no text message in {limit} messages")


def until(ws, pred, timeout: float = 10.0, limit: int = 5000):
    """Messages up to and including the first for which ``pred`` holds."""
    deadline, seen = time.monotonic() + timeout, []
    for _ in range(limit):
        seen.append(receive(ws, max(0.01, deadline - time.monotonic())))
        if pred(seen[-1]):
            return seen
    raise AssertionError(f"nothing matched in {limit} messages")


def drain(ws, quiet: float = 0.3, limit: int = 5000) -> list:
    """Everything that arrives until the socket is quiet for ``quiet`` seconds."""
    out = []
    for _ in range(limit):
        try:
            out.append(receive(ws, quiet))
        except TimeoutError:
            return out
    raise AssertionError("the socket never went quiet")


def is_text(kind: str, **match):
    return lambda m: isinstance(m, dict) and m["type"] == kind and all(
        m.get(k) == v for k, v in match.items())


def is_frame(where=lambda h: True):
    return lambda m: isinstance(m, tuple) and where(m[1])
