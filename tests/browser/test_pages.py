"""The page routes' query handling (no browser needed): a bad value is dropped and
reported, never a crash; page-only parameters are not configuration. And the way from
the playground to the lessons (in a browser)."""

from __future__ import annotations

import pytest

from app.routes.pages import resolve_page_config


def test_a_valid_query_is_the_config():
    config, errors = resolve_page_config({"hidden": "3,2", "reg_rate": "0.5", "seed": "9",
                                          "lang": "zh"})
    assert errors == []
    assert config["hidden"] == [3, 2] and config["reg_rate"] == 0.5 and config["seed"] == 9


def test_a_refused_field_is_dropped_and_named():
    config, errors = resolve_page_config({"reg_rate": "20", "noise": "abc", "seed": "1"})
    assert {e["field"] for e in errors} == {"reg_rate", "noise"}
    assert all(e["field"] in e["message"] for e in errors)
    assert config["reg_rate"] == 0 and config["noise"] == 0 and config["seed"] == 1


def test_a_rule_between_fields_falls_back_to_defaults():
    config, errors = resolve_page_config({"dataset": "custom", "seed": "1"})
    assert errors and errors[0]["field"] == "points"
    assert config["dataset"] == "circle"


def test_custom_points_from_a_permalink():
    points = "[[1,1,0],[2,2,1],[-1,-1,0],[-2,-2,1]]"
    config, errors = resolve_page_config({"dataset": "custom", "points": points, "seed": "1"})
    assert errors == [] and config["points"] == [[1, 1, 0], [2, 2, 1], [-1, -1, 0], [-2, -2, 1]]


@pytest.mark.browser
def test_the_playground_links_to_the_lessons_in_its_language(page, base_url):
    page = page.page
    page.goto(f"{base_url}/?lang=zh")
    link = page.locator("#lessons-link")
    assert link.inner_text() == "课程"
    page.locator("a[data-lang=en]").click()
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert link.inner_text() == "Lessons"
    link.click()
    page.wait_for_url("**/lessons?lang=en")
    assert page.locator("h1").count() >= 1
