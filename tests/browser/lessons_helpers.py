"""What the lesson browser tests share: opening a lesson, reaching a demo's API
(``window.nnliveLessons``), reading its numbers, and rebuilding a frame's network in the
core so the page's numbers can be recomputed with the core's own code."""

from __future__ import annotations

import math
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

from core.config import validate_config
from core.losses import output_kind
from core.network import Network


def open_lesson(page, slug: str, lang: str = "en"):
    page.page.goto(f"{page.base_url}/lessons/{slug}?lang={lang}")
    page.wait("() => window.nnliveLessons && window.nnliveLessons.ready")
    return page


def demo_index(page, kind: str, name: str | None = None) -> int:
    """The index of the first demo of this kind (and configuration name) on the page."""
    return page.js("([k, n]) => window.nnliveLessons.demos.findIndex((d) => d.kind === k"
                   " && (n === null || d.name === n))", [kind, name])


def demo_js(page, index: int, body: str, arg=None):
    """Runs ``body`` with ``d`` = the index-th demo's API and ``el`` its element
    (window.nnliveLessons), once the demo is in view (a live demo connects when it first
    comes near the viewport)."""
    page.js("(i) => window.nnliveLessons.demos[i].el.scrollIntoView({block: 'center'})", index)
    return page.js("([i, arg]) => { const { api: d, el } = window.nnliveLessons.demos[i];"
                   f" {body} }}", [index, arg])


def wait_epoch(page, index: int, at_least: int, timeout: float = 20_000) -> None:
    page.js("(i) => window.nnliveLessons.demos[i].el.scrollIntoView({block: 'center'})", index)
    page.wait("([i, n]) => { const f = window.nnliveLessons.demos[i].api.live.run.ring.newest;"
              " return f && f.header.epoch >= n; }", arg=[index, at_least], timeout=timeout)


def pause_demo(page, index: int) -> dict:
    """Pauses a live demo; its newest frame's header once the numbers have been redrawn."""
    demo_js(page, index, "d.live.pause();")
    page.wait("(i) => window.nnliveLessons.demos[i].api.live.run.state === 'paused'", arg=index)
    page.page.wait_for_timeout(300)  # the frame sent on pausing, then one redraw of the numbers
    return demo_js(page, index, "return d.live.run.ring.newest.header;")


def slots(page, index: int, selector: str = "[data-v]") -> dict[str, str]:
    """A demo's number slots by name (the first slot of each name)."""
    return page.js("([i, s]) => { const out = {}; for (const e of window.nnliveLessons.demos[i]"
                   ".el.querySelectorAll(s)) { if (!(e.dataset.v in out)) out[e.dataset.v] ="
                   " e.textContent; } return out; }", [index, selector])


def number(text: str) -> float:
    return float(text.strip().replace("−", "-").strip("()"))


def network_from_frame(config: dict, header: dict) -> Network:
    cfg = validate_config(config)
    sizes = [len(cfg.features), *cfg.hidden, len(header["biases"][-1])]
    net = Network(sizes, cfg.activation, output_kind(cfg.loss, cfg.task, cfg.n_classes))
    for layer, w, b in zip(net.layers, header["weights"], header["biases"], strict=True):
        layer[:-1] = np.array(w)
        layer[-1] = np.array(b)
    return net


def softmax_steps(logits: list[float], label: int) -> dict:
    """exp, probabilities and −log p_label from the logits."""
    top = max(logits)  # the shift cancels in the ratio; it only keeps exp finite
    exps = [math.exp(z - top) for z in logits]
    total = sum(exps)
    probs = [e / total for e in exps]
    return {"exps": [math.exp(z) for z in logits], "probs": probs, "loss": -math.log(probs[label])}


@contextmanager
def course_page(html: str):
    """A one-page "course site" on localhost (another origin than nnlive's 127.0.0.1),
    served from a thread: yields its address."""
    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            body = html.encode()
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/course.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
