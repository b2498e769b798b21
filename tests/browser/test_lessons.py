"""The lessons in a real Chromium against a real server: every lesson lays out its
MathML, trains live without console errors, and its worked numbers are right — the
regularization example, a softmax recomputed here from the numbers on the page, and
the probe of a clicked point recomputed with the core's own ``probe``."""

from __future__ import annotations

import json
import math
import urllib.request

import numpy as np
import pytest

from app.routes.lessons import LESSONS
from core.config import validate_config
from core.losses import output_kind
from core.network import Network
from core.probe import probe as core_probe
from tests.browser.conftest import PHONE, ROOT
from tests.browser.lessons_helpers import softmax_steps

pytestmark = pytest.mark.browser

SLUGS = [lesson["slug"] for lesson in LESSONS]
LIVE = [s for s in SLUGS if s != "design"]  # every lesson but design trains over a socket


def open_lesson(page, slug: str, lang: str = "en"):
    page.page.goto(f"{page.base_url}/lessons/{slug}?lang={lang}")
    page.wait("() => window.nnliveLessons && window.nnliveLessons.ready")
    return page


def demo_js(page, index: int, body: str, arg=None):
    """Runs ``body`` with ``d`` = the index-th demo's API (window.nnliveLessons), once the
    demo is in view (a live demo connects when it first comes near the viewport)."""
    page.js("(i) => window.nnliveLessons.demos[i].el.scrollIntoView({block: 'center'})", index)
    return page.js(f"([i, arg]) => {{ const d = window.nnliveLessons.demos[i].api; {body} }}",
                   [index, arg])


def wait_epoch(page, index: int, at_least: int, timeout: float = 20_000) -> None:
    page.js("(i) => window.nnliveLessons.demos[i].el.scrollIntoView({block: 'center'})", index)
    page.wait("([i, n]) => { const f = window.nnliveLessons.demos[i].api.live.run.ring.newest;"
              " return f && f.header.epoch >= n; }", arg=[index, at_least], timeout=timeout)


def shown_text(page, index: int) -> str:
    """Every number slot of a demo as text (MathML slots, outputs, readouts)."""
    return page.js("(i) => [...window.nnliveLessons.demos[i].el.querySelectorAll("
                   "'[data-v], [data-mat], output')].map((e) => e.textContent).join('|')", index)


def wait_sent(page, expected: dict, tries: int = 50) -> None:
    """Waits (bounded) until the last message the page sent is ``expected``."""
    for _ in range(tries):
        if page.sent and page.sent[-1] == expected:
            return
        page.page.wait_for_timeout(100)
    raise AssertionError(f"the page did not send {expected}; last sent: {page.sent[-3:]}")


def number(text: str) -> float:
    return float(text.strip().replace("−", "-").strip("()"))


def test_index_lists_every_lesson_and_unknown_slugs_get_a_404(base_url):
    with urllib.request.urlopen(f"{base_url}/lessons?lang=zh") as r:
        html = r.read().decode()
    assert all(f'href="/lessons/{slug}?lang=zh"' in html for slug in SLUGS)
    assert "神经元" in html
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{base_url}/lessons/no-such-lesson")
    assert info.value.code == 404
    assert "/lessons/neuron" in info.value.read().decode()


def test_both_string_files_have_the_same_nonempty_keys():
    en, zh = (json.loads((ROOT / "static" / "i18n" / f"lessons.{lang}.json").read_text("utf-8"))
              for lang in ("en", "zh"))
    assert set(en) == set(zh)
    assert all(value.strip() for value in [*en.values(), *zh.values()])


