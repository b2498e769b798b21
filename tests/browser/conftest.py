"""Browser fixtures: one real ``nnlive serve`` on a free 127.0.0.1 port, one headless
Chromium (Debian's, never downloaded), and a page that records console errors,
requests to other hosts and WebSocket traffic — a test fails if any of those appear."""

from __future__ import annotations

import base64
import json
import os
import struct
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.serve import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")  # as make test checks
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser_server():
    """``nnlive serve`` in a subprocess; short grace so closed pages free their sessions
    (their runs stay in the server's store: ``browser_server.store_path``)."""
    with ServerProcess(NNLIVE_GRACE_SECONDS="2", PYTHONWARNINGS="ignore") as server:
        yield server


@pytest.fixture(scope="session")
def base_url(browser_server):
    return browser_server.url


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page plus what it did: console errors, other-host requests, WebSocket messages."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.sent: list[dict] = []
        self.frames: list[dict] = []
        self.messages: list[dict] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", self._request)
        page.on("websocket", self._socket)

    def _request(self, request) -> None:
        url = request.url
        if not (url.startswith(self.base_url) or url.startswith("data:")
                or url.startswith(self.base_url.replace("http", "ws", 1))):
            self.foreign.append(url)

    def _socket(self, ws) -> None:
        ws.on("framesent", lambda payload: self.sent.append(json.loads(payload)))
        ws.on("framereceived", self._received)

    def _received(self, payload) -> None:
        if isinstance(payload, str):
            self.messages.append(json.loads(payload))
        else:
            (n,) = struct.unpack_from("<I", payload, 0)
            self.frames.append(json.loads(payload[4:4 + n]))

    def open(self, path: str = "/") -> Watched:
        self.page.goto(self.base_url + path)
        self.wait("() => window.nnlive && window.nnlive.run.framesReceived > 0")
        return self

    def wait(self, expression: str, arg=None, timeout: float = 15_000):
        return self.page.wait_for_function(expression, arg=arg, timeout=timeout)

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def pause(self) -> None:
        """Pause and wait until the server says so (no more frames change the view)."""
        # a message, not a click on Play: a click toggles, and the answer to the page's
        # own opening messages (start, then back to epoch 0 paused) may land between
        # reading the state and the click; pausing twice is harmless
        self.js("() => window.nnlive.client.send({type: 'pause'})")
        self.wait("() => window.nnlive.run.state === 'paused'")
        self.settle()

    def settle(self, quiet_ms: int = 250, rounds: int = 20) -> None:
        """Wait until no frame arrived for ``quiet_ms`` (at most ``rounds`` tries)."""
        for _ in range(rounds):
            before = self.js("() => window.nnlive.run.framesReceived")
            self.page.wait_for_timeout(quiet_ms)
            if self.js("() => window.nnlive.run.framesReceived") == before:
                return
        raise AssertionError("frames kept arriving while paused")

    def pixels(self, canvas_id: str) -> bytes:
        """The canvas's backing-store pixels (every 3rd one, RGBA), read with getImageData."""
        text = self.js("""(id) => {
            const c = document.getElementById(id);
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            const out = new Uint8Array(Math.ceil(d.length / 12) * 4);
            for (let i = 0, j = 0; i < d.length; i += 12, j += 4) out.set(d.subarray(i, i + 4), j);
            let s = '';
            for (let i = 0; i < out.length; i += 8192) {
                s += String.fromCharCode(...out.subarray(i, i + 8192));
            }
            return btoa(s);
        }""", canvas_id)
        return base64.b64decode(text)

    def repainted(self, canvas_id: str) -> bytes:
        """The canvas's pixels once the next animation frames have drawn (``pixels``);
        the loss chart redraws at most every 100 ms."""
        self.page.wait_for_timeout(250)
        return self.pixels(canvas_id)

    def toggle(self, name: str, on: bool, canvas_id: str) -> bytes:
        """Check or uncheck the view toggle ``name``; the canvas's pixels after it repaints."""
        box = f'input[data-toggle="{name}"]'
        (self.page.check if on else self.page.uncheck)(box)
        return self.repainted(canvas_id)

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / name), full_page=False)


def changed(a: bytes, b: bytes) -> int:
    """How many sampled bytes differ between two pixel dumps of the same canvas."""
    assert len(a) == len(b), "the canvas changed size"
    return sum(x != y for x, y in zip(a, b, strict=True))


def near_colour(pixels: bytes, hex_colour: str, tolerance: int = 12) -> int:
    """How many opaque pixels of a ``pixels`` dump are within ``tolerance`` of a colour."""
    want = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    return sum(1 for i in range(0, len(pixels), 4) if pixels[i + 3] > 200
               and all(abs(pixels[i + k] - want[k]) < tolerance for k in range(3)))


@pytest.fixture
def open_page(browser, base_url):
    """open_page(viewport=…, locale=…) → a Watched page; checked for errors at the end."""
    contexts, watched = [], []

    def make(viewport=DESKTOP, locale="en-US", **options) -> Watched:
        context = browser.new_context(viewport=viewport, locale=locale, **options)
        contexts.append(context)
        w = Watched(context.new_page(), base_url)
        watched.append(w)
        return w

    yield make
    for context in contexts:
        context.close()
    for w in watched:
        assert w.errors == [], f"console errors: {w.errors}"
        assert w.foreign == [], f"requests to other hosts: {w.foreign}"


@pytest.fixture
def page(open_page) -> Watched:
    return open_page()
