"""``GET /oembed?url=…&format=json``: the oEmbed ``rich`` answer for a page of this server.

A course platform that knows oEmbed (Moodle, WordPress, many wikis) turns a pasted
nnlive link into the iframe of ``/embed`` with the same configuration. The playground,
the embed view and the lessons name this endpoint in a discovery ``<link>``. The
addresses it writes come from the request's Host, which ``app.security.TrustedHosts``
has already checked (and whose scheme NNLIVE_PUBLIC_ORIGIN sets).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from markupsafe import escape

from app.i18n import pick_language
from app.routes.lessons import LESSONS_BY_SLUG, config_query, lesson_strings

router = APIRouter()

DEFAULT_WIDTH, DEFAULT_HEIGHT = 560, 680  # the output fills the width; a bar under it
MAX_DIGITS = 6  # a size in pixels; never more than the default anyway


@router.get("/oembed")
def oembed(request: Request) -> JSONResponse:
    params = request.query_params
    fmt = params.get("format", "json")
    if fmt != "json":
        return _refuse(501, "format", f"format must be json; got {fmt!r} (xml is not offered).")
    url = params.get("url")
    if not url:
        return _refuse(400, "url", "url is required: the address of an nnlive page.")
    try:
        size = _size(params.get("maxwidth"), params.get("maxheight"))
    except ValueError as error:
        return _refuse(400, error.args[0], error.args[1])
    base = str(request.base_url).rstrip("/")
    target = _embed_target(url, request.url.netloc, base)
    if target is None:
        return _refuse(404, "url", f"url must be an nnlive page on {base} "
                       f"(/, /embed or /lessons/…); got {url!r}.")
    src, title = target
    width, height = size
    html = (f'<iframe src="{escape(src)}" width="{width}" height="{height}" '
            f'title="{escape(title)}" style="border:0;max-width:100%" loading="lazy">'
            "</iframe>")
    return JSONResponse({"version": "1.0", "type": "rich", "provider_name": "nnlive",
                         "provider_url": base + "/", "title": title, "html": html,
                         "width": width, "height": height})


def _embed_target(url: str, netloc: str, base: str) -> tuple[str, str] | None:
    """(the /embed address, a title) for a page of this server, else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != netloc.lower():
        return None
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    lang = pick_language(query.get("lang"), None)
    if parts.path in ("/", "", "/embed"):
        return f"{base}/embed?{urlencode(query, safe=',')}".rstrip("?"), "nnlive"
    slug = parts.path.removeprefix("/lessons/").strip("/")
    lesson = LESSONS_BY_SLUG.get(slug) if parts.path.startswith("/lessons/") else None
    if lesson is None:
        return None
    title = lesson_strings(lang).get(f"{slug}.title", slug) + " · nnlive"
    return f"{base}/embed?{config_query(lesson['demos']['main'])}&lang={lang}", title


def _size(maxwidth: str | None, maxheight: str | None) -> tuple[int, int]:
    """The iframe's size, within the consumer's maxwidth / maxheight (oEmbed's rule)."""
    width, height = DEFAULT_WIDTH, DEFAULT_HEIGHT
    for name, text in (("maxwidth", maxwidth), ("maxheight", maxheight)):
        if text is None:
            continue
        # ASCII digits only ("²".isdigit() is true) and few of them (int() refuses
        # 4,301 digits)
        if not (text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS) \
                or int(text) < 1:
            raise ValueError(name, f"{name} must be a positive whole number of pixels, at "
                             f"most {MAX_DIGITS} digits; got {_short(text)}.")
        if name == "maxwidth":
            width = min(width, int(text))
        else:
            height = min(height, int(text))
    return width, height


def _short(text: str) -> str:
    return repr(text) if len(text) <= 40 else f"{text[:20]!r}… ({len(text):,} characters)"


def _refuse(status: int, field: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": "oembed", "field": field, "message": message}},
                        status_code=status)
