"""The JSON API: presets, the configuration schema, bounded training and sweeps.

``POST /api/train`` and ``/api/sweep`` take a JSON body (``app.bodies``), validate it in
a worker thread (16 variants of 2,000 custom points take tens of milliseconds), refuse what
cannot fit before any work (``app.training.refuse_costly``; sweeps also need a lease of
the server's sweep budget, ``app.sweep_budget``), then train in a worker thread that
stops itself at the deadline.
"""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from app.bodies import json_body
from app.protocol import finite
from app.sweep_budget import SweepRefused
from app.training import (
    ApiError,
    Deadline,
    in_worker,
    parse_sweep,
    parse_train,
    refuse_costly,
    sweep_run,
    train_run,
)
from core.config import config_schema
from core.cost import sweep_bytes
from core.presets import PRESETS

router = APIRouter()


def error_response(exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


@router.get("/healthz")
async def healthz(request: Request) -> dict:
    return {"status": "ok", **request.app.state.sessions.counts()}


@router.get("/api/presets")
async def presets() -> dict:
    return {"presets": PRESETS}


@router.get("/api/config")
async def config() -> dict:
    return finite(config_schema())


@router.post("/api/train")
async def train(request: Request):
    settings, state = request.app.state.settings, request.app.state
    deadline = Deadline(settings.api_time_limit)
    try:
        body = await json_body(request, settings.max_body_bytes)
        config, epochs = await anyio.to_thread.run_sync(parse_train, body)
        refuse_costly([config], epochs, settings.api_time_limit, _busy(state))
        try:
            body = await in_worker(train_run, config, epochs, deadline, _busy_now(state),
                                   limiter=state.api_limiter, deadline=deadline)
        finally:
            state.sessions.janitor.released()  # its buffers go back at the next tidy-up
    except ApiError as exc:
        return error_response(exc)
    return Response(body, media_type="application/json")


@router.post("/api/sweep")
async def sweep(request: Request):
    settings, state = request.app.state.settings, request.app.state
    deadline = Deadline(settings.api_time_limit)
    try:
        body = await json_body(request, settings.max_body_bytes)
        base, _field, configs, epochs = await anyio.to_thread.run_sync(parse_sweep, body)
        refuse_costly(configs, epochs, settings.api_time_limit, _busy(state))
        lease = _lease(state.sessions.sweep_budget, configs)
        try:
            answer = await in_worker(sweep_run, base, body["vary"]["values"], configs,
                                     epochs, deadline, _busy_now(state),
                                     limiter=state.api_limiter, deadline=deadline)
        finally:
            state.sessions.sweep_budget.release(lease)
    except ApiError as exc:
        return error_response(exc)
    return Response(answer, media_type="application/json")


def _busy(state) -> bool:
    """Live sessions are here: API work must leave the event loop its share."""
    return len(state.sessions.sessions) > 0


def _busy_now(state):
    """``_busy`` as the worker thread asks it, slice after slice."""
    return lambda: _busy(state)


def _lease(budget, configs):
    try:
        return budget.admit(sweep_bytes(configs))
    except SweepRefused as exc:
        status, headers = (503, {"Retry-After": "60"}) if exc.code == "busy" else (422, None)
        raise ApiError(exc.code, exc.message, exc.field, status, headers) from None
