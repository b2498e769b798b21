"""The playground trains live and reacts to the form, the toggles and the keyboard."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, changed

pytestmark = pytest.mark.browser


def test_frames_arrive_and_the_output_canvas_changes(page):
    page.open("/?autoplay=1&seed=7")
    page.wait("() => window.nnlive.stats.draws > 0")
    before = page.pixels("output")
    page.wait("() => window.nnlive.run.shown.header.epoch >= 40")
    assert changed(before, page.pixels("output")) > 100
    assert page.js("() => window.nnlive.stats.draws") > 1
    assert page.frames[0]["epoch"] == 0 and page.frames[0]["generation"] >= 0
    # the loss chart and the diagram drew something too
    assert max(page.pixels("loss-chart")) > 0 and max(page.pixels("network")) > 0


def test_changing_lambda_sends_an_update_and_changes_the_url(page):
    page.open("/?autoplay=1&seed=7")
    page.page.fill('input[name="reg_rate"]', "0.25")
    page.page.press('input[name="reg_rate"]', "Enter")
    page.page.locator('input[name="reg_rate"]').blur()
    page.wait("() => new URL(location.href).searchParams.get('reg_rate') === '0.25'")
    assert {"type": "update", "config": {"reg_rate": 0.25}} in page.sent
    assert "seed=7" in page.page.url


def test_an_invalid_value_is_shown_next_to_its_field_and_training_goes_on(page):
    page.open("/?autoplay=1&seed=7")
    page.page.fill('input[name="reg_rate"]', "20")
    page.page.locator('input[name="reg_rate"]').blur()
    error = page.page.locator('[data-error-for="reg_rate"]')
    error.wait_for(state="visible")
    # in the page's words: the label the reader sees, the range, what came
    assert error.inner_text() == ("Regularization rate λ must be a number from 0 to 10; "
                                  "got 20.")
    assert "reg_rate=20" not in page.page.url  # the URL keeps the accepted value
    epoch = page.js("() => window.nnlive.run.shown.header.epoch")
    page.wait("(e) => window.nnlive.run.shown.header.epoch > e + 5", epoch)


def test_an_invalid_query_opens_the_page_with_the_error_shown(page):
    page.open("/?autoplay=1&reg_rate=abc&hidden=3&seed=5")
    error = page.page.locator('[data-error-for="reg_rate"]')
    assert error.is_visible()
    assert error.inner_text() == ("Regularization rate λ must be a number from 0 to 10; "
                                  "got “abc”.")
    assert page.js("() => window.nnlive.run.config.hidden") == [3]


def test_adding_a_neuron_resets_and_the_diagram_shows_it(page):
    page.open("/?autoplay=1&seed=7&hidden=3")
    page.wait("() => window.nnlive.run.shown.header.epoch > 20")
    height = page.js("() => document.getElementById('network').height")
    page.page.click('[data-action="add-neuron"][data-layer="0"]')
    page.wait("() => window.nnlive.diagram.layout?.columns[1].length === 4")
    assert {"type": "update", "config": {"hidden": [4]}} in page.sent
    restarted = [m for m in page.messages if m["type"] == "dataset"]
    assert restarted[-1]["config"]["hidden"] == [4]
    assert "hidden=4" in page.page.url
    # the fourth neuron is painted where the layout put it
    node = page.js("() => window.nnlive.diagram.layout.columns[1][3]")
    dpr = page.js("() => devicePixelRatio")
    centre = page.js("""([x, y]) => Array.from(document.getElementById('network').getContext('2d')
        .getImageData(x, y, 1, 1).data)""", [round((node["x"] + node["size"] / 2) * dpr),
                                             round((node["y"] + node["size"] / 2) * dpr)])
    assert centre[3] == 255
    assert page.js("() => document.getElementById('network').height") > height


def test_the_neuron_lines_toggle(page):
    page.open("/?autoplay=1&seed=7&hidden=3")
    page.wait("() => window.nnlive.run.shown.header.lines.length === 3")
    page.pause()
    with_lines = page.repainted("output")
    without = page.toggle("showLines", False, "output")
    assert changed(with_lines, without) > 50
    assert changed(with_lines, page.toggle("showLines", True, "output")) == 0


def test_discretize_and_test_point_toggles_repaint_the_output(page):
    page.open("/?autoplay=1&seed=7")
    page.wait("() => window.nnlive.run.shown.header.epoch > 30")
    page.pause()
    smooth = page.repainted("output")
    discrete = page.toggle("discretize", True, "output")
    assert changed(smooth, discrete) > 200
    assert changed(discrete, page.toggle("showTest", False, "output")) > 50


def test_hovering_a_line_shows_its_slope_form(page):
    page.open("/?autoplay=1&seed=7&hidden=1")
    page.pause()
    # the point of the line nearest the origin, in page coordinates
    x, y = page.js("""() => {
        const {w1, w2, b} = window.nnlive.run.shown.header.lines[0];
        const n = w1 * w1 + w2 * w2, sq = window.nnlive.output.square;
        const r = document.getElementById('output').getBoundingClientRect();
        return [r.left + sq.px(-b * w1 / n), r.top + sq.py(-b * w2 / n)];
    }""")
    page.page.mouse.move(x, y)
    tip = page.page.locator("#output-tip")
    tip.wait_for(state="visible")
    assert "x₂" in tip.inner_text()
    # y = kx + b_ℓ with its numbers: b_ℓ (the line's intercept) as lesson 1 writes it
    k, c = page.js("""() => { const {w1, w2, b} = window.nnlive.run.shown.header.lines[0];
        return [-w1 / w2, -b / w2]; }""")
    maths = page.js("() => [...document.querySelectorAll('#output-tip math')]"
                    ".map((m) => m.textContent)")
    assert maths[0] == "y=kx+bℓ:"
    assert maths[1] == f"k={k:.2f},bℓ={c:.2f}".replace("-", "−")
    assert page.js("() => document.querySelectorAll('#output-tip msub').length") == 2


def test_hovering_a_weight_shows_its_value(page):
    page.open("/?autoplay=1&seed=7")
    page.pause()
    x, y, weight = page.js("""() => {
        const e = window.nnlive.diagram.layout.edges
            .find((d) => !d.bias && d.layer === 0 && d.from === 1 && d.to === 2);
        const r = document.getElementById('network').getBoundingClientRect();
        const w = window.nnlive.run.shown.header.weights[0][1][2];
        // 30% along: at the middle, edges 0→3 and 1→2 cross
        return [r.left + e.x0 + 0.3 * (e.x1 - e.x0), r.top + e.y0 + 0.3 * (e.y1 - e.y0), w];
    }""")
    page.page.mouse.move(x, y)
    tip = page.page.locator("#network-tip")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert text.startswith("w = ")
    shown = float(text.split()[2].replace("−", "-"))
    assert shown == pytest.approx(weight, abs=6e-4)


def test_clicking_a_neuron_enlarges_it(page):
    page.open("/?autoplay=1&seed=7")
    page.pause()
    x, y = page.js("""() => {
        const n = window.nnlive.diagram.layout.columns[1][0];
        const r = document.getElementById('network').getBoundingClientRect();
        return [r.left + n.x + n.size / 2, r.top + n.y + n.size / 2];
    }""")
    page.page.mouse.click(x, y)
    page.page.locator("#zoom").wait_for(state="visible")
    assert len(set(page.repainted("zoom-canvas"))) > 10


def test_space_plays_and_pauses_and_the_right_arrow_steps(page):
    page.open("/?autoplay=1&seed=7")
    page.page.locator("h1").click()
    page.page.keyboard.press("Space")
    page.wait("() => window.nnlive.run.state === 'paused'")
    page.settle()  # a frame sent before the pause may still be on its way
    epoch = page.js("() => window.nnlive.run.shown.header.epoch")
    page.page.keyboard.press("ArrowRight")
    page.wait("(e) => window.nnlive.run.shown.header.epoch === e + 1", epoch)
    assert {"type": "step", "epochs": 1} in page.sent
    page.page.keyboard.press("Space")
    page.wait("() => window.nnlive.run.state === 'running'")


def test_bias_units_toggle_and_show_their_values(page):
    page.open("/?autoplay=1&seed=7")
    page.pause()
    assert page.js("() => window.nnlive.diagram.layout.biasNodes.length") == 0
    page.page.check('input[data-toggle="bias"]')
    page.wait("() => window.nnlive.diagram.layout.biasNodes.length === 3")
    x, y, bias = page.js("""() => {
        const e = window.nnlive.diagram.layout.edges
            .find((d) => d.bias && d.layer === 1 && d.to === 0);
        const r = document.getElementById('network').getBoundingClientRect();
        return [r.left + e.x0 + 0.3 * (e.x1 - e.x0), r.top + e.y0 + 0.3 * (e.y1 - e.y0),
                window.nnlive.run.shown.header.biases[1][0]];
    }""")
    page.page.mouse.move(x, y)
    tip = page.page.locator("#network-tip")
    tip.wait_for(state="visible")
    assert tip.inner_text().startswith("b = ")
    assert float(tip.inner_text().split()[2].replace("−", "-")) == pytest.approx(bias, abs=6e-4)


def test_loss_chart_hover_readout_log_scale_and_smoothing(page):
    page.open("/?autoplay=1&seed=7&learning_rate=0.1")
    page.wait("() => window.nnlive.run.history.length > 40")
    page.pause()
    box = page.page.locator("#loss-chart").bounding_box()
    page.page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    readout = page.page.locator("#chart-readout")
    page.wait("() => document.getElementById('chart-readout').textContent.includes('Train loss')")
    assert "epoch" in readout.inner_text() and "λ·R(w)" in readout.inner_text()
    page.page.mouse.move(0, 0)
    linear = page.repainted("loss-chart")
    logged = page.toggle("logY", True, "loss-chart")
    assert changed(linear, logged) > 50
    page.page.locator("#smoothing").fill("0.9")
    assert changed(logged, page.repainted("loss-chart")) > 20


def test_a_finger_tap_on_the_output_probes(open_page):
    phone = open_page(viewport=PHONE, has_touch=True, is_mobile=True).open("/?autoplay=1&seed=7")
    phone.pause()
    box = phone.page.locator("#output").bounding_box()
    phone.page.tap("#output", position={"x": box["width"] * 0.5, "y": box["height"] * 0.3})
    phone.page.locator("#probe math").first.wait_for()
    assert any(m["type"] == "probe" for m in phone.sent)
