"""The embed view in a course site on another origin: events to the parent, commands from
it, commands from a third origin ignored; controls=, lock=, theme=, autoplay=, preset=."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import DESKTOP, PHONE, ROOT, SCREENSHOTS
from tests.serve import ServerProcess, free_port

COURSE_SITE = ROOT / "examples" / "course-site"

# A page on a third origin that posts commands into the course page's first nnlive frame.
ATTACKER_HTML = '<!doctype html><meta charset="utf-8"><script src="attacker.js"></script>'
ATTACKER_JS = """
const frame = parent.frames[0];
frame.postMessage({ target: "nnlive", type: "pause" }, "*");
frame.postMessage({ target: "nnlive", type: "set_config", config: { hidden: [1] } }, "*");
parent.postMessage({ attacker: "sent" }, "*");
"""


def serve_directory(directory: Path, host: str):
    """``python -m http.server`` bound to 127.0.0.1; its URL names the host ``host``."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                             "127.0.0.1", "--directory", str(directory)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert proc.poll() is None, "http.server exited"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1):
                return proc, f"http://{host}:{port}"
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError(f"http.server on {port} did not start")


@pytest.fixture(scope="module")
def course_url():
    """The example course site on ``localhost`` (nnlive is on ``127.0.0.1``: another origin)."""
    proc, url = serve_directory(COURSE_SITE, "localhost")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def attacker_url(tmp_path_factory):
    """A third origin (another port) whose page posts commands into the frame."""
    directory = tmp_path_factory.mktemp("attacker")
    (directory / "attacker.html").write_text(ATTACKER_HTML)
    (directory / "attacker.js").write_text(ATTACKER_JS)
    (directory / "blank.html").write_text('<!doctype html><meta charset="utf-8"><title>x</title>')
    proc, url = serve_directory(directory, "127.0.0.1")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def listing_url(course_url):
    """A second ``nnlive serve`` whose NNLIVE_EMBED_ORIGINS lists only the course site."""
    with ServerProcess(NNLIVE_EMBED_ORIGINS=course_url, PYTHONWARNINGS="ignore") as server:
        yield server.url


@pytest.fixture(params=["any-site", "listed-sites"])
def nnlive_url(request):
    """nnlive without NNLIVE_EMBED_ORIGINS (any site frames it), and with it set."""
    name = "base_url" if request.param == "any-site" else "listing_url"
    return request.getfixturevalue(name)


