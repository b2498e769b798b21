"""A figure as a list of shapes, in CSS pixels, drawn by two backends.

Each view (``exports/views.py``) describes what it draws once — rasters, rectangles,
polylines, marks, text — and ``exports/raster.py`` (PNG and GIF frames through Pillow)
and ``exports/vector.py`` (SVG text) draw the same list, so a PNG and an SVG of one
figure cannot disagree. Colours are ``#rrggbb`` strings or (r, g, b, a) tuples with a
from 0 to 1, as the page's canvas code writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Color = str | tuple


@dataclass
class Shape:
    kind: str          # raster, rect, line, polygon, circle, text
    args: dict
    meta: dict = field(default_factory=dict)  # SVG attributes (class, data-*)


@dataclass
class Drawing:
    width: float
    height: float
    background: Color = "#ffffff"
    shapes: list[Shape] = field(default_factory=list)

    def raster(self, rgb: np.ndarray, x: float, y: float, w: float, h: float, **meta) -> None:
        """An (R, C, 3) uint8 image stretched over the box, smoothed as a canvas does."""
        self.shapes.append(Shape("raster", {"rgb": rgb, "box": (x, y, w, h)}, meta))

    def rect(self, x, y, w, h, fill: Color | None = None, stroke: Color | None = None,
             width: float = 1.0, **meta) -> None:
        self.shapes.append(Shape("rect", {"box": (x, y, w, h), "fill": fill, "stroke": stroke,
                                          "width": width}, meta))

    def line(self, points, stroke: Color, width: float = 1.0, dash=(), **meta) -> None:
        self.shapes.append(Shape("line", {"points": [tuple(p) for p in points],
                                          "stroke": stroke, "width": width,
                                          "dash": tuple(dash)}, meta))

    def polygon(self, points, fill: Color | None, stroke: Color | None, width: float = 1.0,
                **meta) -> None:
        self.shapes.append(Shape("polygon", {"points": [tuple(p) for p in points],
                                             "fill": fill, "stroke": stroke, "width": width},
                                 meta))

    def circle(self, cx, cy, r, fill: Color | None, stroke: Color | None, width: float = 1.0,
               **meta) -> None:
        self.shapes.append(Shape("circle", {"centre": (cx, cy), "r": r, "fill": fill,
                                            "stroke": stroke, "width": width}, meta))

    def text(self, x, y, text: str, size: float, color: Color, anchor: str = "start",
             baseline: str = "middle", **meta) -> None:
        """``anchor``: start, middle or end; ``baseline``: top, middle or bottom."""
        self.shapes.append(Shape("text", {"at": (x, y), "text": text, "size": size,
                                          "color": color, "anchor": anchor,
                                          "baseline": baseline}, meta))

    def mark(self, shape: int, x, y, r, fill: Color, stroke: Color, width: float,
             **meta) -> None:
        """The page's point marks: circle (class 0), square (1), triangle (2)."""
        if shape == 1:
            s = r * 0.88
            self.polygon([(x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s)],
                         fill, stroke, width, **meta)
        elif shape == 2:
            self.polygon([(x, y - r * 1.15), (x + r * 1.05, y + r * 0.75),
                          (x - r * 1.05, y + r * 0.75)], fill, stroke, width, **meta)
        else:
            self.circle(x, y, r, fill, stroke, width, **meta)


def rgba(color: Color) -> tuple[int, int, int, float]:
    """(r, g, b, a) from ``#rrggbb`` or a tuple (a from 0 to 1)."""
    if isinstance(color, str):
        n = int(color[1:], 16)
        return (n >> 16) & 255, (n >> 8) & 255, n & 255, 1.0
    r, g, b, *a = color
    return int(r), int(g), int(b), float(a[0]) if a else 1.0


def dashed(points, dash) -> list[list[tuple[float, float]]]:
    """A polyline cut into the pieces a dash pattern ``(on, off, …)`` draws."""
    if not dash:
        return [list(points)]
    pieces, current, on, k, left = [], [points[0]], True, 0, dash[0]
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        length, done = float(np.hypot(bx - ax, by - ay)), 0.0
        while length - done > left:
            done += left
            at = (ax + (bx - ax) * done / length, ay + (by - ay) * done / length)
            if on:
                pieces.append([*current, at])
            current, on = [at], not on
            k = (k + 1) % len(dash)
            left = dash[k]
        left -= length - done
        if on:
            current.append((bx, by))
        else:
            current = [(bx, by)]
    if on and len(current) > 1:
        pieces.append(current)
    return pieces