@pytest.mark.parametrize("slug", SLUGS)
def test_lesson_lays_out_its_mathml_and_its_live_numbers_change(open_page, slug):
    page = open_lesson(open_page(), slug)
    sizes = page.js("() => [...document.querySelectorAll('math')].map((m) => {"
                    " const r = m.getBoundingClientRect(); return [r.width, r.height]; })")
    assert len(sizes) >= 3
    assert all(w > 0 and h > 0 for w, h in sizes), "a formula was not laid out"
    assert page.js("() => document.querySelector("
                   "'math mfrac, math msub, math msup, math munder') !== null")
    link = page.js("() => document.querySelector('[data-role=playground-link]')"
                   ".getAttribute('href')")
    snippet = page.js("() => document.getElementById('embed-snippet').value")
    main = validate_config(next(l for l in LESSONS if l["slug"] == slug)["demos"]["main"])
    parts = (f"dataset={main.dataset}", f"seed={main.seed}",
             f"learning_rate={main.learning_rate:g}")
    for part in parts:
        assert part in link and part in snippet
    assert snippet.startswith("<iframe src=\"http://127.0.0.1:") and "/embed?" in snippet
    if slug in LIVE:
        index = page.js("() => window.nnliveLessons.demos.findIndex((d) => d.api && d.api.live)")
        wait_epoch(page, index, 3)
        page.wait("(i) => window.nnliveLessons.demos[i].el.querySelector('[data-role=epoch]')"
                  ".textContent !== '0'", arg=index)
        before = shown_text(page, index)
        epoch = demo_js(page, index, "return d.live.run.ring.newest.header.epoch;")
        wait_epoch(page, index, epoch + 10)
        page.wait("([i, old]) => [...window.nnliveLessons.demos[i].el.querySelectorAll("
                  "'[data-v], [data-mat], output')].map((e) => e.textContent).join('|') !== old",
                  arg=[index, before])
    page.screenshot(f"lessons/{slug}-en.png")


@pytest.mark.parametrize("slug", ["neuron", "softmax", "regularization"])
def test_chinese_pages_render(open_page, slug):
    page = open_lesson(open_page(locale="zh-CN"), slug, "zh")
    assert page.js("() => document.documentElement.lang") == "zh-CN"
    titles = {"neuron": "神经元", "softmax": "一步一步看 softmax 交叉熵",
              "regularization": "正则化"}
    assert page.js("() => document.querySelector('h1').textContent") == titles[slug]
    page.screenshot(f"lessons/{slug}-zh.png")


