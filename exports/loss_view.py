"""The loss chart as the page draws it (static/js/loss-chart.js): train, validation and
test loss on the left axis, the test error rate on the right (0 to 1), the epochs
along the bottom, the series' colours and dashes from the shared palette."""

from __future__ import annotations

import math

from exports.drawing import Drawing
from exports.palette import palette

FONT = 10
LOSSES = ("train_loss", "validation_loss", "test_loss")
NAMES = {"train_loss": "train loss", "validation_loss": "validation loss",
         "test_loss": "test loss", "test_error": "test error"}


def _label(v: float) -> str:
    return f"{v:.2f}" if abs(v) < 100 else f"{v:.3g}"


def loss_view(history: list[dict], width: float, height: float) -> Drawing:
    left, right = round(FONT * 3 + 10), round(FONT * 1.2 + 12)
    top, bottom = round(FONT * 0.5 + 4) + FONT + 6, round(FONT + 8)  # room for a legend
    drawing = Drawing(width, height)
    w, h = width - left - right, height - top - bottom
    e0, e1 = history[0]["epoch"], max(history[-1]["epoch"], history[0]["epoch"] + 1)
    shown = [k for k in (*LOSSES, "test_error") if _has(history, k)]
    values = [e[k] for k in shown if k != "test_error" for e in history if _finite(e[k])]
    lo, hi = min([0.0, *values]), max(values, default=1.0)
    hi = hi if hi - lo > 1e-9 else lo + 1

    def x(epoch: float) -> float:
        return left + (epoch - e0) / (e1 - e0) * w

    def y_of(key: str, v: float) -> float:
        share = v if key == "test_error" else (v - lo) / (hi - lo)
        return top + (1 - share) * h

    frame(drawing, left, top, w, h, (lo, hi), (e0, e1), "test_error" in shown)
    stride = max(1, len(history) // max(1, int(w)))  # about one point per pixel column
    series = palette()["series"]
    for key in shown:
        kept = [e for i, e in enumerate(history) if i % stride == 0 or i == len(history) - 1]
        points = [(x(e["epoch"]), y_of(key, e[key])) for e in kept if _finite(e[key])]
        if len(points) > 1:
            drawing.line(points, series[key]["color"], 1.6, series[key]["dash"],
                         class_="series", data_series=key)
    legend(drawing, shown, left, FONT)
    return drawing


def frame(drawing: Drawing, left, top, w, h, span, epochs, with_error: bool) -> None:
    text = palette()["axes"]["text"]
    drawing.rect(left + 0.5, top + 0.5, w, h, stroke="#c9ccd1", class_="frame")
    drawing.text(left - 3, top + FONT * 0.4, _label(span[1]), FONT, text, anchor="end")
    drawing.text(left - 3, top + h - FONT * 0.4, _label(span[0]), FONT, text, anchor="end")
    if with_error:
        drawing.text(left + w + 4, top + FONT * 0.4, "1", FONT, "#a84300")
        drawing.text(left + w + 4, top + h - FONT * 0.4, "0", FONT, "#a84300")
    drawing.text(left, top + h + 3, str(round(epochs[0])), FONT, text, baseline="top")
    drawing.text(left + w, top + h + 3, str(round(epochs[1])), FONT, text, anchor="end",
                 baseline="top")


def legend(drawing: Drawing, shown: list[str], left: float, y: float) -> None:
    series, x = palette()["series"], left
    for key in shown:
        drawing.line([(x, y), (x + 18, y)], series[key]["color"], 1.6, series[key]["dash"])
        drawing.text(x + 22, y, NAMES[key], FONT, palette()["axes"]["text"])
        x += 26 + 5.4 * len(NAMES[key])


def _finite(v) -> bool:
    return v is not None and math.isfinite(v)


def _has(history: list[dict], key: str) -> bool:
    return _finite(history[0].get(key)) or _finite(history[-1].get(key))
