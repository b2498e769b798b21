"""The embed lays itself out inside the box it is given: real iframes of 640×480,
480×360, 800×600 and 320×480 on a page, with and without controls. Everything it shows
is inside the frame, nothing scrolls, and the plot is the largest square that fits
(it fills the room left by the bar and the controls, in one direction or the other).
And a refused parameter is shown, in the page's language, with or without controls."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

SIZES = [(640, 480), (480, 360), (800, 600), (320, 480)]
VARIANTS = {
    "plain": "preset=three_neurons&autoplay=0",
    "controls": "preset=l1&controls=reg_rate,hidden&lock=hidden&autoplay=0",
    "many": "preset=l2&controls=reg_rate,regularization,dataset,validation_ratio&autoplay=0",
}

MEASURE = """() => {
    const inside = [...document.querySelectorAll('#embed-root *')]
        .filter((e) => !e.closest('.visually-hidden, .embed-natural-box'))
        .filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; })
        .filter((e) => { const r = e.getBoundingClientRect();
            return r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5
                || r.bottom > innerHeight + 0.5; })
        .map((e) => e.id || e.className || e.tagName);
    const box = (s) => { const r = document.querySelector(s).getBoundingClientRect();
        return {x: r.x, y: r.y, w: r.width, h: r.height, right: r.right, bottom: r.bottom}; };
    const root = getComputedStyle(document.getElementById('embed-root'));
    return {
        outside: inside, iw: innerWidth, ih: innerHeight,
        scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight,
                 document.body.scrollWidth, document.body.scrollHeight],
        canvas: box('#output'), stage: box('.embed-stage'), side: box('.embed-side'),
        pad: parseFloat(root.paddingTop), gap: parseFloat(root.rowGap),
    };
}"""


@pytest.fixture(scope="module")
def frames(browser, base_url):
    """One page holding an iframe of every size and variant (as a course page does)."""
    context = browser.new_context(viewport={"width": 1800, "height": 1400})
    page = context.new_page()
    html = ['<!doctype html><meta charset="utf-8"><title>frames</title><body style="margin:0">']
    for name, query in VARIANTS.items():
        for w, h in SIZES:
            html.append(f'<iframe id="{name}-{w}x{h}" title="{name} {w}×{h}" width="{w}" '
                        f'height="{h}" style="border:0; display:block; margin:4px" '
                        f'src="{base_url}/embed?{query}&seed=3&lang=en"></iframe>')
    # the course page is served by the test itself (a route), like any page of a site
    page.route(f"{base_url}/frames-for-test", lambda route: route.fulfill(
        status=200, content_type="text/html", body="".join(html)))
    page.goto(f"{base_url}/frames-for-test")
    yield page
    context.close()


def frame_of(page, frame_id: str):
    frame = page.wait_for_selector(f"iframe#{frame_id}").content_frame()
    frame.wait_for_function("() => window.nnlive && window.nnlive.run.framesReceived > 0"
                            " && window.nnlive.stats.draws > 0", timeout=20_000)
    return frame


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_embed_fits_its_frame(frames, variant, size):
    w, h = size
    frame = frame_of(frames, f"{variant}-{w}x{h}")
    m = frame.evaluate(MEASURE)
    assert (m["iw"], m["ih"]) == (w, h)
    assert m["outside"] == [], m["outside"]
    assert max(m["scroll"][0], m["scroll"][2]) <= w and max(m["scroll"][1], m["scroll"][3]) <= h
    canvas, stage, side = m["canvas"], m["stage"], m["side"]
    # the plot: a square, as large as its stage allows
    assert canvas["w"] == pytest.approx(canvas["h"], abs=1)
    assert canvas["w"] == pytest.approx(min(stage["w"], stage["h"]), abs=1)
    # the stage takes all the room the bar and the controls leave
    beside = side["x"] >= stage["right"]
    if beside:
        assert stage["h"] == pytest.approx(h - stage["y"] - m["pad"], abs=1)
        assert side["right"] == pytest.approx(w - m["pad"], abs=1)
        assert stage["w"] == pytest.approx(side["x"] - m["gap"] - m["pad"], abs=1)
    else:
        assert stage["w"] == pytest.approx(w - 2 * m["pad"], abs=1)
        assert side["bottom"] <= h - m["pad"] + 1
        assert stage["bottom"] + m["gap"] == pytest.approx(side["y"], abs=1)
    if variant == "plain":  # only the bar under the plot: the plot is most of the frame
        assert canvas["w"] >= min(w - 2 * m["pad"], h - 2 * m["pad"] - 80)


def test_embed_sizes_screenshots(frames):
    for name in VARIANTS:
        for w, h in SIZES:
            frame_of(frames, f"{name}-{w}x{h}")
    (SCREENSHOTS / "embed").mkdir(parents=True, exist_ok=True)
    frames.wait_for_timeout(300)
    for name in VARIANTS:
        for w, h in SIZES:
            frames.locator(f"iframe#{name}-{w}x{h}").screenshot(
                path=str(SCREENSHOTS / "embed" / f"fit-{name}-{w}x{h}.png"))


@pytest.mark.parametrize("controls", ["", "&controls=reg_rate,noise"])
def test_a_refused_parameter_is_shown_in_the_pages_language(open_page, controls):
    page = open_page(viewport={"width": 640, "height": 480})
    page.open(f"/embed?lang=zh&seed=3&learning_rate=99&noise=70&theme=blue{controls}")
    box = page.page.locator("#embed-errors")
    assert box.is_visible()
    items = box.locator("li").all_inner_texts()
    # the embed's own parameter, named as in the address
    assert "theme 只能是 light, dark 之一；现在是 “blue”。" in items
    assert "学习率必须大于 0、不超过 10；现在是 99。" in items  # not a control: in the box
    noise = "噪声（%）必须是 0 到 50 之间的数；现在是 70。"
    if controls:  # a control: next to it, not in the box
        assert page.page.locator('[data-error-for="noise"]').inner_text() == noise
        assert noise not in items
    else:
        assert noise in items
    assert page.js("() => window.nnlive.run.config.learning_rate") == 0.03
