"""The classroom in real browsers: a teacher and three learners, each in a browser context
of its own, on one real server. The teacher opens a class, the learners join with its
code, the wall shows the three live, a spotlight, a pushed and locked configuration that
reaches every learner, and a wrong key refused."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from tests.app.live import Client
from tests.browser.axe import violations
from tests.browser.conftest import changed

pytestmark = pytest.mark.browser
PROJECTOR = {"width": 1024, "height": 768}
NAMES = ("Ada", "Bo", "Chen")
TILE_PIXELS = """(id) => {
    const c = document.querySelector(`.tile[data-id="${id}"] canvas`);
    return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data
        .filter((_, i) => i % 16 === 0));
}"""


def _open_class(teacher, title: str = "Period 3") -> str:
    """Open a class from /teach like a teacher does; its code."""
    teacher.page.goto(f"{teacher.base_url}/teach")
    teacher.page.fill("#class-title", title)
    teacher.page.click("#open-form button[type=submit]")
    teacher.page.wait_for_url("**/teach/*")
    teacher.wait("() => window.nnlive && window.nnlive.wall !== null")
    return teacher.js("() => window.nnlive.wall.code")


def _join(learner, code: str, name: str) -> None:
    learner.sockets = []
    learner.page.on("websocket", lambda ws: learner.sockets.append(ws.url))
    learner.page.goto(f"{learner.base_url}/?class={code}")
    learner.page.fill("#class-join-name", name)
    learner.page.click(".class-join-box button[type=submit]")
    learner.wait("() => window.nnlive && window.nnlive.run.framesReceived > 0")
    learner.page.locator(".class-line").wait_for(state="visible")


def _wall_epochs(teacher) -> dict:
    return teacher.js("() => Object.fromEntries(window.nnlive.wall.learners.map("
                      "(l) => [l.name, l.epoch]))")


def test_a_teacher_and_three_learners(open_page):
    teacher = open_page(viewport=PROJECTOR)
    code = _open_class(teacher)
    assert "#key=" not in teacher.page.url  # the projector never shows the key
    assert teacher.page.inner_text("#class-code") == code
    learners = [open_page() for _ in NAMES]
    for learner, name in zip(learners, NAMES):
        _join(learner, code, name)
        assert name in learner.page.inner_text(".class-line")
        assert {"class": code, "name": name}.items() <= _query(learner).items()

    # the wall shows all three, live: Play all starts them, epochs and pictures move
    teacher.wait("() => window.nnlive.wall.learners.length === 3")
    assert sorted(teacher.page.locator(".tile-name").all_inner_texts()) == sorted(NAMES)
    teacher.page.click("#play-all")
    teacher.wait("() => window.nnlive.wall.learners.every((l) => l.state === 'running' "
                 "&& l.epoch > 5)")
    ids = {l["name"]: l["session_prefix"] for l in
           teacher.js("() => window.nnlive.wall.learners")}
    before = {n: teacher.js(TILE_PIXELS, i) for n, i in ids.items()}
    epochs = _wall_epochs(teacher)
    teacher.wait("(e) => window.nnlive.wall.learners.every((l) => l.epoch > e[l.name] + 20)",
                 epochs)
    teacher.page.wait_for_timeout(400)
    for name, tile_id in ids.items():
        assert changed(bytes(before[name]), bytes(teacher.js(TILE_PIXELS, tile_id))) > 50
    assert teacher.page.inner_text("#count-running") == "3"

    # spotlight: one learner large, its network and loss chart drawn from its frames
    teacher.page.click(f'.tile[data-id="{ids["Bo"]}"]')
    teacher.page.locator("#spotlight").wait_for(state="visible")
    teacher.wait("() => window.nnlive.spotlight.framesShown >= 2")
    assert teacher.page.inner_text("#spot-name") == "Bo"
    for canvas in ("spot-output", "spot-network", "spot-chart"):
        assert max(teacher.pixels(canvas)) > 0
    shown = teacher.js("() => window.nnlive.spotlight.framesShown")
    first = teacher.pixels("spot-output")
    teacher.wait("(n) => window.nnlive.spotlight.framesShown > n + 2", shown)
    assert changed(first, teacher.repainted("spot-output")) > 20  # live, not a still
    teacher.page.keyboard.press("Escape")
    teacher.page.locator("#spotlight").wait_for(state="hidden")

    # a pushed and locked configuration reaches every learner
    teacher.page.click("#push-open")
    teacher.page.select_option("#push-dataset", "xor")
    teacher.page.fill("#push-hidden", "3")
    teacher.page.check('[data-lock="dataset"]')
    teacher.page.check('[data-lock="hidden"]')
    teacher.page.click("#push-form button[type=submit]")
    teacher.page.locator("#push-panel").wait_for(state="hidden")
    for learner in learners:
        learner.wait("() => window.nnlive.run.config.dataset === 'xor' && "
                     "window.nnlive.run.config.hidden.join() === '3'")
        learner.wait("() => document.querySelector('select[name=dataset]').disabled")
        assert "Dataset" in learner.page.inner_text(".class-line")
    seeds = {learner.js("() => window.nnlive.run.config.seed") for learner in learners}
    assert len(seeds) == 1  # one configuration: the same data for everyone
    assert [m for m in learners[0].messages if m.get("code") == "locked"] == []
    learners[0].js("() => window.nnlive.client.send({type: 'update', config: {dataset: 'circle'}})")
    assert _locked_refusals(learners[0])[0]["field"] == "dataset"
    teacher.wait("() => window.nnlive.wall.learners.every((l) => l.config && "
                 "l.config.dataset === 'xor')")
    assert "Dataset" in teacher.page.inner_text("#locks")

    # learners never see one another: no other name ever reaches a learner's page
    for learner, name in zip(learners, NAMES):
        text = str(learner.messages)
        assert all(other not in text for other in NAMES if other != name)

    # a wrong key is refused, and the wall says so in the page's language
    intruder = open_page(viewport=PROJECTOR, locale="zh-CN")
    with intruder.page.expect_response(lambda r: r.url.endswith("/wall")) as answer:
        intruder.page.goto(f"{intruder.base_url}/teach/{code}#key=not-the-key")
    assert answer.value.status == 403
    intruder.page.locator("#banner").wait_for(state="visible")
    assert intruder.page.inner_text("#banner") == "这个密钥不是这个班的。"
    assert intruder.page.locator(".tile").count() == 0
    assert [e for e in intruder.errors if "403" not in e] == []  # the refusal, logged
    intruder.errors.clear()
    assert httpx.get(f"{teacher.base_url}/api/classes/{code}", timeout=5,
                     headers={"Authorization": "Bearer wrong"}).status_code == 403


def _query(learner) -> dict:
    """The query of the learner page's socket."""
    return dict(parse_qsl(urlsplit(learner.sockets[0]).query))


