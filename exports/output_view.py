"""The output view as the page draws it (static/js/output-view.js, points.js, lines.js):
the heatmap over [−6, 6]², the axes, the first-layer neurons' lines, training points
filled and test points outlined, one mark shape per class."""

from __future__ import annotations

import numpy as np

from exports.drawing import Drawing
from exports.palette import class_rgb, neuron_color, paint_grid, palette, sequential_rgb
from exports.scene import Scene

EXTENT = 6.0
FONT = 10  # the page's default text size, in CSS pixels


class Square:
    """The plot square inside the figure: data (x1, x2) ↔ pixels, x2 growing upwards."""

    def __init__(self, x0: float, y0: float, size: float):
        self.x0, self.y0, self.size = x0, y0, size
        self.scale = size / (2 * EXTENT)

    def px(self, x1: float) -> float:
        return self.x0 + (x1 + EXTENT) * self.scale

    def py(self, x2: float) -> float:
        return self.y0 + (EXTENT - x2) * self.scale


def margins(font: float) -> dict:
    return {"left": round(font * 1.6 + 8), "right": round(font * 0.6 + 2),
            "top": round(font * 0.6 + 2), "bottom": round(font + 8)}


def output_view(scene: Scene, width: float, caption: str | None = None) -> Drawing:
    """The view ``width`` CSS pixels wide (its height follows: the plot is square);
    ``caption`` (an animation's epoch and loss) is written in a strip underneath."""
    m = margins(FONT)
    size = width - m["left"] - m["right"]
    strip = FONT * 2 + 4 if caption else 0
    drawing = Drawing(width, size + m["top"] + m["bottom"] + strip)
    square = Square(m["left"], m["top"], size)
    regression = scene.config.task == "regression"
    drawing.raster(paint_grid(scene.grid, regression), square.x0, square.y0, size, size,
                   class_="heatmap")
    axes(drawing, square)
    if scene.lines:
        neuron_lines(drawing, scene.lines, square)
    style = {"regression": regression, "range": scene.grid_range,
             "radius": max(3.6, min(7, size / 110))}
    points(drawing, scene.train, square, outlined=False, part="train", **style)
    points(drawing, scene.test, square, outlined=True, part="test", **style)
    if caption:
        drawing.text(width / 2, drawing.height - strip / 2, caption, FONT * 1.2,
                     palette()["axes"]["text"], anchor="middle", class_="caption")
    return drawing


def axes(drawing: Drawing, square: Square) -> None:
    colors = palette()["axes"]
    drawing.rect(square.x0 + 0.5, square.y0 + 0.5, square.size - 1, square.size - 1,
                 stroke=colors["frame"], class_="frame")
    for v in (-6, -3, 0, 3, 6):
        label = str(v).replace("-", "−")
        drawing.text(square.px(v), square.y0 + square.size + 3, label, FONT, colors["text"],
                     anchor="middle", baseline="top")
        drawing.text(square.x0 - 4, square.py(v), label, FONT, colors["text"], anchor="end")


def neuron_lines(drawing: Drawing, lines: list[dict], square: Square) -> None:
    """Each line w1·x1 + w2·x2 + b = 0 inside the square: a white halo, then its colour."""
    for i, line in enumerate(lines):
        segment = clip_line(line["w1"], line["w2"], line["b"])
        if segment is None:
            continue
        ends = [(square.px(a), square.py(b)) for a, b in segment]
        drawing.line(ends, (255, 255, 255, 0.8), 3.5)
        drawing.line(ends, neuron_color(i), 1.8, class_="neuron-line", data_neuron=i)


def clip_line(w1: float, w2: float, b: float):
    """The segment of the line inside [−6, 6]² (static/js/lines.js ``clipLine``), or None."""
    norm = w1 * w1 + w2 * w2
    if not norm > 1e-24:
        return None
    p, d = (-b * w1 / norm, -b * w2 / norm), (w2, -w1)
    t0, t1 = -np.inf, np.inf
    for axis in (0, 1):
        if abs(d[axis]) < 1e-15:
            if abs(p[axis]) > EXTENT:
                return None
            continue
        a, c = (-EXTENT - p[axis]) / d[axis], (EXTENT - p[axis]) / d[axis]
        t0, t1 = max(t0, min(a, c)), min(t1, max(a, c))
    if not t0 < t1:
        return None
    return [(p[0] + t * d[0], p[1] + t * d[1]) for t in (t0, t1)]


def points(drawing: Drawing, rows: np.ndarray, square: Square, *, outlined: bool, part: str,
           regression: bool, range: tuple, radius: float) -> None:
    lo, hi = range
    for x1, x2, label in rows:
        if regression:
            color = sequential_rgb((label - lo) / ((hi - lo) or 1))
            shape, rim = 0, (20, 20, 20, 0.85)
        else:
            color, shape, rim = class_rgb(label), int(label), (255, 255, 255, 0.9)
        meta = {"class_": f"point {part}", "data_x1": f"{x1:.6g}", "data_x2": f"{x2:.6g}",
                "data_label": f"{label:.6g}"}
        if outlined:
            drawing.mark(shape, square.px(x1), square.py(x2), radius, (255, 255, 255, 0.85),
                         color, 1.6, **meta)
        else:
            drawing.mark(shape, square.px(x1), square.py(x2), radius, color, rim, 1.0, **meta)
