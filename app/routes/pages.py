"""``GET /`` (the playground) and ``GET /embed`` (the minimal embeddable view).

The query string is the configuration (DESIGN.md's field names), so a URL is a permalink.
An invalid value never breaks the page: the field is dropped, the page opens with the
rest, and the server's message is shown next to that field.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.i18n import pick_language, strings, translator
from core.config import FIELD_NAMES, ConfigError, config_schema, parse_query, validate_config

ROOT = Path(__file__).resolve().parent.parent.parent
templates = Jinja2Templates(directory=ROOT / "templates")
router = APIRouter()


def resolve_page_config(params: Mapping[str, str]) -> tuple[dict, list[dict]]:
    """(a valid config as JSON, the errors of the fields that were refused and dropped)."""
    raw = parse_query(params)
    errors: list[dict] = []
    for _ in range(len(FIELD_NAMES) + 1):  # each round drops one refused field
        try:
            return validate_config(raw).to_dict(), errors
        except ConfigError as error:
            errors.append({"field": error.field.split("[")[0], "message": error.message})
            field = error.field.split("[")[0]
            if field not in raw:  # a rule between fields: fall back to the defaults
                raw = {}
            else:
                raw.pop(field)
                if field == "dataset":
                    raw.pop("points", None)
    return validate_config({}).to_dict(), errors


def _render(request: Request, template: str) -> HTMLResponse:
    lang = pick_language(request.query_params.get("lang"),
                         request.headers.get("accept-language"))
    config, errors = resolve_page_config(request.query_params)
    page = {"lang": lang, "config": config, "errors": errors, "strings": strings(lang)}
    context = {"lang": lang, "t": translator(lang), "config": config, "errors": errors,
               "page": page, "schema": config_schema()}
    return templates.TemplateResponse(request, template, context)


@router.get("/", response_class=HTMLResponse)
def playground(request: Request) -> HTMLResponse:
    return _render(request, "playground.html")


@router.get("/embed", response_class=HTMLResponse)
def embed(request: Request) -> HTMLResponse:
    return _render(request, "embed.html")
