"""The teacher's HTTP API (docs/protocol.md, "Classes") and the wall's page.

Every request is bounded as the rest of the API is: bodies through ``app.bodies``
(JSON only, ``NNLIVE_MAX_BODY_BYTES``), refusals in the API's one error shape naming the
field, a class looked up only with its key (``Authorization: Bearer KEY``), and the
address's wrong attempts limited (``access``). The answers read tiles the workers have
already written: a wall costs a read of the store and a JSON text, whatever the class does.
"""

from __future__ import annotations

import functools
import time

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.bodies import json_body
from app.classroom.codes import key_digest, new_code, new_key, normalize_code
from app.classroom.hub import Classroom
from app.classroom.push import UNSET, Push, parse_push, parse_title
from app.classroom.records import ClassRecord, read_tiles
from app.classroom.store import StoreUnavailable
from app.classroom.wall import summary, wall
from app.i18n import pick_language, strings, translator
from app.protocol import dumps_bytes
from app.routes.api import error_response
from app.routes.pages import templates
from app.training import ApiError, check_keys
from core.config import config_schema, validate_config

router = APIRouter()
NO_STORE = {"Cache-Control": "no-store"}
ACTIONS = ("pause", "resume", "reset")
LEARNER_ID_LENGTH = 32
CODE_SHOWN = 12  # an address that is no code is shown cut (its wall says "no such class")


def refusals(handler):
    """Refusals become the API's error answer; a store that does not answer, a 503."""
    @functools.wraps(handler)
    async def answer(*args, **kwargs):
        try:
            return await handler(*args, **kwargs)
        except ApiError as exc:
            return error_response(exc)
        except StoreUnavailable as exc:
            return error_response(ApiError("store_unavailable", str(exc), None, 503,
                                           {"Retry-After": "5"}))
    return answer


def _room(request: Request) -> Classroom:
    return request.app.state.classroom


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _teacher(request: Request, code: str) -> ClassRecord:
    return await _room(request).access.for_teacher(
        code, request.headers.get("authorization"), _address(request))


def _json(value, status: int = 200) -> Response:
    return Response(dumps_bytes(value), status_code=status, media_type="application/json",
                    headers=NO_STORE)


@router.post("/api/classes")
@refusals
async def open_class(request: Request):
    settings, room = request.app.state.settings, _room(request)
    title = parse_title(await json_body(request, settings.max_body_bytes))
    await room.access.may_create(_address(request))
    key, now = new_key(), time.time()
    for _ in range(8):  # a code already taken is drawn again (887 million codes)
        record = ClassRecord(new_code(), title, key_digest(key), now,
                             now + settings.class_retention_seconds)
        if await room.store.create(record):
            break
    else:
        raise ApiError("busy", "No free class code was found; try again.", None, 503)
    origin = _origin(request)
    return _json({"code": record.code, "key": key, "title": title,
                  "join_url": f"{origin}/?class={record.code}",
                  "teacher_url": f"{origin}/teach/{record.code}#key={key}",
                  "expires": record.expires})


def _origin(request: Request) -> str:
    public = request.app.state.settings.public_origins
    return public[0] if public else str(request.base_url).rstrip("/")


@router.get("/api/classes/{code}")
@refusals
async def class_summary(code: str, request: Request):
    record = await _teacher(request, code)
    return _json(summary(record, await _tiles(request, record)))


@router.get("/api/classes/{code}/wall")
@refusals
async def class_wall(code: str, request: Request):
    record = await _teacher(request, code)
    return _json(wall(record, await _tiles(request, record)))


async def _tiles(request: Request, record: ClassRecord) -> list[dict]:
    store = _room(request).store
    tiles, stale = read_tiles(await store.tiles(record.code))
    await store.drop_tiles(record.code, stale)  # a worker that went away
    return tiles


@router.post("/api/classes/{code}/config")
@refusals
async def push_config(code: str, request: Request):
    record = await _teacher(request, code)
    body = await json_body(request, request.app.state.settings.max_body_bytes)
    push = await anyio.to_thread.run_sync(parse_push, body, record.config is not None)
    record = await _change(request, record.code, functools.partial(_apply_push, push))
    return _json({"code": record.code, "config": record.config, "locks": record.locks,
                  "challenge": record.challenge, "seq": record.seq})


