"""The JSON API: presets, the configuration schema, bounded training and sweeps."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.protocol import finite
from app.training import (
    ApiError,
    in_worker,
    parse_sweep,
    parse_train,
    sweep_run,
    train_run,
)
from core.config import config_schema
from core.presets import PRESETS

router = APIRouter()


def error_response(exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status)


async def _body(request: Request):
    raw = await request.body()
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError("bad_json", f"The request body is not valid JSON: {exc}.",
                       status=400) from None


def _refuse_constant(name: str):
    raise ApiError("bad_json", f"{name} is not allowed: every number must be finite.",
                   status=400)


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
    try:
        config, epochs = parse_train(await _body(request))
        limit = request.app.state.settings.api_time_limit
        result = await in_worker(train_run, config, epochs, limit,
                                 limiter=request.app.state.api_limiter, time_limit=limit)
    except ApiError as exc:
        return error_response(exc)
    return JSONResponse(finite(result))


@router.post("/api/sweep")
async def sweep(request: Request):
    try:
        body = await _body(request)
        base, _field, configs, epochs = parse_sweep(body)
        values = body["vary"]["values"]
        result = await in_worker(sweep_run, base, values, configs, epochs,
                                 limiter=request.app.state.api_limiter,
                                 time_limit=request.app.state.settings.api_time_limit)
    except ApiError as exc:
        return error_response(exc)
    return JSONResponse(finite(result))
