"""The WebSocket origin check and the security headers on every HTTP response."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from app.settings import Settings


def origin_allowed(websocket: WebSocket, settings: Settings) -> bool:
    """Same host as the request (the Host header), or listed in NNLIVE_ALLOWED_ORIGINS.

    A missing Origin (not a browser: tests, scripts) is allowed; browsers always send it.
    """
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    origin = origin.rstrip("/")
    if origin in settings.allowed_origins:
        return True
    host = websocket.headers.get("host", "").lower()
    return bool(host) and urlsplit(origin).netloc.lower() == host


def content_security_policy(settings: Settings, *, embed: bool = False) -> str:
    """``embed``: the /embed page, which course sites frame (NNLIVE_EMBED_ORIGINS, or any)."""
    if embed:
        ancestors = " ".join(("'self'",) + settings.embed_origins) if settings.embed_origins \
            else "*"
    else:
        ancestors = " ".join(("'self'",) + settings.allowed_origins)
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            "img-src 'self' data:; connect-src 'self'; "
            f"frame-ancestors {ancestors}; base-uri 'self'; form-action 'self'")


class SecurityHeaders:
    """Pure ASGI middleware (cheap, streaming-safe) adding the headers to HTTP answers."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        common = [(b"x-content-type-options", b"nosniff"),
                  (b"referrer-policy", b"strict-origin-when-cross-origin")]
        self.headers = [(b"content-security-policy",
                         content_security_policy(settings).encode())] + common
        self.embed_headers = [(b"content-security-policy",
                               content_security_policy(settings, embed=True).encode())] + common

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        extra = self.embed_headers if scope["path"] == "/embed" else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)
