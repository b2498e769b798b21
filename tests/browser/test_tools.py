"""The playground's tools: errors in the page's language that leave when they no longer
apply, the batch size's real limit, validation_ratio, the regression colour scale and
legend, new data, a weight set by clicking it, − / + above each layer, accuracy and the
confusion matrix, and the forward-pass panel (σ for one output, cleared, wrapping)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import changed, near_colour

pytestmark = pytest.mark.browser


def set_field(page, name: str, value: str) -> None:
    page.page.fill(f'input[name="{name}"]', value)
    page.page.locator(f'input[name="{name}"]').blur()


def test_errors_in_chinese_with_the_label_the_reader_sees(open_page):
    page = open_page().open("/?seed=7&lang=zh")
    set_field(page, "learning_rate", "100")
    error = page.page.locator('[data-error-for="learning_rate"]')
    error.wait_for(state="visible")
    assert error.inner_text() == "学习率必须大于 0、不超过 10；现在是 100。"
    assert page.page.locator('input[name="learning_rate"]').get_attribute("aria-invalid") == "true"
    # switching language re-words the error shown
    page.page.click('a[data-lang="en"]')
    page.wait("() => document.documentElement.lang === 'en'")
    assert error.inner_text() == "Learning rate must be greater than 0 and at most 10; got 100."


def test_an_error_leaves_when_it_no_longer_applies(page):
    page.open("/?seed=7&dataset=plane")
    page.page.select_option('select[name="loss"]', "cross_entropy")
    error = page.page.locator('[data-error-for="loss"]')
    error.wait_for(state="visible")
    assert error.inner_text() == ("Loss: a regression dataset takes Mean squared error, Mean "
                                  "absolute error; got “Cross-entropy”.")
    assert "loss=mse" in page.page.url  # the URL keeps what runs
    page.page.select_option('select[name="dataset"]', "circle")
    page.wait("() => window.nnlive.run.config.dataset === 'circle'")
    error.wait_for(state="hidden")
    assert page.page.locator('select[name="loss"]').input_value() == "cross_entropy"


def test_the_batch_size_limit_is_the_rows_trained_on(page):
    page.open("/?seed=7")
    batch = page.page.locator('input[name="batch_size"]')
    page.wait("() => document.querySelector('[name=batch_size]').max === '250'")
    assert batch.get_attribute("max") == str(len(page.js("() => window.nnlive.run.data.train")))
    set_field(page, "n_points", "100")
    page.wait("() => document.querySelector('[name=batch_size]').max === '50'")
    # a validation split holds rows out of training: the limit follows
    page.page.locator('input[name="validation_ratio"]').fill("20")
    page.page.dispatch_event('input[name="validation_ratio"]', "change")
    page.wait("() => window.nnlive.run.config.validation_ratio === 20")
    assert page.js("() => window.nnlive.run.data.train.length") == 40
    assert batch.get_attribute("max") == "40"
    assert "validation_ratio=20" in page.page.url
    set_field(page, "batch_size", "41")
    error = page.page.locator('[data-error-for="batch_size"]')
    error.wait_for(state="visible")
    assert error.inner_text().startswith("Batch size must be a whole number from 1 to 40")


def test_regression_has_a_colour_scale_and_no_error_rate(page):
    page.open("/?autoplay=1&seed=7&dataset=multi_gaussian")
    page.wait("() => window.nnlive.run.shown.header.epoch > 3")
    page.pause()
    lo, hi = page.js("() => window.nnlive.run.shown.header.grid.range")
    scale = page.page.locator("#color-scale")
    assert scale.locator(".color-scale-name").inner_text() == "predicted value"
    assert scale.locator(".color-scale-lo").inner_text() == f"{lo:.2f}".replace("-", "−")
    assert scale.locator(".color-scale-hi").inner_text() == f"{hi:.2f}".replace("-", "−")
    ends = page.js("""() => { const c = document.querySelector('.color-scale-strip');
        const d = c.getContext('2d').getImageData(0, 0, c.width, 1).data;
        return [Array.from(d.slice(0, 3)), Array.from(d.slice(d.length - 4, d.length - 1))]; }""")
    assert ends == [[68, 1, 84], [253, 231, 37]]  # the heatmap's own scale, end to end
    assert page.page.locator('#chart-legend [data-series="test_error"]').is_hidden()
    assert page.page.locator("#metrics").is_hidden()
    assert page.page.locator("#accuracy").is_hidden()
    page.page.select_option('select[name="dataset"]', "circle")
    page.wait("() => window.nnlive.run.config.dataset === 'circle'")
    page.wait("() => document.querySelector('#color-scale .color-scale-name').textContent"
              " === 'P(class 1)'")
    # the legend names what the chart draws: the error rate is back once the new run's
    # first entry (epoch 0) is in its history
    page.wait("() => !document.querySelector('#chart-legend [data-series=\"test_error\"]').hidden")
    assert page.page.locator('#chart-legend [data-series="test_error"]').is_visible()


def test_new_data_draws_a_new_seed(page):
    page.open("/?seed=7")
    before = page.js("() => window.nnlive.run.data.train")
    page.page.click("#regenerate")
    page.wait("() => window.nnlive.run.config.seed !== 7")
    seed = page.js("() => window.nnlive.run.config.seed")
    assert page.page.locator('input[name="seed"]').input_value() == str(seed)
    assert f"seed={seed}" in page.page.url
    assert page.js("() => window.nnlive.run.data.train") != before


def test_clicking_a_weight_sets_it_and_the_drawing_follows(page):
    page.open("/?autoplay=1&seed=7&hidden=3")
    page.wait("() => window.nnlive.run.shown.header.epoch > 5")
    x, y = page.js("""() => {
        const e = window.nnlive.diagram.layout.edges
            .find((d) => !d.bias && d.layer === 0 && d.from === 0 && d.to === 1);
        const r = document.getElementById('network').getBoundingClientRect();
        return [r.left + e.x0 + 0.25 * (e.x1 - e.x0), r.top + e.y0 + 0.25 * (e.y1 - e.y0)];
    }""")
    page.page.mouse.click(x, y)
    editor = page.page.locator("#weight-editor")
    editor.wait_for(state="visible")
    page.wait("() => window.nnlive.run.state === 'paused'")  # clicking a weight pauses
    page.settle()
    assert "(input 1 → layer 1, neuron 2)" in editor.inner_text()
    before = page.repainted("output")
    value = editor.locator('input[name="value"]')
    assert value.evaluate("(e) => document.activeElement === e")
    value.fill("-4.5")
    value.press("Enter")
    editor.wait_for(state="hidden")
    page.wait("() => window.nnlive.run.shown.header.weights[0][0][1] === -4.5")
    sent = [m for m in page.sent if m["type"] == "set_weight"]
    assert sent == [{"type": "set_weight", "layer": 0, "from": 0, "to": 1, "value": -4.5}]
    assert changed(before, page.repainted("output")) > 100
    # a value out of range: the server's refusal, in the editor, in the page's words
    page.page.mouse.click(x, y)
    editor.wait_for(state="visible")
    value.fill("500")
    value.press("Enter")
    err = editor.locator("[data-error-for='value']")
    err.wait_for(state="visible")
    assert err.inner_text() == "Value must be a number from −100 to 100; got 500."
    value.press("Escape")
    editor.wait_for(state="hidden")


def test_plus_and_minus_above_each_layer(page):
    page.open("/?seed=7&hidden=3,2")
    groups = page.page.locator("#layer-buttons .layer-group")
    assert groups.count() == 2
    page.page.locator('#layer-buttons [data-action="add-neuron"][data-layer="1"]').click()
    page.wait("() => JSON.stringify(window.nnlive.run.config.hidden) === '[3,3]'")
    page.page.locator('#layer-buttons [data-action="remove-neuron"][data-layer="0"]').click()
    page.wait("() => JSON.stringify(window.nnlive.run.config.hidden) === '[2,3]'")
    assert page.page.locator("[data-layers] .layer-n").all_inner_texts() == ["2", "3"]
    # each group sits over its column of the diagram
    centres = page.js("""() => {
        const r = document.getElementById('network').getBoundingClientRect();
        const cols = window.nnlive.diagram.layout.columns;
        return [...document.querySelectorAll('#layer-buttons .layer-group')].map((g, i) => {
            const b = g.getBoundingClientRect();
            return [b.left + b.width / 2 - r.left, cols[i + 1][0].x + cols[i + 1][0].size / 2];
        });
    }""")
    for got, want in centres:
        assert got == pytest.approx(want, abs=2)


def test_accuracy_and_the_confusion_matrix(page):
    page.open("/?autoplay=1&seed=5&dataset=three_blobs&noise=40")
    page.wait("() => window.nnlive.run.shown.header.epoch > 10")
    page.pause()
    header = page.js("() => window.nnlive.run.shown.header")
    cells = page.js("() => [...document.querySelectorAll('#confusion tbody tr')].map((tr) =>"
                    " [...tr.querySelectorAll('td')].map((td) => Number(td.textContent)))")
    assert cells == header["confusion"]
    n_test = len(page.js("() => window.nnlive.run.data.test"))
    assert sum(map(sum, cells)) == n_test
    right = sum(cells[i][i] for i in range(3))
    assert right / n_test == pytest.approx(1 - header["test_error"], abs=1e-12)
    accuracy = f"{100 * right / n_test:.1f}%"
    assert page.page.locator("#metrics-accuracy").inner_text() == accuracy
    assert page.page.locator("#accuracy").inner_text() == accuracy
    assert page.page.locator("#confusion thead th").all_inner_texts()[1:] == [
        "class 0", "class 1", "class 2"]


def probe_at(page, x1: float, x2: float) -> None:
    x, y = page.js("([a, b]) => [window.nnlive.output.square.px(a),"
                   " window.nnlive.output.square.py(b)]", [x1, x2])
    page.page.locator("#output").click(position={"x": x, "y": y})


def test_the_forward_pass_shows_sigma_for_one_output_and_softmax_for_three(page):
    page.open("/?seed=7")
    probe_at(page, 2, 1)
    page.page.locator("#probe .probe-loss").wait_for()
    last = page.page.locator("#probe .eq").last
    probe = [m for m in page.messages if m["type"] == "probe"][-1]
    assert last.locator("math").first.text_content() == "σ(z)="
    assert f"{probe['probabilities'][0]:.3f}" in last.inner_text()
    assert "softmax" not in page.page.locator("#probe").inner_text()
    # new data: the panel is cleared, then three classes give softmax(z)
    page.page.select_option('select[name="dataset"]', "three_blobs")
    page.wait("() => document.querySelector('#probe .hint') !== null")
    assert page.page.locator("#probe math").count() == 0
    probe_at(page, -1, 2)
    page.page.locator("#probe .probe-loss").wait_for()
    last = page.page.locator("#probe .eq").last
    assert last.locator("math").first.text_content() == "softmax(z)="
    # Reset clears it too
    page.page.click("#reset")
    page.wait("() => document.querySelector('#probe .hint') !== null")


def test_a_long_vector_wraps_inside_the_panel(page):
    page.open("/?seed=7&hidden=16,8")
    probe_at(page, 1, 1)
    page.page.locator("#probe .probe-loss").wait_for()
    layer = page.js("""() => {
        const panel = document.getElementById('probe').getBoundingClientRect();
        const eq = document.querySelectorAll('#probe .eq')[1];  // z of the 16-neuron layer
        const parts = [...eq.querySelectorAll('math')].map((m) => m.getBoundingClientRect());
        return { n: parts.length - 1, lines: new Set(parts.map((r) => Math.round(r.top))).size,
                 outside: parts.filter((r) => r.right > panel.right + 0.5).length };
    }""")
    assert layer["n"] == 16 and layer["outside"] == 0 and layer["lines"] >= 2


def test_the_loss_chart_draws_a_validation_curve_when_entries_carry_one(page):
    """The chart module on a canvas of its own, fed history entries with and without
    validation_loss (the live server sends them once the engine's validation split is
    merged; a test through the socket follows then)."""
    page.open("/?seed=7")
    counts = page.js("""async () => {
        const { createLossChart, SERIES_STYLE } = await import('/static/js/loss-chart.js');
        const { createHistory } = await import('/static/js/history.js');
        const hex = SERIES_STYLE.validation_loss.color;
        const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
        async function draw(withValidation) {
            const canvas = document.createElement('canvas');
            canvas.style.cssText = 'width: 400px; height: 200px; position: fixed; left: 0; top: 0';
            document.body.append(canvas);
            const history = createHistory(1000);
            for (let e = 0; e <= 100; e++) {
                history.push({ epoch: e, train_loss: 1 / (1 + e / 10),
                    test_loss: 1.1 / (1 + e / 12), penalty: 0, train_error: 0.3, test_error: 0.3,
                    validation_loss: withValidation ? 0.6 + 0.4 / (1 + e / 5) : null,
                    validation_error: null });
            }
            const chart = createLossChart(canvas, history);
            chart.draw();
            await new Promise((done) => setTimeout(done, 100));
            const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) {
                const near = Math.abs(d[i] - r) < 12 && Math.abs(d[i + 1] - g) < 12
                    && Math.abs(d[i + 2] - b) < 12;
                if (near && d[i + 3] > 200) n++;
            }
            canvas.remove();
            return [n, chart.hasValues('validation_loss')];
        }
        return [await draw(true), await draw(false)];
    }""")
    (with_pixels, with_flag), (without_pixels, without_flag) = counts
    assert with_flag and not without_flag
    assert with_pixels > 100 and without_pixels == 0


def test_a_run_with_a_validation_split_draws_its_validation_curve(page):
    """Through the real server: validation_ratio 20 gives history entries with
    validation_loss, and the chart's canvas holds the curve's colour; without a split,
    none of it (pixels read from the canvas)."""
    drawn = {}
    for ratio in (20, 0):
        page.open(f"/?autoplay=1&seed=7&validation_ratio={ratio}")
        colour = page.js("async () => (await import('/static/js/loss-chart.js'))"
                         ".SERIES_STYLE.validation_loss.color")
        page.wait("() => window.nnlive.run.history.length > 30", timeout=30_000)
        page.pause()
        entry = next(f["history"][-1] for f in reversed(page.frames) if f.get("history"))
        assert (entry["validation_loss"] is not None) == (ratio > 0)
        drawn[ratio] = near_colour(page.repainted("loss-chart"), colour)
        key = page.page.locator('#chart-legend [data-series="validation_loss"]')
        assert key.is_visible() == (ratio > 0)
    assert drawn[20] > 20 and drawn[0] == 0  # (every third pixel is read)
