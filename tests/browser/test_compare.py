"""The compare panel: variants trained side by side, drawn, ranked, and "use this"."""

from __future__ import annotations

import pytest

from core.config import validate_config
from core.sweep import run_sweep, sweep_base
from tests.browser.conftest import changed, near_colour

pytestmark = pytest.mark.browser


def run_compare(page, field: str, values: str, epochs: int) -> None:
    page.page.select_option('#compare-form select[name="field"]', field)
    page.page.fill('#compare-form input[name="values"]', values)
    page.page.fill('#compare-form input[name="epochs"]', str(epochs))
    page.page.click("#compare-run")


def test_variants_are_drawn_ranked_and_one_is_used(page):
    page.open("/?autoplay=1&seed=7&hidden=4&dataset=xor")
    run_compare(page, "hidden", "1, 2, 8", 150)
    page.wait("() => window.nnliveCompare.state.sweep?.done === true", timeout=60_000)
    page.wait("() => document.querySelectorAll('.variant').length === 3")
    sent = [m for m in page.sent if m["type"] == "sweep"]
    assert sent == [{"type": "sweep", "vary": {"field": "hidden", "values": [[1], [2], [8]]},
                     "epochs": 150}]
    done = next(m for m in page.messages if m["type"] == "sweep_done")
    losses = [v["validation_loss"] for v in done["variants"]]
    assert done["best"] == losses.index(min(losses)) and done["stopped"] is False
    # the best card is highlighted and says so; the chart ringed it
    best = page.page.locator(".variant.best")
    assert best.count() == 1 and best.get_attribute("data-index") == str(done["best"])
    assert "best" in best.inner_text()
    page.wait("() => window.nnliveCompare.stats.draws > 0")
    # each variant drew its own boundary: blank canvases would be equal to each other
    shots = [page.pixels(f"compare-variant-{i}") for i in range(3)]
    assert all(max(s) > 0 for s in shots)
    assert changed(shots[0], shots[2]) > 100 and max(page.pixels("compare-chart")) > 0
    # sweep frames never reach the main run's timeline
    received = page.js("() => window.nnlive.run.framesReceived")
    main_frames = sum(1 for f in page.frames if "kind" not in f)  # counted after: ≥
    assert 0 < received <= main_frames < len(page.frames)
    assert page.js("() => window.nnlive.run.ring.newest.header.kind ?? null") is None
    page.page.locator('.variant[data-index="2"] .variant-use').click()
    page.wait("() => new URL(location.href).searchParams.get('hidden') === '8'")
    assert {"type": "update", "config": {"hidden": [8]}} in page.sent
    page.wait("() => window.nnlive.run.config.hidden.join() === '8'")
    assert "seed=7" in page.page.url and "dataset=xor" in page.page.url


def test_a_refused_value_is_shown_in_the_panel_and_training_goes_on(open_page):
    page = open_page(locale="zh-CN")
    page.open("/?autoplay=1&seed=3&lang=zh")
    assert page.page.locator("#compare-heading").inner_text() == "并排比较多次训练"
    run_compare(page, "learning_rate", "0.01, 0.1, 99", 50)
    error = page.page.locator('#compare [data-error-for="vary"]')
    error.wait_for(state="visible")
    assert "vary.values[2]" in error.inner_text() and "learning_rate" in error.inner_text()
    assert page.page.locator('#config-form [data-error-for="_form"]').is_hidden()
    epoch = page.js("() => window.nnlive.run.shown.header.epoch")
    page.wait("(e) => window.nnlive.run.shown.header.epoch > e + 5", epoch)
    run_compare(page, "activation", "tanh, relu", 2000)
    page.wait("() => (window.nnliveCompare.state.sweep?.variants[0].epoch ?? 0) > 5")
    page.page.click("#compare-stop")
    page.wait("() => window.nnliveCompare.state.sweep.stopped === true")
    assert error.is_hidden()
    # the status line is redrawn at the next animation frame, not at the message
    page.wait("() => document.getElementById('compare-status').textContent.includes('停止')")


def test_the_best_is_chosen_on_validation_loss_not_on_test_loss(page):
    """Data where the two disagree (recomputed by the core): the panel marks the variant
    with the lowest validation loss, says so, and its chart draws validation and train
    loss, never the test loss."""
    query = {"dataset": "gaussian", "noise": 40, "n_points": 200, "hidden": [8], "seed": 6}
    configs = [validate_config({**sweep_base(query).to_dict(), "hidden": [n]}) for n in (1, 2, 8)]
    final = [r["history"][-1] for r in run_sweep(configs, 150)]
    validation = [f["validation_loss"] for f in final]
    test = [f["test_loss"] for f in final]
    assert validation.index(min(validation)) != test.index(min(test))  # they disagree here
    page.open("/?seed=6&dataset=gaussian&noise=40&n_points=200&hidden=8")
    run_compare(page, "hidden", "1, 2, 8", 150)
    page.wait("() => window.nnliveCompare.state.sweep?.done === true", timeout=60_000)
    done = next(m for m in page.messages if m["type"] == "sweep_done")
    chosen = validation.index(min(validation))
    assert done["best"] == chosen
    assert [v["validation_loss"] for v in done["variants"]] == pytest.approx(validation, rel=1e-6)
    best = page.page.locator(".variant.best")
    best.wait_for()
    assert best.get_attribute("data-index") == str(chosen)
    assert f"Validation loss {validation[chosen]:.3f}" in best.inner_text()
    page.wait("() => document.getElementById('compare-status').textContent.includes('Done')")
    assert "lowest validation loss" in page.page.locator("#compare-status").inner_text()
    assert "lowest validation loss" in page.page.locator("#compare .hint").first.inner_text()
    colours = page.js("async () => (await import('/static/js/compare/chart.js')).SWEEP_COLORS")
    pixels = page.pixels("compare-chart")
    assert near_colour(pixels, colours["validation"]) > 20  # validation loss, line and marks
    assert near_colour(pixels, colours["train"]) > 20