def _locked_refusals(learner) -> list[dict]:
    for _ in range(50):
        found = [m for m in learner.messages if m.get("code") == "locked"]
        if found:
            return found
        learner.page.wait_for_timeout(100)
    return []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_wall_has_no_axe_violations(open_page, lang):
    teacher = open_page(viewport=PROJECTOR)
    code = _open_class(teacher)
    learner = open_page()
    _join(learner, code, "Ada")
    teacher.page.goto(f"{teacher.base_url}/teach/{code}?lang={lang}")  # the key is kept
    teacher.wait("() => window.nnlive.wall && window.nnlive.wall.learners.length === 1")
    assert violations(teacher.page) == []
    teacher.page.click("#push-open")
    assert violations(teacher.page) == []
    teacher.page.click("#push-cancel")
    teacher.page.click(".tile")
    teacher.wait("() => window.nnlive.spotlight.framesShown >= 1")
    assert violations(teacher.page) == []
    opening = open_page()
    opening.page.goto(f"{opening.base_url}/teach?lang={lang}")
    assert violations(opening.page) == []
    learner.page.goto(f"{learner.base_url}/?class={code}&lang={lang}")  # name kept
    learner.wait("() => window.nnlive.run.framesReceived > 0")
    learner.page.locator(".class-line").wait_for(state="visible")
    assert violations(learner.page) == []


