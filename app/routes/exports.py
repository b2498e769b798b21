"""The teacher's toolkit over HTTP (docs/protocol.md, "Exports").

``POST /api/script`` · ``GET /api/figure.png`` · ``GET /api/figure.svg`` ·
``GET /api/animation.gif`` · ``GET /api/dataset.csv`` · ``POST /api/dataset``.
Each validates what it is sent (``app.exporting``), refuses what cannot fit before any
work, runs in a worker thread under the API limiter and its deadline, and keeps its
answer in the bounded export cache when the request names a seed.
"""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from app.bodies import JSON_TYPE, json_body, text_body
from app.clients import client_key
from app.exporting import (
    animation_work,
    csv_work,
    figure_work,
    parse_export,
    parse_script,
    refuse_costly_export,
    script_work,
)
from app.routes.api import _busy, _busy_now, error_response
from app.training import ApiError, Deadline, in_worker
from app.uploads import parse_upload

router = APIRouter()
MEDIA = {"png": "image/png", "svg": "image/svg+xml", "gif": "image/gif",
         "csv": "text/csv; charset=utf-8"}
KEEP = "public, max-age=86400"  # a request with a seed always draws the same thing


@router.get("/api/figure.png")
async def figure_png(request: Request):
    return await _export(request, "png", figure_work)


@router.get("/api/figure.svg")
async def figure_svg(request: Request):
    return await _export(request, "svg", figure_work)


@router.get("/api/animation.gif")
async def animation_gif(request: Request):
    return await _export(request, "gif", animation_work)


@router.get("/api/dataset.csv")
async def dataset_csv(request: Request):
    return await _export(request, "csv", lambda export, deadline, busy: csv_work(export))


async def _export(request: Request, kind: str, work):
    state, settings = request.app.state, request.app.state.settings
    deadline = Deadline(settings.api_time_limit)
    try:
        params = dict(request.query_params)
        export = await anyio.to_thread.run_sync(parse_export, params, kind, settings,
                                                state.datasets)
        refuse_costly_export(export, settings.api_time_limit, _busy(state))
        seeded = "seed" in params
        found = state.export_cache.get(export.key()) if seeded else None
        if found is None:
            try:
                body = await in_worker(work, export, deadline, _busy_now(state),
                                       limiter=state.api_limiter, deadline=deadline)
            finally:
                state.sessions.janitor.released()  # its buffers go back at the next tidy-up
            if seeded:
                state.export_cache.put(export.key(), body, MEDIA[kind])
        else:
            body = found[0]
    except ApiError as exc:
        return error_response(exc)
    headers = {"Cache-Control": KEEP if seeded else "no-store",
               "X-Nnlive-Seed": str(export.config.seed)}
    if kind == "csv":
        headers["Content-Disposition"] = f'attachment; filename="{_name(export.config)}.csv"'
    return Response(body, media_type=MEDIA[kind], headers=headers)


@router.post("/api/script")
async def script(request: Request):
    state, settings = request.app.state, request.app.state.settings
    deadline = Deadline(settings.api_time_limit)
    try:
        body = await json_body(request, settings.max_body_bytes)
        config, epochs, framework = await anyio.to_thread.run_sync(parse_script, body)
        key = ("script", repr(config), epochs, framework)
        found = state.export_cache.get(key)
        text = found[0] if found else await in_worker(
            script_work, config, epochs, framework, limiter=state.api_limiter,
            deadline=deadline)
        state.export_cache.put(key, text, "text/x-python")
    except ApiError as exc:
        return error_response(exc)
    name = f"{_name(config)}_{framework}.py"
    return Response(text, media_type="text/x-python; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/api/dataset")
async def dataset(request: Request):
    """A CSV file (``text/csv``) or ``{"points": […]}`` kept by content hash."""
    state, settings = request.app.state, request.app.state.settings
    try:
        if not state.upload_rate.take(client_key(_address(request))):
            raise ApiError("too_many_uploads", "This address has uploaded many datasets in "
                           "a short time; try again in a minute.", status=429,
                           headers={"Retry-After": "60"})
        media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if media == JSON_TYPE:
            content = await json_body(request, settings.max_body_bytes)
        else:
            content = await text_body(request, settings.max_body_bytes, "text/csv")
        answer = await anyio.to_thread.run_sync(parse_upload, content,
                                                dict(request.query_params), state.datasets)
    except ApiError as exc:
        return error_response(exc)
    return JSONResponse(answer)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _name(config) -> str:
    return f"nnlive_{config.dataset}_{config.seed}"



