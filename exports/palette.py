"""The page's colours, read from the one file that holds them (static/js/palette-data.js).

That file is an ES module whose body after ``export default`` is plain JSON: the page
imports it, this module parses it, so a colour cannot drift between a figure drawn
here and the page. ``lut`` builds the same 256-entry tables as ``makeLut`` in
static/js/palette.js (a browser test compares them), and ``paint_grid`` colours a grid's
bytes exactly as static/js/heatmap.js does.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import numpy as np

SOURCE = Path(__file__).resolve().parent.parent / "static" / "js" / "palette-data.js"


@cache
def palette() -> dict:
    text = SOURCE.read_text(encoding="utf-8")
    body = text[text.index("\nexport default ") + len("\nexport default "):].strip()
    return json.loads(body.rstrip(";"))


def hex_rgb(color: str) -> tuple[int, int, int]:
    n = int(color[1:], 16)
    return (n >> 16) & 255, (n >> 8) & 255, n & 255


def lut(stops) -> np.ndarray:
    """(256, 3) uint8: colour i is linear between the stops around t = i / 255, rounded
    half up as JavaScript's Math.round does."""
    out = np.zeros((256, 3), dtype=np.uint8)
    for i in range(256):
        t, s = i / 255, 0
        while s < len(stops) - 2 and t > stops[s + 1][0]:
            s += 1
        (t0, c0), (t1, c1) = stops[s], stops[s + 1]
        u = (t - t0) / (t1 - t0)
        out[i] = [math.floor(a + u * (b - a) + 0.5) for a, b in zip(c0, c1)]
    return out


@cache
def diverging() -> np.ndarray:
    return lut(palette()["diverging"])


@cache
def sequential() -> np.ndarray:
    return lut(palette()["sequential"])


def class_rgb(label: int) -> tuple[int, int, int]:
    colors = palette()["classColors"]
    return hex_rgb(colors[int(label) % len(colors)])


def neuron_color(i: int) -> str:
    colors = palette()["neuronColors"]
    return colors[i % len(colors)]


def sequential_rgb(t: float) -> tuple[int, int, int]:
    """The sequential scale at t in [0, 1] (a regression point's colour)."""
    i = 0 if not math.isfinite(t) else max(0, min(255, math.floor(t * 255 + 0.5)))
    return tuple(int(c) for c in sequential()[i])


def paint_grid(grid: np.ndarray, regression: bool) -> np.ndarray:
    """(R, C, 3) uint8 from grid bytes: (R, C) through the diverging (or, for regression,
    sequential) table; (R, C, K) class probabilities as the likeliest class's hue,
    saturated by confidence (1/K: white, 1: the full hue)."""
    if grid.ndim == 2:
        return (sequential() if regression else diverging())[grid]
    k = grid.shape[2]
    probs = grid.astype(np.float32) / 255
    best = probs.argmax(axis=2)  # the first of equal ones, as the page's loop picks
    t = np.maximum(0, (probs.max(axis=2) - 1 / k) / (1 - 1 / k))[..., None]
    hues = np.array([class_rgb(c) for c in range(k)], dtype=np.float32)[best]
    white = np.array(palette()["white"], dtype=np.float32)
    return np.floor(white + t * (hues - white) + 0.5).astype(np.uint8)