def _apply_push(push: Push, record: ClassRecord) -> None:
    if push.config is not None:
        record.config = push.config
        record.add_command("config")
    if push.locks is not None:
        record.locks = push.locks
    if push.challenge is not UNSET:
        record.challenge = push.challenge


@router.post("/api/classes/{code}/spotlight")
@refusals
async def spotlight(code: str, request: Request):
    record = await _teacher(request, code)
    body = check_keys(await json_body(request, request.app.state.settings.max_body_bytes),
                       ("learner",))
    learner = body.get("learner")
    if not (learner is None or isinstance(learner, str) and 0 < len(learner) <= 32):
        raise ApiError("invalid_field", "learner must be a learner's session_prefix, or null "
                       "to end the spotlight.", "learner")
    record = await _change(request, record.code, lambda r: setattr(r, "spotlight", learner))
    _room(request).spotlit(record)
    await _room(request).sync(record.code)
    return _json({"code": record.code, "spotlight": record.spotlight})


@router.post("/api/classes/{code}/{action}")
@refusals
async def command(code: str, action: str, request: Request):
    """``pause``, ``resume``, ``reset`` every learner; ``end`` the class now."""
    if action not in (*ACTIONS, "end"):
        raise ApiError("not_found", f"No such class action: {action[:40]!r}; the actions are "
                       f"{', '.join(ACTIONS)}, end, config, spotlight.", "action", 404)
    record = await _teacher(request, code)
    check_keys(await json_body(request, request.app.state.settings.max_body_bytes), ())
    if action == "end":
        await _room(request).store.delete(record.code)
        await _room(request).sync(record.code)
        return _json({"code": record.code, "ended": True})
    record = await _change(request, record.code, lambda r: r.add_command(action))
    return _json({"code": record.code, "seq": record.seq, "command": action})


async def _change(request: Request, code: str, change) -> ClassRecord:
    """Change the record, then bring this worker's learners in step at once."""
    record = await _room(request).store.change(code, change)
    if record is None:
        raise ApiError("unknown_class", "The class ended meanwhile.", "class", 404)
    await _room(request).sync(code)
    return record


@router.get("/api/classes/{code}/spotlight")
@refusals
async def spotlight_frame(code: str, request: Request):
    """The spotlit learner's newest frame (docs/protocol.md's layout), its history the
    whole run's; 204 while nobody is spotlit or the frame is not there yet."""
    record = await _teacher(request, code)
    blob = await _room(request).store.blob(record.code, "spotlight") if record.spotlight else None
    if blob is None:
        return Response(status_code=204, headers=NO_STORE)
    return Response(blob, media_type="application/octet-stream", headers=NO_STORE)


@router.get("/api/classes/{code}/learners/{learner}/data")
@refusals
async def learner_data(code: str, learner: str, request: Request):
    record = await _teacher(request, code)
    blob = await _room(request).store.blob(record.code, "data:" + learner[:LEARNER_ID_LENGTH])
    if blob is None:
        raise ApiError("unknown_learner", "No learner of this class has that "
                       "session_prefix (or its run has not started).", "learner", 404)
    return Response(blob, media_type="application/json", headers=NO_STORE)


@router.get("/teach", response_class=HTMLResponse)
def open_class_page(request: Request) -> HTMLResponse:
    """The page that opens a class (and then goes to its wall)."""
    return _wall_page(request, None)


@router.get("/teach/{code}", response_class=HTMLResponse)
def wall_page(code: str, request: Request) -> HTMLResponse:
    """The wall. The key never reaches the server in the address: it is in the fragment
    (``#key=…``), which the page reads and sends as ``Authorization``."""
    return _wall_page(request, normalize_code(code) or code[:CODE_SHOWN])


def _wall_page(request: Request, code: str | None) -> HTMLResponse:
    lang = pick_language(request.query_params.get("lang"),
                         request.headers.get("accept-language"))
    defaults = validate_config({}).to_dict()
    page = {"lang": lang, "code": code, "strings": strings(lang), "defaults": defaults}
    context = {"lang": lang, "t": translator(lang), "page": page, "code": page["code"],
               "schema": config_schema(), "config": defaults, "errors": []}
    return templates.TemplateResponse(request, "teacher.html", context)

