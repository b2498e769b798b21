"""The application: settings, shared state (created in ``lifespan``), routes, headers.

``uvicorn app.main:app`` works; ``nnlive serve`` (app/cli.py) is the usual way.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs

import anyio
from fastapi import FastAPI
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.classroom import routes as classroom_routes
from app.classroom.hub import Classroom
from app.classroom.store import make_class_store
from app.clients import RateLimiter
from app.dataset_store import DatasetStore
from app.export_cache import ExportCache
from app.live.scheduler import Scheduler
from app.live.sessions import SessionManager
from app.live.store import datasets_dir, make_store
from app.logs import AccessLog
from app.metrics import Metrics
from app.processes import stop_with_parent
from app.routes import api, exports, lessons, metrics, oembed, pages, ws
from app.security import HeadAsGet, SecurityHeaders, TrustedHosts, origin_allowed
from app.settings import Settings, load_settings
from app.static_files import VersionedStatic
from app.training import WORKERS

ROOT = Path(__file__).resolve().parent.parent
UPLOAD_RATE, UPLOAD_BURST = 0.2, 30  # datasets uploaded per address: a class, then 1 in 5 s


def create_app(settings: Settings | None = None, *, redis_url: str | None = None) -> FastAPI:
    """The app; runs are kept in ``redis_url`` (else ``NNLIVE_REDIS_URL``) if given, else
    in the SQLite file of ``NNLIVE_STORE_PATH`` (app/live/store/)."""
    settings = settings if settings is not None else load_settings()
    redis_url = redis_url or getattr(settings, "redis_url", None)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.worker_count > 1:
            stop_with_parent()  # a supervisor killed outright takes its workers along
        store = make_store(settings, app.state.metrics, redis_url)
        app.state.sessions = SessionManager(settings, app.state.metrics, store)
        app.state.scheduler = Scheduler(app.state.sessions)
        app.state.api_limiter = anyio.CapacityLimiter(WORKERS)
        app.state.classroom = Classroom(settings, app.state.sessions,
                                        make_class_store(store, redis_url))
        store.start()
        app.state.scheduler.start()
        app.state.classroom.start()
        try:
            yield
        finally:
            await app.state.classroom.stop()
            await app.state.scheduler.stop()
            await app.state.sessions.close()  # every run saved as it is

    app = App(outer_layers(settings), title="nnlive", lifespan=lifespan, docs_url=None,
              redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.metrics = Metrics()
    app.state.export_cache = ExportCache(settings.export_cache_mb * 1024 * 1024)
    app.state.datasets = DatasetStore(datasets_dir(settings),
                                      settings.dataset_store_mb * 1024 * 1024)
    app.state.upload_rate = RateLimiter(UPLOAD_RATE, UPLOAD_BURST)
    app.include_router(api.router)
    app.include_router(exports.router)
    app.include_router(ws.router)
    app.include_router(pages.router)
    app.include_router(lessons.router)
    app.include_router(metrics.router)
    app.include_router(oembed.router)
    app.include_router(classroom_routes.router)
    static = VersionedStatic(ROOT / "static")
    app.mount("/static", static, name="static")
    for templates in (pages.templates, lessons.templates):
        templates.env.globals["static"] = static.prefix
        # compiled now, once: CPython 3.11's compile() is not safe while another thread
        # compiles too ("AST constructor recursion depth mismatch"), and a first request
        # would compile in the server's thread
        for name in templates.env.list_templates(extensions=["html"]):
            templates.env.get_template(name)
    app.add_middleware(FetchSharedSession)
    return app


class App(FastAPI):
    """FastAPI with layers outside its own error handler: a 500 it writes still gets the
    security headers, is logged with its status, and the client address is settled
    (trusted proxies) before anything reads it."""

    def __init__(self, layers: list, **kwargs):
        self.outer = layers
        super().__init__(**kwargs)

    def build_middleware_stack(self) -> ASGIApp:
        app = super().build_middleware_stack()
        for layer in reversed(self.outer):
            app = layer(app)
        return app


def outer_layers(settings: Settings) -> list:
    """Outermost first: the real client (``X-Forwarded-*`` believed only from
    NNLIVE_FORWARDED_ALLOW_IPS), the access log, security headers, the host check, HEAD."""
    layers = []
    if settings.forwarded_allow_ips:
        proxies = ",".join(settings.forwarded_allow_ips)
        layers.append(lambda app: ProxyHeadersMiddleware(app, trusted_hosts=proxies))
    return layers + [AccessLog, lambda app: SecurityHeaders(app, settings),
                     lambda app: TrustedHosts(app, settings), HeadAsGet]


class FetchSharedSession:
    """``/ws/train?session=TOKEN``: before the socket handler runs, bring the session
    home from the store if this worker does not hold it: another worker's, or a run
    kept from before a restart (``SessionManager.fetch``)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == "/ws/train":
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            token = query.get("session", [None])[-1]
            state = scope["app"].state
            if token and origin_allowed(HTTPConnection(scope), state.settings):
                client = scope.get("client")
                await state.sessions.fetch(token, client[0] if client else "unknown")
        await self.app(scope, receive, send)


app = create_app()
