"""The network diagram as the page draws it (static/js/network.js, network-layout.js):
inputs as small maps of their feature, hidden neurons as maps of their activation,
outputs, and connections coloured by the weight's sign and thick by its size."""

from __future__ import annotations

import numpy as np

from core.features import feature_matrix
from core.grid import grid_points
from exports.drawing import Drawing
from exports.palette import class_rgb, diverging, neuron_color, paint_grid, palette
from exports.scene import Scene

FONT = 11
LABELS = {"x1": "x₁", "x2": "x₂", "x1_sq": "x₁²", "x2_sq": "x₂²", "x1x2": "x₁x₂",
          "sin_x1": "sin x₁", "sin_x2": "sin x₂"}  # static/js/features.js
FEATURE_RESOLUTION = 24
RIGHT, TOP, GAP = 8, 8, 6


def layout(sizes: list[int], width: float, left: float) -> tuple[float, list[list[tuple]]]:
    """(node size, each column's node corners), as ``layoutNetwork`` places them."""
    rows, last = max(sizes), len(sizes) - 1
    by_height = 520 / rows - GAP
    by_width = (width - left - RIGHT) / (len(sizes) * 1.9)
    size = round(max(12, min(40, by_height, by_width)))
    step = (width - left - RIGHT - size) / last if last > 0 else 0
    return size, [[(left + c * step, TOP + i * (size + GAP)) for i in range(n)]
                  for c, n in enumerate(sizes)]


def network_view(scene: Scene, width: float) -> Drawing:
    weights = scene.weights
    sizes = [len(weights[0]), *(len(w[0]) for w in weights)]
    left = max(44, round(FONT * 3.4))
    size, columns = layout(sizes, width, left)
    drawing = Drawing(width, TOP * 2 + max(sizes) * (size + GAP))
    connections(drawing, scene, columns, size)
    for i, (x, y) in enumerate(columns[0]):
        feature_node(drawing, scene.config.features[i], x, y, size)
    hidden_nodes(drawing, scene, columns[1:-1], size)
    for i, (x, y) in enumerate(columns[-1]):
        output_node(drawing, scene, i, x, y, size)
    return drawing


def connections(drawing: Drawing, scene: Scene, columns, size: float) -> None:
    edges = palette()["edges"]
    biggest = max([1.0] + [abs(v) for w in scene.weights for row in w for v in row])
    for layer, w in enumerate(scene.weights):
        for to, (x1, y1) in enumerate(columns[layer + 1]):
            for source, (x0, y0) in enumerate(columns[layer]):
                v = w[source][to]
                drawing.line([(x0 + size, y0 + size / 2), (x1, y1 + size / 2)],
                             edges["positive"] if v >= 0 else edges["negative"],
                             0.5 + 5 * min(1.0, abs(v) / biggest), class_="weight")


def feature_node(drawing: Drawing, name: str, x: float, y: float, size: float) -> None:
    values = feature_matrix(grid_points(FEATURE_RESOLUTION), [name])[:, 0]
    top = max(float(np.abs(values).max()), 1e-9)
    index = np.floor((values / top + 1) / 2 * 255 + 0.5).astype(np.intp)
    rgb = diverging()[index].reshape(FEATURE_RESOLUTION, FEATURE_RESOLUTION, 3)
    drawing.raster(rgb, x, y, size, size, class_="feature")
    drawing.rect(x + 0.5, y + 0.5, size - 1, size - 1, stroke="#555555")
    drawing.text(x - 4, y + size / 2, LABELS.get(name, name), FONT, "#222222", anchor="end")


def hidden_nodes(drawing: Drawing, scene: Scene, columns, size: float) -> None:
    for layer, (maps, column) in enumerate(zip(scene.neurons, columns)):
        for i, (x, y) in enumerate(column):
            drawing.raster(diverging()[maps[i]], x, y, size, size, class_="neuron")
            outline = neuron_color(i) if layer == 0 else "#555555"
            drawing.rect(x + 1, y + 1, size - 2, size - 2, stroke=outline, width=2)


def output_node(drawing: Drawing, scene: Scene, i: int, x: float, y: float,
                size: float) -> None:
    if scene.grid.ndim == 2:
        regression = scene.config.task == "regression"
        drawing.raster(paint_grid(scene.grid, regression), x, y, size, size, class_="output")
    else:
        drawing.rect(x, y, size, size, fill=class_rgb(i), class_="output")
    drawing.rect(x + 0.75, y + 0.75, size - 1.5, size - 1.5, stroke="#222222", width=1.5)
