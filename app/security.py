"""Which hosts and origins the server answers, and the security headers on every HTTP answer.

Hosts: a request's ``Host`` must be one of ``NNLIVE_PUBLIC_ORIGIN``'s hosts (its
scheme is then taken from that origin: a proxy may end TLS), a loopback name
(``localhost``) or an IP address (health probes). A page on ``evil.test`` whose name
resolves to this server (DNS rebinding) gets 400, and no address the server writes
(oEmbed's ``provider_url``, an iframe's ``src``, a redirect) names a host an attacker
chose.

Origins: a WebSocket opened by a page must come from one of the server's own origins
(scheme, host and port) or from ``NNLIVE_ALLOWED_ORIGINS``.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from app.settings import Settings

DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


def _netloc(scheme: str, host: str) -> str:
    """``host[:port]`` lower-cased, without the scheme's default port."""
    host = host.strip().lower()
    port = DEFAULT_PORTS.get(scheme)
    return host.removesuffix(f":{port}") if port else host


def _hostname(netloc: str) -> str:
    """``[::1]:8000`` → ``::1``; ``example.org:8000`` → ``example.org``."""
    if netloc.startswith("["):
        return netloc[1 : netloc.find("]")]
    return netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc


def local_host(netloc: str) -> bool:
    """A loopback name or an IP address: never the name of someone else's site."""
    name = _hostname(netloc)
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def public_origin(scope: Scope, settings: Settings) -> str | None:
    """The configured public origin this request's Host names; None if it names none."""
    host = Headers(scope=scope).get("host", "")
    for origin in settings.public_origins:
        scheme, netloc = origin.split("://", 1)
        if _netloc(scheme, netloc) == _netloc(scheme, host):
            return origin
    return None


def host_allowed(scope: Scope, settings: Settings) -> bool:
    """One of the public origins' hosts, or a loopback name or IP address (health
    probes and a proxy's checks reach the server by its address)."""
    host = Headers(scope=scope).get("host", "")
    return bool(host) and (local_host(host) or public_origin(scope, settings) is not None)


def origin_allowed(websocket: WebSocket, settings: Settings) -> bool:
    """The page's origin is the server's own (scheme, host and port) or allowed.

    A missing Origin (not a browser: tests, scripts) is allowed; browsers always send it.
    """
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    origin = origin.rstrip("/").lower()
    if origin in settings.allowed_origins:
        return True
    scheme = {"ws": "http", "wss": "https"}.get(websocket.url.scheme, websocket.url.scheme)
    parts = urlsplit(origin)
    own = _netloc(scheme, websocket.headers.get("host", ""))
    return parts.scheme == scheme and _netloc(parts.scheme, parts.netloc) == own


class TrustedHosts:
    """Pure ASGI middleware: refuse unknown hosts (HTTP 400, a WebSocket 403 before it
    opens); behind a configured public origin, take its scheme."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if not host_allowed(scope, self.settings):
            await self._refuse(scope, receive, send)
            return
        origin = public_origin(scope, self.settings)
        if origin is not None:
            scheme = origin.split("://", 1)[0]
            if scope["type"] == "websocket":
                scheme = {"http": "ws", "https": "wss"}[scheme]
            scope = {**scope, "scheme": scheme}
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "host not allowed"})
            return
        host = Headers(scope=scope).get("host")
        names = ", ".join(o.split("://", 1)[1] for o in self.settings.public_origins)
        where = (f"{names}, localhost or an IP address" if names else
                 "localhost or an IP address (NNLIVE_PUBLIC_ORIGIN names the site)")
        body = {"error": {"code": "host_not_allowed", "field": "host",
                          "message": f"This server answers {where}; got Host {host!r}."}}
        await JSONResponse(body, status_code=400)(scope, receive, send)


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
    """Pure ASGI middleware (cheap, streaming-safe) adding the headers to HTTP answers;
    it wraps the whole app, error handler included, so a 500 carries them too."""

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


class HeadAsGet:
    """``HEAD`` answered as ``GET`` without the body (uptime monitors use HEAD)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
