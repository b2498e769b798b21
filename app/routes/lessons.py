"""``GET /lessons`` (the index) and ``GET /lessons/{slug}`` (one lesson).

Each lesson is a template under ``templates/lessons/`` with its text in
``static/i18n/lessons.{en,zh}.json`` and live demos whose configurations are listed
here, so the page, the "open in the playground" permalink and the embed snippet all
name the same run. An unknown slug gets a 404 page that lists the lessons.
"""

from __future__ import annotations

import json
from functools import lru_cache
from html import escape
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from app.i18n import I18N_DIR, LANGUAGES, pick_language
from core.config import Config, config_schema, validate_config
from core.losses import n_outputs, output_kind

ROOT = Path(__file__).resolve().parent.parent.parent
templates = Jinja2Templates(directory=ROOT / "templates")
router = APIRouter()

FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1_sq": "x₁²", "x2_sq": "x₂²", "x1x2": "x₁x₂",
                  "sin_x1": "sin x₁", "sin_x2": "sin x₂"}
_XY = ["x1", "x2"]
_ALL = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
_CIRCLE = {"dataset": "circle", "features": _XY, "activation": "sigmoid",
           "learning_rate": 0.3, "seed": 3}

# slug → the demos on that page (name → configuration); "main" is the one the
# permalink and the embed snippet carry. Fixed seeds: every learner sees the same run.
LESSONS: list[dict] = [
    {"slug": "neuron", "demos": {
        "main": {"dataset": "gaussian", "noise": 20, "hidden": [], "features": _XY,
                 "learning_rate": 0.003, "seed": 7}}},
    {"slug": "layers", "demos": {
        "main": {"dataset": "circle", "hidden": [3, 2], "features": _XY,
                 "activation": "tanh", "learning_rate": 0.03, "seed": 3}}},
    {"slug": "perceptron", "demos": {
        "main": {"dataset": "xor", "hidden": [], "features": _XY, "learning_rate": 0.1,
                 "seed": 3}}},
    {"slug": "hidden-layer", "demos": {
        "main": {"dataset": "xor", "hidden": [4], "features": _XY, "activation": "tanh",
                 "learning_rate": 0.1, "seed": 3},
        "linear": {"dataset": "xor", "hidden": [], "features": _XY, "learning_rate": 0.1,
                   "seed": 3}}},
    {"slug": "neurons", "demos": {
        "main": {**_CIRCLE, "hidden": [3]},
        "one": {**_CIRCLE, "hidden": [1]},
        "two": {**_CIRCLE, "hidden": [2]},
        "blobs": {"dataset": "three_blobs", "noise": 20, "hidden": [3], "features": _XY,
                  "activation": "sigmoid", "learning_rate": 0.3, "seed": 3}}},
    {"slug": "design", "demos": {
        "main": {"dataset": "spiral", "noise": 10, "hidden": [8], "features": _ALL,
                 "activation": "tanh", "learning_rate": 0.03, "validation_ratio": 20,
                 "seed": 5}}},
    {"slug": "losses", "demos": {
        "main": {"dataset": "gaussian", "noise": 40, "hidden": [], "features": _XY,
                 "learning_rate": 0.01, "seed": 11},
        "compare": {"dataset": "circle", "noise": 10, "hidden": [4], "features": _XY,
                    "activation": "tanh", "learning_rate": 0.03, "seed": 3}}},
    {"slug": "softmax", "demos": {
        "main": {"dataset": "three_blobs", "noise": 30, "hidden": [], "features": _XY,
                 "learning_rate": 0.03, "seed": 3}}},
    {"slug": "regularization", "demos": {
        "main": {"dataset": "circle", "noise": 10, "hidden": [6], "features": _ALL,
                 "activation": "tanh", "learning_rate": 0.03, "regularization": "l1",
                 "reg_rate": 0.01, "seed": 3}}},
]
LESSONS_BY_SLUG = {lesson["slug"]: lesson for lesson in LESSONS}

# the demo configurations must pass the one validator (checked once, at import)
for _lesson in LESSONS:
    for _config in _lesson["demos"].values():
        validate_config(_config)


