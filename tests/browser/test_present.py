"""Presentation mode for a projector (a button and ?present=1, in embeds too), the
start paused with a clear Play, and prefers-reduced-motion. Text sizes are read from
the canvases' own fillText calls."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# Records the font of every text drawn on a canvas, per canvas id (added before the
# page's scripts run; the page's CSP does not apply to it).
RECORD_FONTS = """(() => {
    const fillText = CanvasRenderingContext2D.prototype.fillText;
    window.__fonts = {};
    CanvasRenderingContext2D.prototype.fillText = function (...args) {
        const id = this.canvas.id || 'offscreen';
        (window.__fonts[id] ||= []).push(parseFloat(this.font));
        if (window.__fonts[id].length > 500) window.__fonts[id].shift();
        return fillText.apply(this, args);
    };
})();"""
PROJECTOR = {"width": 1024, "height": 768}


def smallest_text(page, canvas_id: str) -> float:
    """The smallest font drawn on the canvas after the next redraws."""
    page.js("() => { window.__fonts = {}; window.dispatchEvent(new Event('resize')); }")
    page.page.wait_for_timeout(400)
    sizes = page.js("(id) => window.__fonts[id] || []", canvas_id)
    assert sizes, f"nothing was drawn on #{canvas_id}"
    return min(sizes)


def test_the_button_turns_presentation_mode_on_and_off(open_page):
    page = open_page(viewport=PROJECTOR)
    page.page.add_init_script(RECORD_FONTS)
    page.open("/?autoplay=1&seed=3&dataset=spiral&features=x1,x2,sin_x1,sin_x2&hidden=6,4"
              "&learning_rate=0.1")
    page.wait("() => window.nnlive.run.history.length > 20")
    assert smallest_text(page, "loss-chart") < 18  # the everyday size
    page.page.click("#present")
    page.wait("() => document.body.classList.contains('present')")
    assert page.page.locator("#present").get_attribute("aria-pressed") == "true"
    assert "present=1" in page.page.url
    assert smallest_text(page, "loss-chart") >= 18
    assert smallest_text(page, "output") >= 18
    # the numbers a teacher points at, large
    sizes = page.js("() => ['epoch', 'train-loss', 'test-loss'].map((id) =>"
                    " parseFloat(getComputedStyle(document.getElementById(id)).fontSize))")
    assert min(sizes) >= 28
    # the output as large as the screen allows: the height under the top bar
    top = page.js("() => document.querySelector('.topbar').getBoundingClientRect().bottom")
    out = page.js("() => { const r = document.getElementById('output').getBoundingClientRect();"
                  " return [r.width, r.height, r.bottom]; }")
    assert out[0] == pytest.approx(out[1], abs=1)
    assert out[0] >= 0.85 * (PROJECTOR["height"] - top) and out[2] <= PROJECTOR["height"]
    assert page.page.locator("#config-form").is_hidden()
    page.screenshot("present/playground-present-1024x768.png")
    page.page.click("#present")
    page.wait("() => !document.body.classList.contains('present')")
    assert "present=1" not in page.page.url
    assert page.page.locator("#config-form").is_visible()


def test_present_1_opens_in_presentation_mode(open_page):
    page = open_page(viewport={"width": 1920, "height": 1080})
    page.page.add_init_script(RECORD_FONTS)
    page.open("/?autoplay=1&seed=3&present=1&lang=zh")
    assert page.js("() => document.body.classList.contains('present')")
    page.wait("() => window.nnlive.run.history.length > 10")
    assert smallest_text(page, "loss-chart") >= 18
    assert page.js("() => document.getElementById('output').getBoundingClientRect().width") >= 900
    page.screenshot("present/playground-present-1920x1080-zh.png")


def test_an_embed_in_presentation_mode(open_page):
    page = open_page(viewport={"width": 800, "height": 600})
    page.page.add_init_script(RECORD_FONTS)
    page.open("/embed?preset=three_neurons&present=1&controls=reg_rate")
    assert page.js("() => document.body.classList.contains('present')")
    assert smallest_text(page, "output") >= 18
    assert page.page.locator("#config-form").is_hidden()
    epoch = page.js("() => getComputedStyle(document.getElementById('epoch')).fontSize")
    assert float(epoch.removesuffix("px")) >= 28
    box = page.js("() => document.getElementById('output').getBoundingClientRect().height")
    assert box >= 600 - 120
    page.screenshot("present/embed-present-800x600.png")


def test_the_playground_starts_paused_with_a_clear_play(page):
    page.open("/?seed=7")
    page.settle()
    assert page.js("() => window.nnlive.run.state") == "paused"
    assert page.js("() => window.nnlive.run.shown.header.epoch") == 0
    hint = page.page.locator("#start-hint")
    assert hint.is_visible() and "Play" in hint.inner_text()
    page.page.get_by_role("button", name="Play").click()
    page.wait("() => window.nnlive.run.shown.header.epoch > 5")
    assert hint.is_hidden()


@pytest.mark.parametrize("path", ["/?seed=7&autoplay=1", "/embed?seed=7",
                                  "/embed?seed=7&autoplay=1"])
def test_reduced_motion_never_starts_by_itself(open_page, path):
    page = open_page(reduced_motion="reduce").open(path)
    page.settle()
    assert page.js("() => window.nnlive.run.state") == "paused"
    assert page.js("() => window.nnlive.run.shown.header.epoch") == 0
    page.page.click("#play")  # Play still works
    page.wait("() => window.nnlive.run.shown.header.epoch > 3")


def test_without_reduced_motion_autoplay_runs(open_page):
    page = open_page(reduced_motion="no-preference").open("/?seed=7&autoplay=1")
    page.wait("() => window.nnlive.run.shown.header.epoch > 3")
    assert page.js("() => window.nnlive.run.state") == "running"
