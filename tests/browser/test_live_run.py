"""The live-run controller (static/js/live-run.js) that the playground, the embed and the
lesson demos share: one rule for starting. A reconnect within the grace period resumes
the same run without a new start; a page away for longer gets its run back from the
server's store, also without a start; a page whose session the server no longer has at
all (past the store's retention) gets a new session and starts again, with the
configuration as last sent, whichever page it is."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.browser.lessons_helpers import demo_index, demo_js, open_lesson, wait_epoch

pytestmark = pytest.mark.browser

GRACE_S = 2  # the test server's NNLIVE_GRACE_SECONDS (conftest.base_url)


def forget(store_path: str, token: str) -> None:
    """What the store's retention does to an old run: its record is gone."""
    with sqlite3.connect(store_path, timeout=10) as db:
        db.execute("DELETE FROM parts WHERE kind = 'session' AND key = ?", (token,))
        db.execute("DELETE FROM records WHERE kind = 'session' AND key = ?", (token,))


def away_longer_than_the_grace(page, drop: str, before_back=None) -> tuple[list, list]:
    """Drops the page's socket (``drop``: JS that does it), holds the reconnect away from
    the server until the session is freed (its run kept in the store), calls
    ``before_back``, then lets the reconnect through. Returns the lists the JSON messages
    the page then sends and receives are recorded in (a routed socket's messages do not
    reach the page's own websocket events)."""
    held, sent, received = [], [], []

    def route(ws):
        if not held:
            held.append(ws)  # answered by nobody: the network is away
            return
        server = ws.connect_to_server()

        def upstream(message):
            if isinstance(message, str):
                sent.append(json.loads(message))
            server.send(message)
        def downstream(message):
            if isinstance(message, str):
                received.append(json.loads(message))
            ws.send(message)
        ws.on_message(upstream)
        server.on_message(downstream)

    page.page.route_web_socket("**/ws/train*", route)
    page.js(drop)
    for _ in range(50):
        if held:
            break
        page.page.wait_for_timeout(100)
    assert held, "the page did not try to reconnect"
    page.page.wait_for_timeout((GRACE_S + 2) * 1000)  # the server frees the session
    if before_back is not None:
        before_back()
    held[0].close(code=4000, reason="network back")  # the page retries, now to the server
    return sent, received


def test_a_lesson_demo_whose_session_is_gone_starts_again_with_its_changes(open_page,
                                                                           browser_server):
    page = open_lesson(open_page(), "regularization")
    index = demo_index(page, "regularization")
    wait_epoch(page, index, 5)
    page.page.check("input[name=regularization][value=l2]")
    page.page.locator("[data-role=rate]").fill("5")  # rates[5] = 0.1
    page.wait("(i) => window.nnliveLessons.demos[i].api.live.run.state === 'running'"
              " && window.nnliveLessons.demos[i].api.live.run.ring.newest.header.penalty > 0",
              arg=index)  # the update is answered: L2 at λ = 0.1 runs
    first = demo_js(page, index, "return d.live.client.session;")
    started = next(m for m in page.sent if m["type"] == "start")
    later, _ = away_longer_than_the_grace(
        page, f"window.nnliveLessons.demos[{index}].api.live.client.drop()",
        lambda: forget(browser_server.store_path, first))
    page.wait("([i, s]) => { const c = window.nnliveLessons.demos[i].api.live.client;"
              " return c.session && c.session !== s; }", arg=[index, first], timeout=20_000)
    again = [m for m in later if m["type"] == "start"]
    assert len(again) == 1  # one start for the new session
    assert again[0]["config"] == {**started["config"], "regularization": "l2", "reg_rate": 0.1}
    page.wait("(i) => (window.nnliveLessons.demos[i].api.live.run.ring.newest?.header.epoch"
              " ?? 0) > 3", arg=index, timeout=20_000)  # and it trains again


def test_a_playground_reconnecting_within_the_grace_resumes_without_a_new_start(page):
    page.open("/?autoplay=1&seed=7")
    page.wait("() => window.nnlive.run.shown.header.epoch > 5")
    session = page.js("() => window.nnlive.client.session")
    page.js("() => window.nnlive.client.drop()")
    for _ in range(100):  # bounded: the reconnect comes after 0.5 s
        if any(m["type"] == "hello" and m["resumed"] for m in page.messages):
            break
        page.page.wait_for_timeout(100)
    assert any(m["type"] == "hello" and m["resumed"] for m in page.messages)
    page.wait("(s) => window.nnlive.client.session === s"
              " && window.nnlive.run.state === 'running'", session, timeout=20_000)
    page.page.wait_for_timeout(500)
    assert [m["type"] for m in page.sent].count("start") == 1


def test_a_playground_away_past_the_grace_gets_its_run_back_from_the_store(page):
    page.open("/?autoplay=1&seed=7")
    page.wait("() => window.nnlive.run.shown.header.epoch > 3")
    session = page.js("""() => { window.hellos = [];
        window.addEventListener('nnlive:message', (e) => {
            if (e.detail.type === 'hello') window.hellos.push(e.detail); });
        return window.nnlive.client.session; }""")
    epoch = page.js("() => window.nnlive.run.shown.header.epoch")
    later, _ = away_longer_than_the_grace(page, "window.nnlive.client.drop()")
    page.wait("() => window.hellos.length > 0", timeout=20_000)
    hello = page.js("() => window.hellos[0]")
    # the same session, exactly as written when its socket dropped: the store kept it
    assert hello["session"] == session and hello["resumed"] is True
    page.wait("(s) => window.nnlive.client.session === s && window.nnlive.run.state"
              " === 'running'", session, timeout=20_000)
    assert not [m for m in later if m["type"] == "start"]  # nothing started over
    assert page.js("() => window.nnlive.run.history.epoch[0]") == 0  # one history, from 0
    assert page.js("() => window.nnlive.run.shown.header.epoch") >= epoch


def test_an_embed_whose_session_is_gone_starts_again(page, browser_server):
    page.open("/embed?seed=7&autoplay=1")
    page.wait("() => window.nnlive.run.shown.header.epoch > 3")
    first = page.js("() => window.nnlive.client.session")
    later, _ = away_longer_than_the_grace(page, "window.nnlive.client.drop()",
                                          lambda: forget(browser_server.store_path, first))
    page.wait("(s) => window.nnlive.client.session && window.nnlive.client.session !== s",
              first, timeout=20_000)
    again = [m for m in later if m["type"] == "start"]
    assert len(again) == 1 and again[0]["config"]["seed"] == 7
    page.wait("() => window.nnlive.run.framesReceived > 3 && window.nnlive.run.state"
              " === 'running'", timeout=20_000)
