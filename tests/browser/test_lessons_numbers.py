"""The lessons' worked numbers in a real Chromium against a real server, recomputed
here with the core's own code from the weights the page shows: a clicked point through
every layer (its probe), the five losses and their written-out sums, softmax step by
step, a few training points through a hidden layer, the loss comparison, the sweep, and
the regularization example and live penalty."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.routes.lessons import LESSONS
from core.config import validate_config
from core.features import feature_matrix
from core.losses import LOSSES, error_rate, output_kind
from core.network import with_bias_column
from core.probe import probe as core_probe
from core.regularizers import REGULARIZERS
from core.sweep import best_index, run_sweep
from core.trainer import Trainer
from tests.browser.lessons_helpers import (
    demo_index,
    demo_js,
    network_from_frame,
    number,
    open_lesson,
    pause_demo,
    slots,
    softmax_steps,
    wait_epoch,
)

pytestmark = pytest.mark.browser


def wait_sent(page, expected: dict, tries: int = 50) -> None:
    """Waits (bounded) until the last message the page sent is ``expected``."""
    for _ in range(tries):
        if page.sent and page.sent[-1] == expected:
            return
        page.page.wait_for_timeout(100)
    raise AssertionError(f"the page did not send {expected}; last sent: {page.sent[-3:]}")


def mat(page, index: int, name: str) -> np.ndarray:
    """A [data-mat] matrix as the page shows it (rows of numbers)."""
    rows = demo_js(page, index, "return [...el.querySelector(`[data-mat=\"${arg}\"] mtable`)"
                   ".querySelectorAll('mtr')].map((r) => [...r.querySelectorAll('mn')]"
                   ".map((e) => e.textContent));", name)
    return np.array([[number(v) for v in row] for row in rows])


def scores(config: dict, header: dict, rows) -> np.ndarray:
    """The output layer's raw z for data rows, by the core's network."""
    cfg = validate_config(config)
    net = network_from_frame(config, header)
    x = with_bias_column(feature_matrix(np.asarray(rows)[:, :2], cfg.features))
    return net.forward(x).copy()


def test_neuron_probe_shows_the_servers_numbers(open_page):
    page = open_lesson(open_page(), "neuron")
    wait_epoch(page, 0, 5)
    page.page.locator("canvas.lesson-field").click(position={"x": 120, "y": 90})
    page.wait("() => window.nnliveLessons.demos[0].api.probe !== null")
    shown = demo_js(page, 0, "const p = d.probe; return {p, config: d.live.run.config,"
                             " header: d.live.frameAt(p.epoch).header};")
    probe = shown["p"]
    assert demo_js(page, 0, "return d.live.run.state;") == "paused"
    expected = core_probe(network_from_frame(shown["config"], shown["header"]),
                          shown["config"]["features"], probe["x"])
    z = expected["layers"][0]["z"][0]
    assert probe["layers"][0]["z"][0] == pytest.approx(z, abs=1e-12)
    slots = page.js("() => Object.fromEntries([...document.querySelectorAll("
                    "'[data-role=probe-math] [data-v]')].map((e) => [e.dataset.v, e.textContent]))")
    assert number(slots["z"]) == pytest.approx(z, abs=6e-4)
    assert number(slots["p"]) == pytest.approx(1 / (1 + math.exp(-z)), abs=6e-4)
    w = shown["header"]["weights"][0]
    assert number(slots["pw1"]) == pytest.approx(w[0][0], abs=6e-4)
    server_p = page.js("() => document.querySelector('[data-role=server-p]').textContent")
    assert number(server_p) == pytest.approx(expected["probabilities"][0], abs=6e-5)
    page.page.locator("[data-role=sigmoid-plot]").scroll_into_view_if_needed()
    page.screenshot("lessons/neuron-probe-en.png")


def test_softmax_steps_match_a_recomputation_and_the_servers_probe(open_page):
    page = open_lesson(open_page(), "softmax")
    wait_epoch(page, 0, 20)
    page.page.locator("canvas.lesson-field").click(position={"x": 200, "y": 80})
    page.wait("() => window.nnliveLessons.demos[0].api.probe !== null")
    state = demo_js(page, 0, "const p = d.probe; return {p, config: d.live.run.config};")
    page.wait("(e) => window.nnliveLessons.demos[0].api.live.frameAt(e) !== null",
              arg=state["p"]["epoch"])
    header = demo_js(page, 0, "return d.live.frameAt(arg).header;", state["p"]["epoch"])
    slots = page.js("() => Object.fromEntries([...document.querySelectorAll("
                    "'.softmax-steps [data-v], [data-v=loss], [data-v=sum], [data-v=server_loss]')]"
                    ".map((e) => [e.dataset.v, e.textContent]))")
    label = state["p"]["label"]
    logits = [number(slots[f"z{k}"]) for k in range(3)]
    mine = softmax_steps(logits, label)
    for k in range(3):  # from the 4-decimal logits the page shows
        assert number(slots[f"p{k}"]) == pytest.approx(mine["probs"][k], rel=2e-3, abs=2e-4)
        assert number(slots[f"e{k}"]) == pytest.approx(mine["exps"][k], rel=2e-3, abs=2e-4)
    assert number(slots["loss"]) == pytest.approx(mine["loss"], rel=2e-3, abs=2e-4)
    expected = core_probe(network_from_frame(state["config"], header), state["config"]["features"],
                          state["p"]["x"], label, loss=state["config"]["loss"])
    assert state["p"]["layers"][-1]["z"] == pytest.approx(expected["layers"][-1]["z"], abs=1e-12)
    for k in range(3):
        assert number(slots[f"z{k}"]) == pytest.approx(expected["layers"][-1]["z"][k], abs=6e-5)
    assert number(slots["server_loss"]) == pytest.approx(expected["loss"], abs=6e-5)
    assert number(slots["loss"]) == pytest.approx(expected["loss"], abs=6e-5)
    page.page.locator("table.softmax-steps").scroll_into_view_if_needed()
    page.screenshot("lessons/softmax-probe-en.png")


def test_a_clicked_point_goes_through_every_layer_with_the_servers_numbers(open_page):
    page = open_lesson(open_page(), "layers")
    index = demo_index(page, "live")
    wait_epoch(page, index, 5)
    page.page.locator("canvas.lesson-field").click(position={"x": 150, "y": 110})
    page.wait("(i) => window.nnliveLessons.demos[i].api.forward !== null", arg=index)
    shown = demo_js(page, index, "return {f: d.forward, config: d.live.run.config};")
    probe, header, config = shown["f"]["probe"], shown["f"]["header"], shown["config"]
    assert demo_js(page, index, "return d.live.run.state;") == "paused"
    expected = core_probe(network_from_frame(config, header), config["features"], probe["x"])
    steps = demo_js(page, index, "const mns = (e) => e.tagName === 'mn' ? [e] : [...e"
                    ".querySelectorAll('mn')]; return [...el.querySelectorAll('[data-role="
                    "forward-steps] math')].map((m) => ({last: mns(m.lastElementChild).map((e) =>"
                    " e.textContent), matrix: m.querySelector('mtable') ? [...m.querySelector("
                    "'mtable').querySelectorAll('mtr')].map((r) => mns(r).map((e) =>"
                    " e.textContent)) : null}));")
    vectors = [[number(v) for v in s["last"]] for s in steps]
    layers = expected["layers"]
    wanted = [expected["input"]]
    for l, layer in enumerate(layers):
        wanted.append(layer["z"])
        if l < len(layers) - 1:
            wanted.append(layer["a"])
    wanted.append(expected["probabilities"])
    assert len(vectors) == len(wanted) == 2 * len(layers) + 1  # x, z and a per layer, ŷ
    for got, want in zip(vectors, wanted, strict=True):
        assert got == pytest.approx(want, abs=6e-4)
    for l, step in enumerate(s for s in steps if s["matrix"]):  # [W; b] of each layer
        shown_wb = np.array([[number(v) for v in row] for row in step["matrix"]])
        wb = np.vstack([header["weights"][l], [header["biases"][l]]])
        assert shown_wb == pytest.approx(wb, abs=6e-4)
    page.page.locator("[data-role=forward]").scroll_into_view_if_needed()
    page.screenshot("lessons/layers-forward-en.png")


def test_four_points_through_the_hidden_layer_match_the_core(open_page):
    page = open_lesson(open_page(), "hidden-layer")
    index = demo_index(page, "live", "main")
    wait_epoch(page, index, 20)
    header = pause_demo(page, index)
    state = demo_js(page, index, "return {rows: d.live.run.data.train.slice(0, 4),"
                    " config: d.live.run.config};")
    net = network_from_frame(state["config"], header)
    passes = [core_probe(net, state["config"]["features"], row[:2]) for row in state["rows"]]
    core = {"X": [p["input"] for p in passes], "A1": [p["layers"][0]["a"] for p in passes],
            "Z": [p["layers"][1]["z"] for p in passes], "Yhat": [p["output"] for p in passes]}
    for name, values in core.items():
        assert mat(page, index, name) == pytest.approx(np.array(values), abs=6e-3), name
    page.screenshot("lessons/hidden-layer-example-en.png")


def test_the_loss_table_and_the_written_out_sums_match_the_core(open_page):
    page = open_lesson(open_page(), "losses")
    index = demo_index(page, "loss-live")
    wait_epoch(page, index, 10)
    header = pause_demo(page, index)
    state = demo_js(page, index, "return {rows: d.live.run.data.train, config: d.live.run.config,"
                    " values: d.values};")
    rows = np.array(state["rows"])
    y, z = rows[:, 2], scores(state["config"], header, rows)
    kind = output_kind("cross_entropy", "classification", 2)
    core = {name: LOSSES[name].value(z, y, "raw" if name == "hinge" else kind).mean()
            for name in ("mse", "mae", "cross_entropy", "hinge")}
    core["zero_one"] = error_rate(z, y)  # (a pause can land mid-epoch: the frame's weights,
    # not its epoch's train_loss, are what the page computes from)
    shown = slots(page, index)
    n = len(rows)
    assert int(shown["n"]) == n
    for name, value in core.items():
        assert state["values"][name] == pytest.approx(value, rel=1e-9)
        assert number(shown[name]) == pytest.approx(value, abs=6e-5)
        assert number(shown[f"{name}_sum"]) == pytest.approx(value * n, abs=6e-5)
    p = 1 / (1 + np.exp(-z[:2, 0]))
    assert [number(shown["p1"]), number(shown["p2"])] == pytest.approx(p, abs=6e-5)
    assert [int(shown["y1"]), int(shown["y2"])] == [int(v) for v in y[:2]]
    truth = np.where(y[:2] == 1, p, 1 - p)  # the probability each gives its true class
    assert [number(shown["pt1"]), number(shown["pt2"])] == pytest.approx(truth, rel=1e-3)
    assert number(shown["ce_terms"]) == pytest.approx(-core["cross_entropy"] * n, abs=6e-5)
    page.page.locator("table.formulas").scroll_into_view_if_needed()
    page.screenshot("lessons/losses-table-en.png")


def test_the_loss_comparison_shows_each_runs_test_error(open_page):
    page = open_lesson(open_page(), "losses")
    index = demo_index(page, "loss-compare")
    demo_js(page, index, "return 0;")
    page.wait("(i) => window.nnliveLessons.demos[i].api.result !== null", arg=index,
              timeout=30_000)
    config = next(item for item in LESSONS if item["slug"] == "losses")["demos"]["compare"]
    shown = page.js("() => [...document.querySelectorAll('.compare-cell')].map((c) => "
                    "c.querySelector('.test-error').textContent)")
    for loss, text in zip(("cross_entropy", "mse", "mae", "hinge"), shown, strict=True):
        run = Trainer(validate_config({**config, "loss": loss}))
        run.train_epochs(400)
        assert number(text.split()[-1]) == pytest.approx(run.history[-1]["test_error"], abs=6e-4)
    assert not page.js("() => [...document.querySelectorAll('.compare-cell')]"
                       ".some((c) => /loss/.test(c.textContent.replace(/cross|Mean|Hinge/g, '')))")
    page.page.locator(".four-up").scroll_into_view_if_needed()
    page.screenshot("lessons/losses-compare-en.png")


def test_the_sweep_chooses_the_size_on_validation_and_tests_only_that_one(open_page):
    page = open_lesson(open_page(), "design")
    index = demo_index(page, "sweep")
    page.wait("(i) => window.nnliveLessons.demos[i].api.rows !== null", arg=index, timeout=30_000)
    cells = page.js("() => [...document.querySelectorAll('table.sweep-table tbody tr')]"
                    ".map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))")
    sizes = [int(n) for n in demo_js(page, index, "return el.dataset.values;").split(",")]
    main = LESSONS[5]["demos"]["main"]
    results = run_sweep([validate_config({**main, "hidden": [n]}) for n in sizes],
                        int(demo_js(page, index, "return el.dataset.epochs;")))
    best = best_index(results)  # the lowest final validation loss, recomputed by the core
    features = len(validate_config(main).features)
    assert [int(c[0].split()[0]) for c in cells] == sizes
    for i, (row, variant) in enumerate(zip(cells, results, strict=True)):
        n, last = sizes[i], variant["history"][-1]
        assert int(row[1]) == (features + 1) * n + (n + 1) * 1
        assert [number(v) for v in row[2:4]] == pytest.approx(
            [last["train_loss"], last["validation_loss"]], abs=6e-4)
        if i == best:  # the test set, looked at once: for the chosen size only
            assert [number(v) for v in row[4:]] == pytest.approx(
                [last["test_loss"], last["test_error"]], abs=6e-4)
        else:
            assert row[4:] == ["—", "—"]
    chosen = page.page.locator("table.sweep-table tr.best")
    assert chosen.count() == 1 and chosen.get_attribute("data-size") == str(sizes[best])
    assert "(chosen)" in chosen.inner_text()
    said = page.page.locator("[data-role=sweep-chosen]").inner_text()
    assert f"{sizes[best]} hidden neurons" in said and "validation loss" in said
    painted = page.js("() => { const c = document.querySelector('[data-role=sweep-plot]');"
                      " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                      " let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0;"
                      " return n; }")
    assert painted > 1000  # the validation curves were drawn
    counts = page.js("() => [...document.querySelectorAll("
                     "'.demo[data-demo=design-count] [data-v]')].map((e) => e.textContent)")
    assert "7" in counts and "73" in counts  # 7 features, 8 hidden: (7+1)·8 + (8+1)·1


def test_regularization_example_and_live_switch(open_page):
    page = open_lesson(open_page(), "regularization")
    facts = page.js("() => Object.fromEntries([...document.querySelectorAll('[data-fact]')]"
                    ".map((e) => [e.dataset.fact, e.textContent]))")
    w1, w2 = np.array([1.0, 0, 0, 0]), np.full(4, 0.25)
    for name, w in (("w1", w1), ("w2", w2)):
        for kind in ("l1", "l2"):
            assert number(facts[f"ex_{kind}_{name}"]) == REGULARIZERS[kind](w)[0]
        assert number(facts[f"ex_out_{name}"]) == float(np.ones(4) @ w)
    index = demo_index(page, "regularization")
    wait_epoch(page, index, 5)
    page.page.check("input[name=regularization][value=l2]")
    page.page.locator("[data-role=rate]").fill("5")  # rates[5] = 0.1
    wait_sent(page, {"type": "update", "config": {"regularization": "l2", "reg_rate": 0.1}})
    epoch = demo_js(page, index, "return d.live.run.ring.newest.header.epoch;")
    wait_epoch(page, index, epoch + 20)
    header = pause_demo(page, index)
    weights = np.concatenate([np.ravel(w) for w in header["weights"]])
    r_l2 = REGULARIZERS["l2"](weights)[0]
    assert header["penalty"] == pytest.approx(0.1 * r_l2, rel=1e-9)
    page.wait("([i, r]) => { const e = window.nnliveLessons.demos[i].el.querySelector("
              "'[data-v=R]'); return Math.abs(parseFloat(e.textContent.replace('−', '-')) - r)"
              " < 6e-5; }", arg=[index, r_l2])
    near = int(np.sum(np.abs(weights) < 0.01))
    shown = page.js("() => document.querySelector('output[data-v=near_zero]').textContent")
    assert shown == str(near)
    page.screenshot("lessons/regularization-l2-en.png")
