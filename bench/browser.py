"""The playground in headless Chromium: frames received and drawn per second (distinct
frames that reached the screen), epochs
per second seen by the learner, main-thread time per draw (p50/p95), long tasks over
50 ms, and the page weight (HTML + JS + CSS). Prints the figures; asserts nothing.

    .venv/bin/python bench/browser.py [--seconds 6] [--max-fps 30]

A real ``nnlive serve`` runs on a free 127.0.0.1 port; the page trains at speed 0
(as fast as the server can) for the default network and a 6×16 one, at 1400×900, at
1920×1080 (where the output view is about 930 px square) and in presentation mode.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
SCENARIOS = {  # name: (path, viewport); the playground waits for Play unless autoplay=1
    "default 4,2": ("/?autoplay=1&seed=1", (1400, 900)),
    "6×16": ("/?autoplay=1&seed=1&hidden=16,16,16,16,16,16&learning_rate=0.01", (1400, 900)),
    "4,2 1920": ("/?autoplay=1&seed=1", (1920, 1080)),
    "6×16 1920": ("/?autoplay=1&seed=1&hidden=16,16,16,16,16,16&learning_rate=0.01",
                  (1920, 1080)),
    "present 1920": ("/?autoplay=1&seed=1&present=1", (1920, 1080)),
}
# installed before any page script: collects long tasks on the main thread
LONGTASKS = """
window.__longtasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longtasks.push({start: e.startTime, ms: e.duration});
}).observe({type: 'longtask', buffered: true});
"""
SNAPSHOT = """() => ({
  t: performance.now(), frames: window.nnlive.run.framesReceived,
  draws: window.nnlive.stats.framesDrawn, nDrawMs: window.nnlive.stats.drawMs.length,
  epoch: window.nnlive.run.ring.newest ? window.nnlive.run.ring.newest.header.epoch : 0,
})"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(max_fps: float) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "NNLIVE_MAX_FPS": str(max_fps)}
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1).close()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("nnlive serve did not start")


def page_weight(browser, url: str) -> dict:
    """Bytes of the document, scripts and stylesheets the playground loads."""
    page = browser.new_page()
    sizes: dict[str, int] = {}

    def count(response):
        kind = response.request.resource_type
        if kind in ("document", "script", "stylesheet") and response.ok:
            sizes[response.url] = len(response.body())

    page.on("response", count)
    page.goto(url + "/?seed=1")
    page.wait_for_function("() => window.nnlive && window.nnlive.run.framesReceived > 0")
    page.close()
    js = sum(v for k, v in sizes.items() if k.endswith(".js"))
    css = sum(v for k, v in sizes.items() if k.endswith(".css"))
    return {"files": len(sizes), "html": sum(sizes.values()) - js - css, "js": js, "css": css,
            "total": sum(sizes.values())}


def measure(browser, url: str, viewport: tuple[int, int], seconds: float) -> dict:
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.add_init_script(LONGTASKS)
    page.goto(url)
    page.wait_for_function("() => window.nnlive && window.nnlive.run.framesReceived > 2")
    page.evaluate("""() => { const s = document.getElementById('speed');
        s.value = s.max; s.dispatchEvent(new Event('input', {bubbles: true})); }""")
    page.wait_for_timeout(1500)  # warm up at the new speed
    a = page.evaluate(SNAPSHOT)
    page.wait_for_timeout(seconds * 1000)
    b = page.evaluate(SNAPSHOT)
    draw_ms = page.evaluate("([i, j]) => window.nnlive.stats.drawMs.slice(i, j)",
                            [a["nDrawMs"], b["nDrawMs"]])
    long = page.evaluate(f"() => window.__longtasks.filter((t) => t.start >= {a['t']})")
    page.close()
    span = (b["t"] - a["t"]) / 1000
    q = statistics.quantiles(draw_ms, n=20) if len(draw_ms) >= 2 else [float("nan")] * 19
    return {
        "frames_per_s": (b["frames"] - a["frames"]) / span,
        "draws_per_s": (b["draws"] - a["draws"]) / span,
        "epochs_per_s": (b["epoch"] - a["epoch"]) / span,
        "draw_ms_p50": statistics.median(draw_ms) if draw_ms else float("nan"),
        "draw_ms_p95": q[18],
        "long_tasks": len(long),
        "longest_task_ms": max((t["ms"] for t in long), default=0.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--max-fps", type=float, nargs="*", default=[30, 60],
                        help="server frame caps to try (NNLIVE_MAX_FPS)")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for fps in args.max_fps:
            proc, url = start_server(fps)
            try:
                if fps == args.max_fps[0]:
                    w = page_weight(browser, url)
                    print(f"page weight: {w['total'] / 1024:.1f} KiB uncompressed in {w['files']} "
                          f"files (HTML {w['html'] / 1024:.1f}, JS {w['js'] / 1024:.1f}, "
                          f"CSS {w['css'] / 1024:.1f} KiB)")
                print(f"\nserver NNLIVE_MAX_FPS={fps:g}, speed 0 (fastest), "
                      f"{args.seconds:g} s each")
                print(f"{'network':<12} {'frames/s':>9} {'drawn/s':>8} {'epochs/s':>9} "
                      f"{'draw p50':>9} {'draw p95':>9} {'long>50ms':>9} {'longest':>8}")
                for name, (path, viewport) in SCENARIOS.items():
                    r = measure(browser, url + path, viewport, args.seconds)
                    print(f"{name:<12} {r['frames_per_s']:>9.1f} {r['draws_per_s']:>8.1f} "
                          f"{r['epochs_per_s']:>9.0f} {r['draw_ms_p50']:>7.2f}ms "
                          f"{r['draw_ms_p95']:>7.2f}ms {r['long_tasks']:>9d} "
                          f"{r['longest_task_ms']:>6.0f}ms")
            finally:
                proc.terminate()
                proc.wait(timeout=10)
        browser.close()


if __name__ == "__main__":
    main()
