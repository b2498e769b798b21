"""The language choice and the string files (no browser needed)."""

from __future__ import annotations

import json

from app.i18n import I18N_DIR, pick_language, strings, translator


def test_query_language_wins_over_the_browser_language():
    assert pick_language("zh", "en-US,en;q=0.9") == "zh"
    assert pick_language("en", "zh-CN,zh;q=0.9") == "en"


def test_browser_language_by_quality_then_default():
    assert pick_language(None, "fr-FR,zh-CN;q=0.8,en;q=0.5") == "zh"
    assert pick_language(None, "en;q=0.2,zh-TW;q=0.9") == "zh"
    assert pick_language("fr", "de") == "en"
    assert pick_language(None, None) == "en"


def test_both_languages_have_the_same_keys_and_no_empty_strings():
    en, zh = strings("en"), strings("zh")
    assert set(en) == set(zh)
    assert all(v.strip() for v in [*en.values(), *zh.values()])
    assert json.loads((I18N_DIR / "zh.json").read_text(encoding="utf-8")) == zh


def test_translator_fills_placeholders():
    assert translator("zh")("timeline.epoch", n=12) == "第 12 轮"
    assert translator("en")("no.such.key") == "no.such.key"
