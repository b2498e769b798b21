"""A ``Drawing`` as SVG text: points, lines, axes and text as SVG elements, each raster
(the heatmap, the neurons' maps) as an embedded PNG image at its own resolution,
stretched smoothly by the viewer as the page's canvas stretches it."""

from __future__ import annotations

import base64
import io
from xml.sax.saxutils import escape, quoteattr

from PIL import Image

from exports.drawing import Drawing, rgba

BASELINES = {"top": "hanging", "middle": "central", "bottom": "alphabetic"}
FONT = "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif"


def svg_text(drawing: Drawing) -> str:
    w, h = _n(drawing.width), _n(drawing.height)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
             f'viewBox="0 0 {w} {h}" font-family="{FONT}">',
             f'<rect width="{w}" height="{h}"{_paint("fill", drawing.background)}/>']
    for shape in drawing.shapes:
        tag, attrs, content = ELEMENT[shape.kind](**shape.args)
        attrs += _meta(shape.meta)
        parts.append(f"<{tag} {attrs}/>" if content is None
                     else f"<{tag} {attrs}>{escape(content)}</{tag}>")
    parts.append("</svg>\n")
    return "\n".join(parts)


def _n(value: float) -> str:
    """A coordinate with two decimals at most."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _paint(attr: str, color) -> str:
    if color is None:
        return f' {attr}="none"'
    r, g, b, a = rgba(color)
    text = f' {attr}="#{r:02x}{g:02x}{b:02x}"'
    return text + (f' {attr}-opacity="{a:g}"' if a < 1 else "")


def _stroke(color, width: float) -> str:
    return _paint("stroke", color) + (f' stroke-width="{width:g}"' if color else "")


def _meta(meta: dict) -> str:
    return "".join(f" {key.rstrip('_').replace('_', '-')}={quoteattr(str(value))}"
                   for key, value in meta.items())


def _points(points) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


# each element: (tag, attributes, text content or None)
def _raster(rgb, box):
    out = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(out, "PNG")
    data = base64.b64encode(out.getvalue()).decode("ascii")
    x, y, w, h = box
    return "image", (f'x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" '
                     f'preserveAspectRatio="none" href="data:image/png;base64,{data}"'), None


def _rect(box, fill, stroke, width):
    x, y, w, h = box
    return "rect", (f'x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}"'
                    f'{_paint("fill", fill)}{_stroke(stroke, width)}'), None


def _line(points, stroke, width, dash):
    pattern = f' stroke-dasharray="{" ".join(f"{d:g}" for d in dash)}"' if dash else ""
    return "polyline", (f'points="{_points(points)}" fill="none"{_stroke(stroke, width)}'
                        f' stroke-linejoin="round"{pattern}'), None


def _polygon(points, fill, stroke, width):
    return "polygon", (f'points="{_points(points)}"{_paint("fill", fill)}'
                       f'{_stroke(stroke, width)}'), None


def _circle(centre, r, fill, stroke, width):
    return "circle", (f'cx="{_n(centre[0])}" cy="{_n(centre[1])}" r="{_n(r)}"'
                      f'{_paint("fill", fill)}{_stroke(stroke, width)}'), None


def _text(at, text, size, color, anchor, baseline):
    return "text", (f'x="{_n(at[0])}" y="{_n(at[1])}" font-size="{size:g}"'
                    f'{_paint("fill", color)} text-anchor="{anchor}" '
                    f'dominant-baseline="{BASELINES[baseline]}"'), text

ELEMENT = {"raster": _raster, "rect": _rect, "line": _line, "polygon": _polygon,
           "circle": _circle, "text": _text}