@pytest.mark.parametrize("slug", ["neuron", "neurons", "losses", "softmax"])
def test_phone_width_has_no_sideways_scroll(open_page, slug):
    page = open_lesson(open_page(viewport=PHONE), slug)
    assert page.js("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(f"lessons/{slug}-phone.png")


def network_from_frame(config: dict, header: dict) -> Network:
    cfg = validate_config(config)
    sizes = [len(cfg.features), *cfg.hidden, len(header["biases"][-1])]
    net = Network(sizes, cfg.activation, output_kind(cfg.loss, cfg.task, cfg.n_classes))
    for layer, w, b in zip(net.layers, header["weights"], header["biases"], strict=True):
        layer[:-1] = np.array(w)
        layer[-1] = np.array(b)
    return net


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


def test_regularization_example_and_live_switch(open_page):
    page = open_lesson(open_page(), "regularization")
    cells = page.js("() => Object.fromEntries([...document.querySelectorAll('[data-result]')]"
                    ".map((e) => [e.dataset.result, e.textContent]))")
    assert cells == {"out-w1": "1", "out-w2": "1", "l1-w1": "1", "l1-w2": "1",
                     "l2-w1": "0.5", "l2-w2": "0.125"}
    index = 1
    wait_epoch(page, index, 5)
    page.page.check("input[name=regularization][value=l2]")
    page.page.locator("[data-role=rate]").fill("5")  # rates[5] = 0.1
    wait_sent(page, {"type": "update", "config": {"regularization": "l2", "reg_rate": 0.1}})
    epoch = demo_js(page, index, "return d.live.run.ring.newest.header.epoch;")
    wait_epoch(page, index, epoch + 20)
    demo_js(page, index, "d.live.pause();")
    page.wait("() => window.nnliveLessons.demos[1].api.live.run.state === 'paused'")
    page.page.wait_for_timeout(300)  # the frame sent on pausing, then one redraw of the numbers
    header = demo_js(page, index, "return d.live.run.ring.newest.header;")
    weights = np.concatenate([np.ravel(w) for w in header["weights"]])
    r_l2 = 0.5 * float(np.sum(weights**2))
    assert header["penalty"] == pytest.approx(0.1 * r_l2, rel=1e-9)
    page.wait("([r]) => { const e = document.querySelector('[data-v=R]');"
              " return Math.abs(parseFloat(e.textContent.replace('−', '-')) - r) < 6e-5; }",
              arg=[r_l2])
    near = int(np.sum(np.abs(weights) < 0.01))
    shown = page.js("() => document.querySelector('output[data-v=near_zero]').textContent")
    assert shown == str(near)
    page.screenshot("lessons/regularization-l2-en.png")


def test_losses_computed_in_the_page_agree_with_the_server(open_page):
    page = open_lesson(open_page(), "losses")
    index = page.js("() => window.nnliveLessons.demos.findIndex((d) => d.kind === 'loss-live')")
    wait_epoch(page, index, 10)
    demo_js(page, index, "d.live.pause();")
    page.wait("(i) => window.nnliveLessons.demos[i].api.live.run.state === 'paused'", arg=index)
    page.page.wait_for_timeout(300)
    values = demo_js(page, index, "return d.values;")
    header = demo_js(page, index, "return d.live.run.ring.newest.header;")
    assert values["cross_entropy"] == pytest.approx(header["train_loss"], rel=1e-9)
    assert values["zero_one"] == pytest.approx(header["train_error"], abs=1e-12)
    compare = page.js("() => window.nnliveLessons.demos"
                      ".findIndex((d) => d.kind === 'loss-compare')")
    page.wait("(i) => window.nnliveLessons.demos[i].api.result !== null", arg=compare,
              timeout=30_000)
    assert page.js("() => document.querySelectorAll('.compare-cell canvas').length") == 4


def test_sweep_ranks_hidden_sizes_by_test_loss(open_page):
    page = open_lesson(open_page(), "design")
    page.wait("() => window.nnliveLessons.demos[1].api.ranked !== null", timeout=30_000)
    ranked = demo_js(page, 1, "return d.ranked.map((r) => [r.size, r.last.test_loss, r.best]);")
    assert sorted(size for size, _, _ in ranked) == [1, 2, 3, 4, 6, 8, 12]
    losses = [loss for _, loss, _ in ranked]
    assert losses == sorted(losses)
    assert ranked[0][2] is True and not any(best for _, _, best in ranked[1:])
    best_row = page.js("() => document.querySelector("
                       "'table.ranking tr.best td:nth-child(2)').textContent")
    assert int(best_row) == ranked[0][0]
    counts = page.js("() => [...document.querySelectorAll("
                     "'.demo[data-demo=design-count] [data-v]')].map((e) => e.textContent)")
    assert "7" in counts and "73" in counts  # 7 features, 8 hidden: (7+1)·8 + (8+1)·1


def test_one_socket_per_demo_and_at_most_four(open_page):
    page = open_page()
    sockets = []
    page.page.on("websocket", lambda ws: sockets.append(ws.url))
    open_lesson(page, "neurons")
    for i in range(4):
        wait_epoch(page, i, 2)
    assert len(sockets) == 4
    datasets = {m["config"]["dataset"] for m in page.messages if m.get("type") == "dataset"}
    assert datasets == {"circle", "three_blobs"}


def test_a_demo_below_the_fold_connects_only_when_it_comes_near_view(open_page):
    """A class opening a lesson takes sessions only for the demos it looks at."""
    page = open_lesson(open_page(), "losses")
    index = page.js("() => window.nnliveLessons.demos.findIndex((d) => d.kind === 'loss-live')")
    below = page.js("(i) => window.nnliveLessons.demos[i].el.getBoundingClientRect().top"
                    " - window.innerHeight", index)
    assert below > 400, "the demo must start below the fold for this test"
    page.page.wait_for_timeout(1_000)
    assert page.js("(i) => window.nnliveLessons.demos[i].api.live.client.session", index) is None
    assert not page.frames, "no frame may arrive before the demo is near view"
    wait_epoch(page, index, 3)  # scrolls it into view, then it trains
    assert page.js("(i) => window.nnliveLessons.demos[i].api.live.client.session", index)
