"""Layouts measured from the real page at the screens teachers use: the output view gets
the space, the form stays beside the plots on a 1024×768 projector, nothing is cut off
(the 10-digit seed, the menu entries) and nothing scrolls sideways."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

SCREENS = {
    "1920x1080": {"width": 1920, "height": 1080},
    "1366x768": {"width": 1366, "height": 768},
    "1024x768": {"width": 1024, "height": 768},
    "768x1024": {"width": 768, "height": 1024},
}
BIG = "/?seed=4294967295&dataset=three_blobs&hidden=6,4&lang={lang}"


def rect(page, selector: str) -> dict:
    return page.js("(s) => { const r = document.querySelector(s).getBoundingClientRect();"
                   " return {x: r.x, y: r.y, w: r.width, h: r.height, right: r.right,"
                   " bottom: r.bottom}; }", selector)


def cut_controls(page) -> list:
    """Menus whose longest entry, or number fields whose value, does not fit: the text's
    width (measured with the control's own font) against the room inside the control."""
    return page.js("""() => {
        const ctx = document.createElement('canvas').getContext('2d');
        const out = [];
        const controls = '#config-form select, #config-form input[type=number]';
        for (const el of document.querySelectorAll(controls)) {
            const cs = getComputedStyle(el);
            ctx.font = cs.font;
            const texts = el.tagName === 'SELECT' ? [...el.options].map((o) => o.text) : [el.value];
            const need = Math.max(...texts.map((t) => ctx.measureText(t).width));
            const arrow = el.tagName === 'SELECT' ? 20 : 16;  // the menu arrow, the spinner
            const room = el.clientWidth - parseFloat(cs.paddingLeft)
                - parseFloat(cs.paddingRight) - arrow;
            if (need > room) out.push([el.name, Math.round(need), Math.round(room)]);
        }
        return out;
    }""")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("screen", SCREENS)
def test_nothing_is_cut_off_and_nothing_scrolls_sideways(open_page, screen, lang):
    page = open_page(viewport=SCREENS[screen]).open(BIG.format(lang=lang))
    assert page.js("() => document.querySelector('[name=seed]').value") == "4294967295"
    assert cut_controls(page) == []
    assert page.js("() => document.documentElement.scrollWidth") <= SCREENS[screen]["width"]
    page.screenshot(f"layouts/playground-{screen}-{lang}.png")


def test_a_wide_screen_gives_the_output_the_space(open_page):
    page = open_page(viewport=SCREENS["1920x1080"]).open(BIG.format(lang="en"))
    output, network = rect(page, "#output"), rect(page, "#network")
    assert output["w"] >= 850 and output["w"] == pytest.approx(output["h"], abs=1)
    assert output["w"] > network["w"]
    assert output["bottom"] <= 1080  # all of it on the first screen


def test_a_laptop_shows_the_whole_output_on_the_first_screen(open_page):
    page = open_page(viewport=SCREENS["1366x768"]).open(BIG.format(lang="en"))
    output = rect(page, "#output")
    assert output["w"] >= 560 and output["bottom"] <= 768


def test_a_1024_projector_keeps_the_form_beside_the_plots(open_page):
    page = open_page(viewport=SCREENS["1024x768"]).open(BIG.format(lang="en"))
    form, output = rect(page, "#config-form"), rect(page, "#output")
    network = rect(page, "#network")
    assert form["right"] <= network["x"] and form["right"] <= output["x"]
    assert abs(form["y"] - rect(page, ".network-panel")["y"]) < 2  # side by side, not below
    assert output["w"] >= 400 and output["bottom"] <= 768
    assert network["w"] >= 250


def test_an_upright_tablet_gives_the_diagram_room(open_page):
    page = open_page(viewport=SCREENS["768x1024"]).open(BIG.format(lang="en"))
    form, output = rect(page, "#config-form"), rect(page, "#output")
    network = rect(page, "#network")
    assert form["right"] <= output["x"]  # the form beside one column of plots
    assert network["w"] >= 450 and output["w"] >= 450
    assert output["y"] < network["y"]  # the output first