def test_learners_join_from_an_embed_and_from_a_lesson_page(open_page):
    teacher = open_page(viewport=PROJECTOR)
    code = _open_class(teacher)
    embed = open_page()
    embed.page.goto(f"{embed.base_url}/embed?class={code}&controls=hidden")
    embed.page.fill("#class-join-name", "Embedded")
    embed.page.click(".class-join-box button[type=submit]")
    embed.wait("() => window.nnlive.run.framesReceived > 0")
    lesson = open_page()
    lesson.sockets = []
    lesson.page.on("websocket", lambda ws: lesson.sockets.append(ws.url))
    lesson.page.goto(f"{lesson.base_url}/lessons/neurons?class={code}")
    lesson.page.fill("#class-join-name", "Reader")
    lesson.page.click(".class-join-box button[type=submit]")
    lesson.page.locator(".class-line").wait_for(state="visible")
    assert "Reader" in lesson.page.inner_text(".class-line")
    height = lesson.js("() => document.documentElement.scrollHeight")
    for y in range(0, height + 800, 800):  # every demo comes near the view and connects
        lesson.js("(y) => window.scrollTo(0, y)", y)
        lesson.page.wait_for_timeout(150)
    for _ in range(50):
        if len(lesson.sockets) >= 2:
            break
        lesson.page.wait_for_timeout(100)
    joined = [u for u in lesson.sockets if "class=" in u]
    assert len(joined) == 1 and len(lesson.sockets) >= 2  # one demo is the learner's run
    teacher.wait("() => window.nnlive.wall.learners.length === 2")
    names = sorted(teacher.page.locator(".tile-name").all_inner_texts())
    assert names == ["Embedded", "Reader"]
    # a push reaches the embed too, and its locked control is disabled
    assert teacher.js("async () => (await fetch(location.pathname.replace('/teach/', "
                      "'/api/classes/') + '/config', {method: 'POST', headers: {"
                      "'Content-Type': 'application/json', Authorization: 'Bearer ' + "
                      "sessionStorage.getItem('nnlive.teacher.' + window.nnlive.wall.code)},"
                      " body: JSON.stringify({config: {hidden: [2]}, lock: ['hidden']})})"
                      ").status") == 200
    embed.wait("() => window.nnlive.run.config.hidden.join() === '2'")
    embed.wait("() => [...document.querySelectorAll('[name=hidden]')].every((c) => c.disabled)")


class PausedLearners:
    """``count`` learners in a class, each started and paused at epoch 0 (no training, so
    the machine stays free), held by an event loop in a thread of the test process."""

    def __init__(self, ws_url: str, code: str, count: int):
        self.ws_url, self.code, self.count = ws_url, code, count
        self.ready, self.done = threading.Event(), None
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self):
        self.done = asyncio.Event()
        self.loop = asyncio.get_running_loop()
        async with contextlib.AsyncExitStack() as stack:
            for i in range(self.count):
                c = await stack.enter_async_context(Client.connect(
                    f"{self.ws_url}?class={self.code}&name=Learner%20{i:03d}"))
                await c.send("start", config={"seed": i})
                await c.send("pause")
                await c.expect("status", state="paused")
            self.ready.set()
            await self.done.wait()

    def __enter__(self):
        self.thread.start()
        assert self.ready.wait(120), "the learners did not all join"
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.done.set)
        self.thread.join(30)


def test_a_projector_of_1024_by_768_shows_a_class_of_100_on_one_screen(open_page):
    teacher = open_page(viewport=PROJECTOR)
    code = _open_class(teacher)
    ws_url = teacher.base_url.replace("http", "ws", 1) + "/ws/train"
    with PausedLearners(ws_url, code, 100):
        teacher.wait("() => window.nnlive.wall.learners.length === 100", timeout=30_000)
        teacher.page.wait_for_timeout(500)
        boxes = teacher.js("() => [...document.querySelectorAll('.tile')].map((t) => {"
                           " const r = t.getBoundingClientRect(); return [r.top, r.bottom,"
                           " r.left, r.right]; })")
        assert len(boxes) == 100
        assert all(0 <= top and bottom <= 768 and 0 <= left and right <= 1024
                   for top, bottom, left, right in boxes)
        assert teacher.js("() => document.documentElement.scrollHeight") <= 768
        assert teacher.page.inner_text("#count-paused") == "100"
        assert teacher.js("() => window.nnlive.tiles.size") >= 48  # px: still a picture
        teacher.screenshot("classroom-wall-100.png")
