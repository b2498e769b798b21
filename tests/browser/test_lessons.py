"""The lessons in a real Chromium against a real server: every lesson lays out its
MathML and trains live without console errors, in both languages; every demo names its
network; lesson 5's demos draw their networks; the embed snippet, copied and pasted as
it is into a course page, trains; a demo connects only when it comes near view.
The worked numbers are checked in ``test_lessons_numbers.py``."""

from __future__ import annotations

import json
import urllib.request

import pytest

from app.routes.lessons import LESSONS, lesson_strings, network_setup
from core.config import validate_config
from tests.browser.conftest import DESKTOP, PHONE, ROOT, SCREENSHOTS
from tests.browser.lessons_helpers import course_page, demo_index, demo_js, open_lesson, wait_epoch

pytestmark = pytest.mark.browser

SLUGS = [lesson["slug"] for lesson in LESSONS]
LIVE = [s for s in SLUGS if s != "design"]  # every lesson but design trains over a socket


def shown_text(page, index: int) -> str:
    """Every number slot of a demo as text (MathML slots, outputs, readouts)."""
    return page.js("(i) => [...window.nnliveLessons.demos[i].el.querySelectorAll("
                   "'[data-v], [data-mat], output')].map((e) => e.textContent).join('|')", index)


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


@pytest.mark.parametrize("slug", SLUGS)
def test_chinese_pages_render(open_page, slug):
    page = open_lesson(open_page(locale="zh-CN"), slug, "zh")
    assert page.js("() => document.documentElement.lang") == "zh-CN"
    title = lesson_strings("zh")[f"{slug}.title"]
    assert page.js("() => document.querySelector('h1').textContent") == title
    sizes = page.js("() => [...document.querySelectorAll('math')].map((m) => "
                    "m.getBoundingClientRect().width)")
    assert sizes and all(w > 0 for w in sizes), "a formula was not laid out"
    page.screenshot(f"lessons/{slug}-zh.png")


def test_the_index_names_the_article_in_both_languages(open_page):
    title = "《深度学习》深度学习 框架、流程解析、动态展示及推导"
    for lang in ("en", "zh"):
        page = open_page()
        page.page.goto(f"{page.base_url}/lessons?lang={lang}")
        assert title in page.js("() => document.querySelector('.source').textContent")
        assert page.js("() => document.querySelectorAll('.lesson-list li').length") == len(LESSONS)
        page.screenshot(f"lessons/index-{lang}.png")


def expected_setup(config: dict, strings: dict[str, str]) -> str:
    """A demo's one-line network description, built here from core's rules."""
    setup = network_setup(validate_config(config))
    t = lambda key, **v: strings[key].format(**v)  # noqa: E731
    names = strings["setup.sep"].join(setup["inputs"])
    parts = [t("setup.inputs", n=len(setup["inputs"]), names=names)]
    parts += [t("setup.hidden_one" if n == 1 else "setup.hidden", n=n, f=setup["activation"])
              for n in setup["hidden"]]
    parts.append(t(f"setup.output_{setup['output']}", n=setup["outputs"]))
    return " ".join((strings["setup.label"] + " → ".join(parts)).split())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_live_demo_names_its_network_and_activations(open_page, lang):
    strings = lesson_strings(lang)
    page = open_page()
    for lesson in LESSONS:
        open_lesson(page, lesson["slug"], lang)
        named = page.js("() => window.nnliveLessons.demos.filter((d) => d.api && d.api.live)"
                        ".map((d) => [d.name, d.el.querySelector('[data-role=setup]')"
                        "?.textContent ?? null])")
        for name, text in named:
            assert text is not None, f"{lesson['slug']}/{name} does not name its network"
            assert " ".join(text.split()) == expected_setup(lesson["demos"][name], strings)


def test_lesson_5_draws_each_demos_network(open_page):
    page = open_lesson(open_page(), "neurons")
    for name, sizes in (("one", [2, 1, 1]), ("two", [2, 2, 1]), ("main", [2, 3, 1]),
                        ("blobs", [2, 3, 3])):
        index = demo_index(page, "live", name)
        wait_epoch(page, index, 3)
        page.wait("(i) => window.nnliveLessons.demos[i].api.diagram.layout !== null", arg=index)
        layout = demo_js(page, index, "const l = d.diagram.layout;"
                         " return l.columns.map((c) => c.length);")
        assert layout == sizes, name
        inked = demo_js(page, index, "const c = el.querySelector('canvas.network');"
                        " const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                        " let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i]) n++;"
                        " return n / (c.width * c.height);")
        assert inked > 0.05, f"{name}: the network diagram is blank"
    demo_js(page, demo_index(page, "live", "main"), "return 0;")
    page.screenshot("lessons/neurons-networks-en.png")


def test_the_copied_embed_snippet_pasted_into_a_page_trains(open_page, browser):
    """The snippet escapes & as &amp; (raw, "&reg_rate=0" reads as "®_rate=0")."""
    page = open_lesson(open_page(permissions=["clipboard-read", "clipboard-write"]),
                       "regularization")
    page.page.click("[data-role=copy]")
    page.wait("() => document.querySelector('[data-role=copy-status]').textContent !== ''")
    pasted = page.js("() => navigator.clipboard.readText()")
    assert pasted == page.js("() => document.getElementById('embed-snippet').value")
    assert "&amp;reg_rate=" in pasted and "&reg_rate" not in pasted.replace("&amp;", "")
    context = browser.new_context(viewport=DESKTOP)
    course = context.new_page()
    errors: list[str] = []
    course.on("pageerror", lambda e: errors.append(str(e)))
    html = f'<!doctype html><meta charset="utf-8"><title>A course</title>{pasted}'
    with course_page(html) as address:
        course.goto(address)
        frame = course.wait_for_selector("iframe").content_frame()
        frame.wait_for_function("() => window.nnlive && window.nnlive.run.framesReceived > 3",
                                timeout=20_000)
        main = validate_config(LESSONS[-1]["demos"]["main"]).to_dict()
        config = frame.evaluate("() => window.nnlive.run.config")
        keys = ("regularization", "reg_rate", "hidden", "seed")
        assert {k: config[k] for k in keys} == {k: main[k] for k in keys}
        assert frame.evaluate("() => document.getElementById('embed-errors')") is None
        SCREENSHOTS.joinpath("lessons").mkdir(parents=True, exist_ok=True)
        course.screenshot(path=str(SCREENSHOTS / "lessons" / "embed-snippet-pasted.png"))
    context.close()
    assert errors == []


@pytest.mark.parametrize("slug", ["neuron", "layers", "hidden-layer", "neurons", "losses",
                                  "softmax", "regularization"])
def test_phone_width_has_no_sideways_scroll(open_page, slug):
    page = open_lesson(open_page(viewport=PHONE), slug)
    assert page.js("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(f"lessons/{slug}-phone.png")


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
    page = open_lesson(open_page(), "regularization")
    index = demo_index(page, "regularization")
    below = page.js("(i) => window.nnliveLessons.demos[i].el.getBoundingClientRect().top"
                    " - window.innerHeight", index)
    assert below > 400, "the demo must start below the fold for this test"
    page.page.wait_for_timeout(1_000)
    assert page.js("(i) => window.nnliveLessons.demos[i].api.live.client.session", index) is None
    assert not page.frames, "no frame may arrive before the demo is near view"
    wait_epoch(page, index, 3)  # scrolls it into view, then it trains
    assert page.js("(i) => window.nnliveLessons.demos[i].api.live.client.session", index)
