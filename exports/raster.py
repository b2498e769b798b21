"""A ``Drawing`` as pixels, through Pillow: PNG figures and the frames of a GIF.

Shapes are drawn at twice the asked scale and the image is then halved (a box
filter), which gives the smooth edges a canvas draws; rasters (the heatmap) are
stretched with bilinear filtering, as a canvas with image smoothing does.
"""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from exports.drawing import Drawing, dashed, rgba

SUPERSAMPLE = 2
# Pillow's own font lacks the minus sign, subscripts and λ: with no DejaVu Sans on the
# machine, text falls back to ASCII spellings
ASCII = str.maketrans({"−": "-", "₁": "1", "₂": "2", "²": "^2", "λ": "lambda", "·": "*"})
ANCHORS = {"start": "l", "middle": "m", "end": "r"}
BASELINES = {"top": "t", "middle": "m", "bottom": "s"}


@cache
def font(pixels: int):
    try:
        return ImageFont.truetype("DejaVuSans.ttf", pixels), False
    except OSError:
        return ImageFont.load_default(size=pixels), True


def render(drawing: Drawing, scale: float = 1.0) -> Image.Image:
    """The drawing as an RGB image of round(width·scale) × round(height·scale) pixels."""
    k = scale * SUPERSAMPLE
    size = (round(drawing.width * scale), round(drawing.height * scale))
    big = Image.new("RGB", (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE),
                    _fill(drawing.background))
    pen = ImageDraw.Draw(big, "RGBA")
    for shape in drawing.shapes:
        DRAW[shape.kind](big, pen, k, **shape.args)
    return big.reduce(SUPERSAMPLE)


def png_bytes(drawing: Drawing, scale: float = 1.0) -> bytes:
    out = io.BytesIO()
    render(drawing, scale).save(out, "PNG", optimize=False, compress_level=6)
    return out.getvalue()


def _fill(color):
    if color is None:
        return None
    r, g, b, a = rgba(color)
    return (r, g, b, round(a * 255))


def _raster(image, pen, k, rgb, box):
    x, y, w, h = box
    tile = Image.fromarray(rgb, "RGB")
    left, top = round(x * k), round(y * k)
    tile = tile.resize((round((x + w) * k) - left, round((y + h) * k) - top),
                       Image.Resampling.BILINEAR)
    image.paste(tile, (left, top))


def _rect(image, pen, k, box, fill, stroke, width):
    x, y, w, h = box
    pen.rectangle([x * k, y * k, (x + w) * k - 1, (y + h) * k - 1], fill=_fill(fill),
                  outline=_fill(stroke), width=max(1, round(width * k)) if stroke else 0)


def _line(image, pen, k, points, stroke, width, dash):
    for piece in dashed(points, dash):
        pen.line([(px * k, py * k) for px, py in piece], fill=_fill(stroke),
                 width=max(1, round(width * k)), joint="curve")


def _polygon(image, pen, k, points, fill, stroke, width):
    pen.polygon([(px * k, py * k) for px, py in points], fill=_fill(fill),
                outline=_fill(stroke), width=max(1, round(width * k)) if stroke else 0)


def _circle(image, pen, k, centre, r, fill, stroke, width):
    cx, cy = centre
    pen.ellipse([(cx - r) * k, (cy - r) * k, (cx + r) * k, (cy + r) * k], fill=_fill(fill),
                outline=_fill(stroke), width=max(1, round(width * k)) if stroke else 0)


def _text(image, pen, k, at, text, size, color, anchor, baseline):
    face, plain = font(max(6, round(size * k)))
    pen.text((at[0] * k, at[1] * k), text.translate(ASCII) if plain else text,
             fill=_fill(color), font=face, anchor=ANCHORS[anchor] + BASELINES[baseline])


DRAW = {"raster": _raster, "rect": _rect, "line": _line, "polygon": _polygon,
        "circle": _circle, "text": _text}
