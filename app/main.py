"""The application: settings, shared state (created in ``lifespan``), routes, headers.

``uvicorn app.main:app`` works; ``nnlive serve`` (app/cli.py) is the usual way.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.routes import api, lessons, pages, ws
from app.scheduler import Scheduler
from app.security import SecurityHeaders
from app.sessions import SessionManager
from app.settings import Settings, load_settings
from app.training import WORKERS

ROOT = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings if settings is not None else load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.sessions = SessionManager(settings)
        app.state.scheduler = Scheduler(app.state.sessions)
        app.state.api_limiter = anyio.CapacityLimiter(WORKERS)
        app.state.scheduler.start()
        try:
            yield
        finally:
            await app.state.scheduler.stop()

    app = FastAPI(title="nnlive", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.settings = settings
    app.include_router(api.router)
    app.include_router(ws.router)
    app.include_router(pages.router)
    app.include_router(lessons.router)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    app.add_middleware(SecurityHeaders, settings=settings)
    return app


app = create_app()
