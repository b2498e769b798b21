"""``GET /`` (the playground) and ``GET /embed`` (the minimal embeddable view).

The query string is the configuration (DESIGN.md's field names), so a URL is a permalink.
An invalid value never breaks the page: the field is dropped, the page opens with the
rest, and the server's message is shown next to that field. ``/embed`` also takes
``preset``, ``controls``, ``lock``, ``autoplay``, ``theme``, ``present`` and ``parent_origin``
(docs/embedding.md); a bad one is named in a visible error and left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.i18n import LANGUAGES, pick_language, strings, translator
from core.config import FIELD_NAMES, ConfigError, config_schema, parse_query, validate_config
from core.presets import PRESETS_BY_ID, preset_config

ROOT = Path(__file__).resolve().parent.parent.parent
templates = Jinja2Templates(directory=ROOT / "templates")
router = APIRouter()


def resolve_page_config(params: Mapping[str, str], base: Mapping | None = None,
                        datasets=None) -> tuple[dict, list[dict]]:
    """(a valid config as JSON, the errors of the fields that were refused and dropped).

    ``base`` (a preset's partial config) gives values the query does not override;
    ``data=ID`` gives the points of a custom dataset kept in ``datasets``."""
    raw = {**(base or {}), **parse_query(params)}
    errors: list[dict] = []
    if "data" in params and datasets is not None:
        _kept_points(params["data"], datasets, raw, errors)
    for _ in range(len(FIELD_NAMES) + 1):  # each round drops one refused field
        try:
            return validate_config(raw).to_dict(), errors
        except ConfigError as error:
            errors.append({"field": error.field.split("[")[0], "message": error.message,
                           "code": "invalid_config", "allowed": error.allowed,
                           "received": error.received})
            field = error.field.split("[")[0]
            if field not in raw:  # a rule between fields: fall back to the defaults
                raw = {}
            else:
                raw.pop(field)
                if field == "dataset":
                    raw.pop("points", None)
    return validate_config({}).to_dict(), errors


def _kept_points(key: str, datasets, raw: dict, errors: list[dict]) -> None:
    """``data=ID``: the kept points become ``points`` (dataset custom), or an error."""
    points = datasets.get(key)
    if points is None:
        errors.append(_error("data", "data must name a dataset kept on this server (it may "
                             "have been removed: upload it again)", key[:40]))
        return
    raw.setdefault("dataset", "custom")
    raw["points"] = points


def _render(request: Request, template: str, base: Mapping | None = None,
            extra: Mapping | None = None) -> HTMLResponse:
    lang = pick_language(request.query_params.get("lang"),
                         request.headers.get("accept-language"))
    config, errors = resolve_page_config(request.query_params, base,
                                         request.app.state.datasets)
    page = {"lang": lang, "config": config, "errors": errors, "strings": strings(lang),
            **(extra or {})}
    context = {"lang": lang, "t": translator(lang), "config": config, "errors": errors,
               "page": page, "schema": config_schema(), **(extra or {})}
    return templates.TemplateResponse(request, template, context)


@router.get("/", response_class=HTMLResponse)
def playground(request: Request) -> HTMLResponse:
    return _render(request, "playground.html")


@router.get("/embed", response_class=HTMLResponse)
def embed(request: Request) -> HTMLResponse:
    options, base = embed_options(request.query_params, request.app.state.settings.embed_origins)
    return _render(request, "embed.html", base, {"embed": options})


# the fields an embed can show as controls or lock (custom points have no control here)
EMBED_FIELDS = tuple(f for f in FIELD_NAMES if f != "points")
CHOICES = {"autoplay": ("0", "1"), "theme": ("light", "dark"), "lang": LANGUAGES,
           "present": ("0", "1")}


def embed_options(params: Mapping[str, str], origins: tuple[str, ...]) -> tuple[dict, dict]:
    """(what embed.js needs, the preset's partial config). Problems go in ``errors``."""
    errors: list[dict] = []
    options = {"controls": _field_list(params, "controls", errors),
               "lock": _field_list(params, "lock", errors),
               "origins": list(origins), "errors": errors}
    for name, allowed in CHOICES.items():
        value = params.get(name)
        if value is not None and value not in allowed:
            errors.append(_error(name, f"{name} must be one of {', '.join(allowed)}", value,
                                 list(allowed)))
    options["autoplay"] = params.get("autoplay") != "0"
    options["theme"] = "dark" if params.get("theme") == "dark" else "light"
    options["present"] = params.get("present") == "1"
    options["parent_origin"] = _parent_origin(params.get("parent_origin"), origins, errors)
    preset = params.get("preset")
    if preset is not None and preset not in PRESETS_BY_ID:
        errors.append(_error("preset", "preset must be one of " + ", ".join(PRESETS_BY_ID),
                             preset, list(PRESETS_BY_ID)))
        preset = None
    options["preset"] = preset
    return options, preset_config(preset) if preset else {}


def _field_list(params: Mapping[str, str], name: str, errors: list[dict]) -> list[str]:
    """``controls=reg_rate,hidden`` → the known field names; ``none`` or empty → []."""
    text = params.get(name, "").strip()
    if text in ("", "none"):
        return []
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in EMBED_FIELDS]
    if unknown:
        errors.append(_error(name, f"{name} takes field names separated by commas, or none; "
                             f"allowed: {', '.join(EMBED_FIELDS)}", ",".join(unknown),
                             list(EMBED_FIELDS)))
    return list(dict.fromkeys(n for n in names if n in EMBED_FIELDS))


def _parent_origin(value: str | None, origins: tuple[str, ...], errors: list[dict]) -> str | None:
    """``parent_origin=``: the course page's origin; one of NNLIVE_EMBED_ORIGINS if set."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/") \
            or parts.query or parts.fragment:
        errors.append(_error("parent_origin", "parent_origin must be an origin such as "
                             "https://course.example.org", value))
        return None
    origin = f"{parts.scheme}://{parts.netloc}"
    if origins and origin not in origins:
        errors.append(_error("parent_origin", "parent_origin must be one of the embed "
                             "origins " + ", ".join(origins), value, list(origins)))
        return None
    return origin


def _error(field: str, rule: str, received: str, allowed: list | str | None = None) -> dict:
    """A refused page parameter; ``allowed`` and ``received`` let the page say it again in
    its own language (static/js/errors.js)."""
    return {"field": field, "message": f"{rule}; got {received!r}.",
            "allowed": allowed if allowed is not None else rule, "received": received}