@lru_cache(maxsize=len(LANGUAGES))
def lesson_strings(lang: str) -> dict[str, str]:
    """The lessons' strings in ``lang``, over the page's own (``{lang}.json``) when present."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}; got {lang!r}.")
    table: dict[str, str] = {}
    shared = I18N_DIR / f"{lang}.json"
    if shared.exists():
        table.update(json.loads(shared.read_text(encoding="utf-8")))
    table.update(json.loads((I18N_DIR / f"lessons.{lang}.json").read_text(encoding="utf-8")))
    return table


def network_setup(config: Config) -> dict:
    """A demo's network for its one-line description: the inputs by name, the hidden
    layers and their activation, the output layer's size and kind (core's own rule)."""
    return {"inputs": [FEATURE_LABELS[name] for name in config.features],
            "hidden": list(config.hidden), "activation": config.activation,
            "outputs": n_outputs(config.task, config.n_classes),
            "output": output_kind(config.loss, config.task, config.n_classes)}


def config_query(config: dict) -> str:
    """A configuration as a query string with DESIGN.md's field names (lists comma-joined)."""
    resolved = validate_config(config).to_dict()
    pairs = {key: ",".join(map(str, value)) if isinstance(value, list) else value
             for key, value in resolved.items() if key != "points"}
    return urlencode(pairs, safe=",")


def embed_snippet(origin: str, query: str, lang: str) -> str:
    """The ``<iframe>`` a teacher pastes into a course page. Its ``src`` is escaped for
    HTML (``&`` as ``&amp;``): pasted raw, ``&reg_rate=0`` would read as ``®_rate=0``."""
    src = escape(f"{origin}/embed?{query}&lang={lang}")
    return f'<iframe src="{src}" width="640" height="480" title="nnlive" loading="lazy"></iframe>'


def _translator(table: dict[str, str]):
    """``t(key, **vars)`` for text, ``tm(key)`` for the few strings that carry markup."""
    def t(key: str, **values: object) -> str:
        text = table.get(key, key)
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    def tm(key: str) -> Markup:  # our own strings files: <em>, <code>, <strong> only
        return Markup(table.get(key, key))

    return t, tm


def _render(request: Request, template: str, lesson: dict | None, status: int = 200):
    lang = pick_language(request.query_params.get("lang"),
                         request.headers.get("accept-language"))
    table = dict(lesson_strings(lang))
    title = table.get(f"{lesson['slug']}.title", "") if lesson else table.get(
        "lessons.index_title", "")
    table["page.title"] = f"{title} · nnlive"
    t, tm = _translator(table)
    configs = lesson["demos"].items() if lesson else ()
    resolved = {name: validate_config(c) for name, c in configs}
    demos = {name: c.to_dict() for name, c in resolved.items()}
    page = {"lang": lang, "strings": table, "slug": lesson and lesson["slug"], "demos": demos}
    index = LESSONS.index(lesson) if lesson else -1
    query = config_query(lesson["demos"]["main"]) if lesson else ""
    origin = str(request.base_url).rstrip("/")
    context = {
        "lang": lang, "t": t, "tm": tm, "page": page, "lessons": LESSONS, "lesson": lesson,
        "number": index + 1, "demos": demos, "feature_labels": FEATURE_LABELS,
        "setups": {name: network_setup(c) for name, c in resolved.items()},
        "previous": LESSONS[index - 1] if index > 0 else None,
        "next": LESSONS[index + 1] if 0 <= index < len(LESSONS) - 1 else None,
        "query": query,
        "snippet": embed_snippet(origin, query, lang) if lesson else "",
        "path": request.url.path,
        "schema": config_schema(),  # GET /api/config's answer, for the demos' scripts
    }
    return templates.TemplateResponse(request, template, context, status_code=status)


@router.get("/lessons", response_class=HTMLResponse)
def lesson_index(request: Request) -> HTMLResponse:
    return _render(request, "lessons/index.html", None)


@router.get("/lessons/{slug}", response_class=HTMLResponse)
def lesson_page(request: Request, slug: str) -> HTMLResponse:
    lesson = LESSONS_BY_SLUG.get(slug)
    if lesson is None:
        return _render(request, "lessons/not_found.html", None, status=404)
    return _render(request, f"lessons/{slug}.html", lesson)