@pytest.fixture
def course(browser, nnlive_url, course_url):
    """The course page with both embeds; console errors of every frame are collected."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{course_url}/index.html?nnlive={nnlive_url}")
    yield page
    context.close()
    assert errors == [], f"console errors: {errors}"


def events(page, frame: str, kind: str) -> list[dict]:
    return page.evaluate("([f, k]) => window.course.events.filter((e) => e.frame === f && "
                         "e.type === k)", [frame, kind])


def nnlive_frame(page, base_url: str, iframe_id: str):
    handle = page.wait_for_selector(f"iframe#{iframe_id}")
    frame = handle.content_frame()
    assert frame is not None and frame.url.startswith(base_url + "/embed?")
    return frame


def test_course_page_on_another_origin(course, nnlive_url, attacker_url):
    page, base_url = course, nnlive_url
    wait = page.wait_for_function
    # the iframe trains and its events reach the parent, on the parent's origin
    wait("() => window.course.events.some((e) => e.frame === 'triangle' && e.type === 'epoch'"
         " && e.epoch > 5)", timeout=20_000)
    kinds = {e["type"] for e in page.evaluate("() => window.course.events")}
    assert {"ready", "config", "status", "epoch", "height"} <= kinds
    assert events(page, "triangle", "config")[0]["config"]["hidden"] == [3]  # preset
    last = events(page, "triangle", "epoch")[-1]
    assert set(last) >= {"epoch", "train_loss", "test_loss", "train_error", "test_error"}
    assert all(e["source"] == "nnlive" for e in page.evaluate("() => window.course.events"))
    frame = nnlive_frame(page, base_url, "triangle")
    assert frame.evaluate("() => window.nnlive.bridge.target") == page.evaluate(
        "() => location.origin")
    # auto-resize: the iframe is as tall as the embed's content said
    height = events(page, "triangle", "height")[-1]["height"]
    assert page.evaluate("() => document.getElementById('triangle').style.height") == \
        f"{height}px"
    # the second demo: autoplay=0 waits at epoch 0, paused; theme=dark
    wait("() => window.course.events.some((e) => e.frame === 'l2' && e.type === 'status' "
         "&& e.state === 'paused')", timeout=20_000)
    second = nnlive_frame(page, base_url, "l2")
    assert second.evaluate("() => document.body.classList.contains('theme-dark')")

    # a third origin posts pause and set_config into the frame: both ignored
    page.evaluate("() => { window.attacker = 0; window.addEventListener('message', (e) => {"
                  " if (e.data && e.data.attacker) window.attacker++; }); }")
    page.evaluate("(src) => { const f = document.createElement('iframe');"
                  " f.src = src; document.body.append(f); }", f"{attacker_url}/attacker.html")
    wait("() => window.attacker === 1")
    epoch_then = events(page, "triangle", "epoch")[-1]["epoch"]
    wait("(e) => window.course.events.filter((m) => m.frame === 'triangle' && m.type === "
         "'epoch' && m.epoch > e).length >= 3", arg=epoch_then, timeout=20_000)
    assert frame.evaluate("() => window.nnlive.run.state") == "running"
    assert frame.evaluate("() => window.nnlive.run.config.hidden") == [3]
    assert not [e for e in events(page, "triangle", "status") if e["state"] == "paused"]

    # the parent's own buttons: pause, then a set_config, then a locked field refused
    page.click("button[data-command='pause'][data-for='triangle']")
    wait("() => window.course.events.some((e) => e.frame === 'triangle' && e.type === 'status'"
         " && e.state === 'paused')")
    assert frame.evaluate("() => window.nnlive.run.state") == "paused"
    page.click("button[data-set-hidden='4'][data-for='triangle']")
    wait("() => window.course.events.some((e) => e.frame === 'triangle' && e.type === 'config'"
         " && e.config.hidden[0] === 4)")
    page.evaluate("(o) => document.getElementById('triangle').contentWindow.postMessage("
                  "{target: 'nnlive', type: 'set_config', config: {dataset: 'xor'}}, o)",
                  base_url)
    wait("() => window.course.events.some((e) => e.frame === 'triangle' && e.type === 'error'"
         " && e.code === 'locked' && e.field === 'dataset')")
    assert frame.evaluate("() => window.nnlive.run.config.dataset") == "circle"
    # viewport shots: Chromium does not paint other-origin frames outside the viewport
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "embed" / "course-site-top-1400.png"))
    page.locator("#l2").scroll_into_view_if_needed()
    wait("() => window.course.events.some((e) => e.frame === 'l2' && e.type === 'height')")
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "embed" / "course-site-dark-demo-1400.png"))
    page.click("button[data-command='play'][data-for='triangle']")
    wait("() => window.course.events.filter((e) => e.frame === 'triangle' && e.type === "
         "'status').at(-1).state === 'running'")


def test_a_site_not_listed_cannot_frame_the_embed(browser, listing_url, attacker_url):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.goto(f"{attacker_url}/blank.html")
    page.evaluate("(src) => { const f = document.createElement('iframe'); f.id = 'x';"
                  " f.src = src; document.body.append(f); }", f"{listing_url}/embed")
    for _ in range(50):  # Chromium reports the refusal on the framing page's console
        if any("frame-ancestors" in text for text in console):
            break
        page.wait_for_timeout(100)
    assert any("frame-ancestors" in text for text in console), console
    frame = page.query_selector("iframe#x").content_frame()
    assert not frame.url.startswith(listing_url)
    context.close()


def test_controls_lock_preset_and_errors(open_page):
    page = open_page(viewport=PHONE)
    page.open("/embed?preset=l1&noise=20&controls=reg_rate,hidden,bogus&lock=hidden"
              "&autoplay=0&lang=en")
    # an unknown control name: a clear, visible error; the page still works
    error = page.page.locator("#embed-errors")
    assert error.is_visible()
    assert "bogus" in error.inner_text() and "controls" in error.inner_text()
    # the preset, with an explicit field over it
    page.wait("() => window.nnlive.run.config !== null")
    config = page.js("() => window.nnlive.run.config")
    assert (config["regularization"], config["hidden"], config["noise"]) == ("l1", [6], 20)
    # autoplay=0: paused at epoch 0
    page.wait("() => window.nnlive.run.state === 'paused'")
    page.settle()
    assert page.js("() => window.nnlive.run.shown.header.epoch") == 0
    # only the chosen controls; the locked one is shown disabled
    names = page.js("() => [...document.getElementById('config-form').elements]"
                    ".map((e) => e.name).filter(Boolean)")
    assert set(names) == {"reg_rate", "hidden"}
    assert page.js("() => [...document.querySelectorAll('[name=hidden]')]"
                   ".every((e) => e.disabled)")
    assert not page.js("() => document.querySelector('[name=reg_rate]').disabled")
    page.page.fill("[name=reg_rate]", "0.05")
    page.page.dispatch_event("[name=reg_rate]", "change")
    for _ in range(50):  # the socket's sent frames are reported a moment later
        updates = [m for m in page.sent if m["type"] == "update"]
        if updates:
            break
        page.page.wait_for_timeout(100)
    assert updates and updates[-1]["config"] == {"reg_rate": 0.05}
    page.page.click("#play")
    page.wait("() => window.nnlive.run.state === 'running'")
    page.screenshot("embed/embed-light-390.png")


def test_dark_theme_and_no_controls(open_page):
    page = open_page(viewport=PHONE)
    page.open("/embed?preset=three_neurons&controls=none&theme=dark&lang=zh")
    page.wait("() => window.nnlive.stats.draws > 2")
    assert page.js("() => document.getElementById('config-form')") is None
    assert page.js("() => document.getElementById('embed-errors')") is None
    background = page.js("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(22, 25, 29)"
    # the output canvas fills the width of the frame (less the page padding)
    width = page.js("() => document.getElementById('output').getBoundingClientRect().width")
    assert width >= PHONE["width"] - 50
    # not framed: no parent to talk to
    assert page.js("() => window.nnlive.bridge.target") in ("*", None)
    page.screenshot("embed/embed-dark-390.png")
