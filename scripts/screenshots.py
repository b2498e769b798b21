"""Screenshots for docs/images: presentation mode, the embed at each frame size (with
and without controls), and the playground at the screens teachers use.

    .venv/bin/python scripts/screenshots.py [--out docs/images]

Starts its own ``nnlive serve`` on a free 127.0.0.1 port and drives the system Chromium
(as the browser tests do). Each run trains for a fixed number of epochs before the shot
(paused there), so the pictures are the same from one run to the next.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.serve import ServerProcess  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
SPIRAL = "seed=3&dataset=spiral&hidden=6,4&features=x1,x2,sin_x1,sin_x2&learning_rate=0.1"
SHOTS = [
    # (file, path, viewport, epochs to train before the shot)
    ("present-1024x768.png", f"/?{SPIRAL}&present=1", (1024, 768), 200),
    ("present-1920x1080-zh.png", f"/?{SPIRAL}&present=1&lang=zh", (1920, 1080), 200),
    ("playground.png", f"/?{SPIRAL}", (1400, 900), 200),
    ("playground-1920x1080.png", f"/?{SPIRAL}", (1920, 1080), 200),
    ("playground-1024x768.png", f"/?{SPIRAL}", (1024, 768), 200),
    ("playground-768x1024.png", f"/?{SPIRAL}", (768, 1024), 200),
    ("playground-390x844.png", "/?seed=7&dataset=three_blobs&noise=30&lang=zh", (390, 844), 60),
]
EMBEDS = {
    "": "preset=three_neurons",
    "-controls": "preset=l1&controls=reg_rate,hidden",
}
EMBED_SIZES = [(640, 480), (480, 360), (800, 600), (320, 480)]


def trained(page, epochs: int) -> None:
    """Train ``epochs`` epochs with Step's message, paused, then let the view settle."""
    page.wait_for_function("() => window.nnlive && window.nnlive.run.framesReceived > 0")
    if epochs:
        page.evaluate("(n) => window.nnlive.client.send({type: 'step', epochs: n})", epochs)
        page.wait_for_function("(n) => window.nnlive.run.shown?.header.epoch >= n", arg=epochs,
                               timeout=60_000)
    page.wait_for_timeout(600)


def shoot(browser, url: str, viewport: tuple[int, int], path: Path, epochs: int) -> None:
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]},
                            reduced_motion="reduce")  # paused at epoch 0 until stepped
    page.goto(url)
    trained(page, epochs)
    page.screenshot(path=str(path))
    page.close()
    print(path.relative_to(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    with ServerProcess(PYTHONWARNINGS="ignore") as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for name, path, viewport, epochs in SHOTS:
            shoot(browser, server.url + path, viewport, out / name, epochs)
        for suffix, query in EMBEDS.items():
            for w, h in EMBED_SIZES:
                shoot(browser, f"{server.url}/embed?{query}&seed=3", (w, h),
                      out / f"embed-{w}x{h}{suffix}.png", 150)
        shoot(browser, f"{server.url}/embed?preset=three_neurons&seed=3&present=1",
              (800, 600), out / "embed-present-800x600.png", 150)
        browser.close()


if __name__ == "__main__":
    main()
