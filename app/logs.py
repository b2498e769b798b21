"""Structured logs on the ``nnlive`` logger: one line per HTTP access and session event.

Events carry a dict of fields (``extra={"fields": …}``): never a full session token (a
token is a bearer secret; its first 6 characters are enough to follow one session),
always the client address and the numbers. Nothing is printed unless a handler is
configured: ``nnlive serve`` does so (``log_config``), tests stay quiet.
"""

from __future__ import annotations

import json
import logging
import re
import time
from urllib.parse import unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("nnlive")
access = logging.getLogger("nnlive.access")
sessions = logging.getLogger("nnlive.session")
FORMATS = ("json", "text")
# session=VALUE or session%3DVALUE, the value percent-encoded or not, up to a delimiter
_TOKEN_IN_URL = re.compile(r"(session(?:=|%3[dD]))([^&\s\"'#;,]*)")


def token_prefix(token: str | None) -> str | None:
    return None if token is None else token[:6]


def redact(text: str) -> str:
    """Tokens in URLs (uvicorn logs ``/ws/train?session=…``) cut to their prefix, also
    when percent-encoded (``session=Pp%2Di7…`` is ``Pp-i7…``)."""
    return _TOKEN_IN_URL.sub(_cut, text)


def _cut(match: re.Match) -> str:
    value = re.sub(r"[^A-Za-z0-9_-]", "", unquote(unquote(match.group(2))))
    return f"{match.group(1)}{token_prefix(value)}…" if match.group(2) else match.group(0)


def session_event(event: str, token: str | None, address: str | None, **numbers) -> None:
    """``opened``, ``resumed``, ``claimed``, ``detached``, ``freed``, ``refused``, ``diverged``."""
    if sessions.isEnabledFor(logging.INFO):
        fields = {"session": token_prefix(token), "client": address, **numbers}
        sessions.info(event, extra={"fields": fields})


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"time": round(record.created, 3), "level": record.levelname.lower(),
                "logger": record.name, "event": redact(record.getMessage())}
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={v}" for k, v in getattr(record, "fields", {}).items())
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        text = f"{stamp} {record.levelname.lower():7} {record.name}: " \
            + redact(record.getMessage())
        text = f"{text} {fields}" if fields else text
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def log_config(fmt: str, level: str = "info") -> dict:
    """A ``logging.config.dictConfig`` for uvicorn's ``log_config`` (applied in every
    worker process): nnlive's lines and uvicorn's own in the chosen format; uvicorn's
    access log off (``AccessLog`` writes a richer one)."""
    if fmt not in FORMATS:
        raise ValueError(f"the log format must be one of {', '.join(FORMATS)}; got {fmt!r}.")
    formatter = "app.logs.JsonFormatter" if fmt == "json" else "app.logs.TextFormatter"
    handler = {"class": "logging.StreamHandler", "formatter": "nnlive",
               "stream": "ext://sys.stderr"}
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"nnlive": {"()": formatter}},
        "handlers": {"default": handler},
        "loggers": {
            "nnlive": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uvicorn": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


class AccessLog:
    """Pure ASGI middleware: one line per HTTP request (method, path, status, ms, bytes)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not access.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        start, seen = time.perf_counter(), {"status": 500, "bytes": 0}

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body":
                seen["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            client = scope.get("client")
            access.info("http", extra={"fields": {
                "method": scope["method"], "path": scope["path"], "status": seen["status"],
                "ms": round((time.perf_counter() - start) * 1000, 2), "bytes": seen["bytes"],
                "client": client[0] if client else None}})
