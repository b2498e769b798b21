"""The embed obeys only the window that frames it, and a parent_origin the referrer
contradicts names no parent (static/js/embed/bridge.js)."""

from __future__ import annotations

import pytest

from tests.browser import test_embed
from tests.browser.conftest import DESKTOP
from tests.browser.test_embed import serve_directory

course_url = test_embed.course_url  # the example course site, as test_embed serves it

BLANK = '<!doctype html><meta charset="utf-8"><title>blank</title>'
# a frame on the course page's own origin (srcdoc inherits it) that is not the embed's
# parent: it posts commands into the embed, as an opener or a sibling frame could
SIBLING = ("<script>const embed = parent.document.getElementById('triangle').contentWindow;"
           "embed.postMessage({target: 'nnlive', type: 'pause'}, '*');"
           "embed.postMessage({target: 'nnlive', type: 'set_config', config: {hidden: [1]}},"
           " '*'); parent.postMessage({sibling: 'sent'}, '*');</script>")


@pytest.fixture(scope="module")
def other_url(tmp_path_factory):
    directory = tmp_path_factory.mktemp("other")
    (directory / "blank.html").write_text(BLANK)
    proc, url = serve_directory(directory, "127.0.0.1")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_a_window_on_the_parents_origin_that_is_not_the_parent_is_ignored(
        browser, base_url, course_url):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{course_url}/index.html?nnlive={base_url}")
    wait = page.wait_for_function
    wait("() => window.course.events.some((e) => e.frame === 'triangle' && e.type === 'epoch'"
         " && e.epoch > 3)", timeout=20_000)
    page.evaluate("() => { window.sibling = 0; window.addEventListener('message', (e) => {"
                  " if (e.data && e.data.sibling) window.sibling++; }); }")
    page.evaluate("(html) => { const f = document.createElement('iframe'); f.srcdoc = html;"
                  " document.body.append(f); }", SIBLING)
    wait("() => window.sibling === 1")
    frame = page.frame_locator("#triangle")
    epoch = page.evaluate("() => window.course.events.filter((e) => e.frame === 'triangle' "
                          "&& e.type === 'epoch').at(-1).epoch")
    wait("(e) => window.course.events.filter((m) => m.frame === 'triangle' && m.type === "
         "'epoch' && m.epoch > e).length >= 3", arg=epoch, timeout=20_000)
    state = frame.locator("body").evaluate("() => window.nnlive.run.state")
    hidden = frame.locator("body").evaluate("() => window.nnlive.run.config.hidden")
    assert (state, hidden) == ("running", [3])
    # the real parent, on the same origin, is still obeyed
    page.click("button[data-command='pause'][data-for='triangle']")
    wait("() => window.course.events.some((e) => e.frame === 'triangle' && e.type === 'status'"
         " && e.state === 'paused')")
    context.close()


def test_parent_origin_contradicted_by_the_referrer_names_no_parent(
        browser, base_url, course_url, other_url):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{other_url}/blank.html")
    for query, parent in ((f"parent_origin={course_url}", None),  # referrer: other_url
                          (f"parent_origin={other_url}", other_url),
                          ("", other_url)):
        page.evaluate("(src) => { document.body.innerHTML = ''; const f = "
                      "document.createElement('iframe'); f.src = src; f.id = 'e';"
                      " document.body.append(f); }", f"{base_url}/embed?{query}")
        frame = page.frame_locator("#e").locator("body")
        frame.evaluate("() => new Promise((ok) => { const t = () => window.nnlive?.bridge ? "
                       "ok() : setTimeout(t, 50); t(); })")
        assert frame.evaluate("() => window.nnlive.bridge.parent") == parent, query
    context.close()
