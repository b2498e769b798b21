"""Request bodies: only the expected type (``application/json``, or ``text/csv`` for an
upload), bounded while they stream; JSON parsed off the event loop when large.

The type check is what keeps other sites out: a page elsewhere can make its visitors'
browsers send a form (``text/plain``, ``application/x-www-form-urlencoded``,
``multipart/form-data``) without asking, but a JSON body needs a CORS preflight, which
this server never grants. The size limit (``NNLIVE_MAX_BODY_BYTES``, 1 MB by default:
2,000 custom points are about 60 KB) is checked against ``Content-Length``, which must
be there (a body of unknown length would have to be read to find out), and again as the
bytes arrive, so a body is never held past it. A refusal closes the connection: the rest
of a refused body is never read.
"""

from __future__ import annotations

import anyio
from starlette.requests import Request

from app.jsontext import JsonRefusal, parse
from app.training import ApiError

JSON_TYPE = "application/json"
OFF_LOOP_BYTES = 64 * 1024  # larger bodies are parsed in a worker thread
# on a refusal before the body is read: the server closes the connection instead of
# taking in (and discarding) the rest of the body to keep it alive
CLOSE = {"Connection": "close"}


async def json_body(request: Request, limit: int) -> object:
    """The request's JSON body, or an ``ApiError`` (400, 413 or 415) saying what is wrong."""
    text = await text_body(request, limit, JSON_TYPE)
    try:
        if len(text) > OFF_LOOP_BYTES:
            return await anyio.to_thread.run_sync(parse, text, "The request body")
        return parse(text, "The request body")
    except JsonRefusal as exc:
        raise ApiError(exc.code, exc.message, exc.field, status=400) from None


async def text_body(request: Request, limit: int, media_type: str) -> str:
    """The request's body as UTF-8 text of ``media_type`` (neither is CORS-safelisted, so
    another site's page cannot send it), at most ``limit`` bytes."""
    _check_type(request.headers.get("content-type"), media_type)
    declared = request.headers.get("content-length", "")
    if not (declared.isascii() and declared.isdigit()):
        raise ApiError("length_required", "The request body must come with its length "
                       "(Content-Length), as browsers send it; a body of unknown length is "
                       "not read.", "content-length", status=411, headers=CLOSE)
    if int(declared) > limit:
        raise _too_large(limit, int(declared))
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise _too_large(limit)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        code = "bad_json" if media_type == JSON_TYPE else "bad_text"
        raise ApiError(code, f"The request body is not UTF-8 text: {exc.reason} at "
                       f"byte {exc.start}.", status=400) from None


def _check_type(header: str | None, expected: str) -> None:
    media = (header or "").split(";")[0].strip().lower()
    if media != expected:
        got = f"{header!r}" if header else "none"
        what = "JSON" if expected == JSON_TYPE else "CSV text"
        raise ApiError("unsupported_media_type", f"The request body must be {what}, sent "
                       f"with Content-Type: {expected}; got {got}.", "content-type",
                       status=415, headers=CLOSE)


def _too_large(limit: int, declared: int | None = None) -> ApiError:
    size = f"{declared:,} bytes" if declared is not None else f"more than {limit:,} bytes"
    return ApiError("body_too_large", f"The request body has {size}; at most {limit:,} are "
                    "accepted (NNLIVE_MAX_BODY_BYTES). 2,000 custom points take about 60 KB.",
                    "body", status=413, headers=CLOSE)
