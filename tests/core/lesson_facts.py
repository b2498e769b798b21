"""What the lessons state as fact, computed from the code: the text's numbers are
compared with these in ``test_lesson_facts.py``.

Every computation uses the core as the lessons' demos do (the same configurations from
``app.routes.lessons.LESSONS``, the same seeds), so a change to the code or to a demo
that makes a sentence wrong fails a test.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import numpy as np

from app.routes.lessons import LESSONS
from core.activations import sigmoid
from core.config import Config, validate_config
from core.datasets import make_dataset
from core.features import feature_matrix
from core.losses import loss_and_grad
from core.network import with_bias_column
from core.trainer import Trainer

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates" / "lessons"
LANGS = ("en", "zh")

# A number in running text: an optional minus sign (− or a hyphen right before a digit),
# digits, decimals. Not part of a name (L1, x1, 0-1) and not a range written with a hyphen.
NUMBER = re.compile(r"(?<![A-Za-z0-9_.\-−])(−|-(?=[0-9]))?([0-9]+(?:\.[0-9]+)?)"
                    r"(?![0-9]*[-‑][0-9])(?![A-Za-z0-9_])")
FACT = re.compile(r'data-fact="([\w-]+)"[^>]*>([^<]*)<|ui\.fact\("([\w-]+)", "([^"]*)"\)')


@cache
def strings(lang: str) -> dict[str, str]:
    return json.loads((ROOT / "static" / "i18n" / f"lessons.{lang}.json").read_text("utf-8"))


def numbers_in(text: str) -> list[str]:
    """The numbers a sentence states, as written (``"0.42"``, ``"−3"``, ``"27"``)."""
    return [(m.group(1) or "") + m.group(2) for m in NUMBER.finditer(text)]


def template_facts() -> dict[str, list[str]]:
    """Every ``data-fact`` number of the lesson templates, by name, in page order."""
    found: dict[str, list[str]] = {}
    for path in sorted(TEMPLATES.glob("*.html")):
        for m in FACT.finditer(path.read_text("utf-8")):
            name, text = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            found.setdefault(name, []).append(text.strip())
    return found


def shows(written: str, value: float) -> bool:
    """Whether ``written`` is ``value`` rounded to as many decimals as it shows."""
    decimals = len(written.split(".")[1]) if "." in written else 0
    shown = float(written.replace("−", "-"))
    return abs(shown - value) <= 0.5 * 10.0**-decimals + 1e-12


def unmatched(written: list[str], expected: list[float]) -> tuple[list[str], list[float]]:
    """Pairs each written number with an expected value it shows (any order); returns
    what is left over on either side (both empty when the text says exactly these)."""
    left = list(expected)
    extra = []
    for text in written:
        hit = next((i for i, v in enumerate(left) if shows(text, v)), None)
        if hit is None:
            extra.append(text)
        else:
            left.pop(hit)
    return extra, left


# --- the demos ----------------------------------------------------------------------------
def demo(slug: str, name: str = "main", **change) -> Config:
    lesson = next(item for item in LESSONS if item["slug"] == slug)
    return validate_config({**lesson["demos"][name], **change})


def lesson_number(slug: str) -> int:
    return [item["slug"] for item in LESSONS].index(slug) + 1


@cache
def trained(slug: str, name: str, epochs: int, **change) -> Trainer:
    trainer = Trainer(demo(slug, name, **change))
    trainer.train_epochs(epochs)
    return trainer


def weights_of(trainer: Trainer) -> np.ndarray:
    return np.concatenate([w.ravel() for w in trainer.network.weights()])


def data_attribute(template: str, name: str) -> str:
    text = (TEMPLATES / template).read_text("utf-8")
    return re.search(rf'{name}="([^"]*)"', text).group(1)


# --- lesson 3: the best straight line on XOR ---------------------------------------------
@cache
def best_line_mistakes(slug: str = "perceptron") -> tuple[int, int]:
    """(fewest points any straight line misclassifies, number of points) on a demo's
    whole data set, by trying every line through two of the points: an optimal line can
    always be moved, keeping every other point's side, until it passes through two
    points, and those two can then be put on either side."""
    data = make_dataset(demo(slug))
    rows = np.vstack([data.train, data.test])
    xy, label = rows[:, :2], rows[:, 2].astype(bool)
    best = len(rows)
    for i in range(len(rows) - 1):
        normal = (xy[i + 1:] - xy[i]) @ np.array([[0.0, 1.0], [-1.0, 0.0]])  # (m, 2)
        side = normal @ (xy - xy[i]).T  # (m, n): which side of line (i, j) each point is
        side[:, i] = 0.0
        side[np.arange(len(normal)), np.arange(i + 1, len(rows))] = 0.0
        one_way = ((side > 0) & ~label).sum(1) + ((side < 0) & label).sum(1)
        other_way = ((side > 0) & label).sum(1) + ((side < 0) & ~label).sum(1)
        best = min(best, int(one_way.min()), int(other_way.min()))
    return best, len(rows)


@cache
def lowest_line_cross_entropy(slug: str = "perceptron") -> tuple[float, np.ndarray]:
    """The lowest mean cross-entropy a single sigmoid neuron (a line) reaches on a
    demo's training points, by Newton's method on (w1, w2, b); and those parameters."""
    config = demo(slug)
    data = make_dataset(config)
    x = with_bias_column(feature_matrix(data.train[:, :2], config.features))
    y = data.train[:, 2]
    params = np.zeros((x.shape[1], 1))
    for _ in range(50):
        value, grad = loss_and_grad("cross_entropy", "sigmoid", x @ params, y)
        p = sigmoid(x @ params)[:, 0]
        hessian = (x * (p * (1 - p))[:, None]).T @ x / len(y)
        params -= np.linalg.solve(hessian, x.T @ grad)
    return value, params[:, 0]


def unsure_everywhere(params: np.ndarray, slug: str = "perceptron") -> float:
    """The largest |σ(z) − ½| the line gives any point of the demo."""
    config = demo(slug)
    data = make_dataset(config)
    rows = np.vstack([data.train, data.test])
    z = with_bias_column(feature_matrix(rows[:, :2], config.features)) @ params
    return float(np.abs(sigmoid(z) - 0.5).max())


# --- lesson 5: three lines close a triangle -----------------------------------------------
def triangle_of(lines: list[dict]) -> np.ndarray:
    """The three corners where three lines w1·x1 + w2·x2 + b = 0 cross, pairwise."""
    corners = []
    for a, b in ((0, 1), (1, 2), (0, 2)):
        m = np.array([[lines[a]["w1"], lines[a]["w2"]], [lines[b]["w1"], lines[b]["w2"]]])
        corners.append(np.linalg.solve(m, -np.array([lines[a]["b"], lines[b]["b"]])))
    return np.array(corners)


def inside(corners: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Whether each point lies inside the triangle (same side of all three edges)."""
    signs = []
    for k in range(3):
        a, b = corners[k], corners[(k + 1) % 3]
        signs.append(np.sign((b[0] - a[0]) * (points[:, 1] - a[1])
                             - (b[1] - a[1]) * (points[:, 0] - a[0])))
    signs = np.array(signs)
    return np.all(signs > 0, axis=0) | np.all(signs < 0, axis=0)
