"""Page strings in 中文 and English, from ``static/i18n/{en,zh}.json``.

The same files are fetched by the page's scripts when the learner switches language,
so the server-rendered page and the live one never disagree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"
I18N_DIR = Path(__file__).resolve().parent.parent / "static" / "i18n"


@lru_cache(maxsize=len(LANGUAGES))
def strings(lang: str) -> dict[str, str]:
    """Every string of ``lang`` (one of ``LANGUAGES``), keyed like ``"form.dataset"``."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}; got {lang!r}.")
    return json.loads((I18N_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def pick_language(query_lang: str | None, accept_language: str | None) -> str:
    """``?lang=`` when it names a language we have, else the best Accept-Language match."""
    if query_lang in LANGUAGES:
        return query_lang
    for tag in _by_preference(accept_language or ""):
        primary = tag.split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def _by_preference(header: str) -> list[str]:
    """Language tags of an Accept-Language header, highest q first (ties keep order)."""
    ranked = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **vars)``: the string for ``key`` with ``{name}`` filled in (the key if missing)."""
    table = strings(lang)

    def t(key: str, **values: object) -> str:
        text = table.get(key, key)
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    return t
