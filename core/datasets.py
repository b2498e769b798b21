"""The data generators and the train/test split.

The generators follow TensorFlow Playground's ``dataset.ts`` (so its users see
familiar data), with labels 0/1 instead of ±1, exactly balanced classes, and
one ``numpy.random.Generator`` passed in instead of a global ``Math.random``.
Each generator is ``(n, noise, rng) -> (n, 3)`` rows ``[x1, x2, label]`` where
``noise`` is a fraction 0 – 0.5 (the configuration's percent / 100).
The data depends only on dataset, n_points, noise, train_ratio, validation_ratio, points
and seed.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.config import COORD_LIMIT, Config

Generator = Callable[[int, float, np.random.Generator], np.ndarray]


def data_rng(seed: int) -> np.random.Generator:
    """The data's own random stream (weights use ``[seed, 2]``, see core/network.py)."""
    return np.random.default_rng([seed, 1])


@dataclass(frozen=True)
class Dataset:
    """``train``, ``test`` and ``validation``: float64 arrays (n, 3) of [x1, x2, label].

    ``train`` holds only the rows the model trains on; ``validation`` (possibly empty,
    shape (0, 3)) the held-out rows the model never trains on.
    """

    train: np.ndarray
    test: np.ndarray
    n_classes: int
    task: str
    validation: np.ndarray = field(default_factory=lambda: np.empty((0, 3)))

    def as_rows(self) -> dict:
        """``{"train", "test"}`` as lists of [x1, x2, label] rows (the API's and the
        WebSocket's form), and ``"validation"`` when there is a validation split."""
        rows = {"train": self.train.tolist(), "test": self.test.tolist()}
        if len(self.validation):
            rows["validation"] = self.validation.tolist()
        return rows


def _class_counts(n: int, k: int) -> list[int]:
    """Split n points over k classes as evenly as possible (the first classes get the extra)."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _rows(x1: np.ndarray, x2: np.ndarray, label: np.ndarray) -> np.ndarray:
    return np.column_stack([x1, x2, label]).astype(np.float64)


def _labels(counts: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(counts), dtype=np.float64), counts)


def _variance(noise: float) -> float:
    """TFP's blob variance: linear from 0.5 at noise 0 to 4 at noise 0.5."""
    return 0.5 + (4.0 - 0.5) * noise / 0.5


def _blobs(centres: list[tuple[float, float]], n: int, noise: float,
           rng: np.random.Generator) -> np.ndarray:
    """Gaussian blobs, class i around centres[i]. The rare tail points that fall
    outside the input square are moved onto its edge (inputs live in [−6, 6]²)."""
    labels = _labels(_class_counts(n, len(centres)))
    centre = np.asarray(centres, dtype=np.float64)[labels.astype(int)]
    xy = centre + rng.normal(0.0, np.sqrt(_variance(noise)), size=(n, 2))
    xy = np.clip(xy, -COORD_LIMIT, COORD_LIMIT)
    return _rows(xy[:, 0], xy[:, 1], labels)


def circle(n: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Class 1 at radius U(0, 2.5), class 0 at U(3.5, 5); the label is read at the
    point moved by U(−5, 5)·noise per coordinate, so noise flips labels near the ring."""
    n0, n1 = _class_counts(n, 2)
    radius = np.concatenate([rng.uniform(3.5, 5.0, n0), rng.uniform(0.0, 2.5, n1)])
    angle = rng.uniform(0.0, 2 * np.pi, n)
    x1, x2 = radius * np.sin(angle), radius * np.cos(angle)
    shift = rng.uniform(-5.0, 5.0, size=(2, n)) * noise
    label = _labels([n0, n1])
    if noise > 0:
        label = (np.hypot(x1 + shift[0], x2 + shift[1]) < 2.5).astype(np.float64)
    return _rows(x1, x2, label)


def xor(n: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    """U(−5, 5) pushed 0.3 away from the axes; class 1 where x1·x2 ≥ 0 (read at the
    noise-moved point). Half the points are drawn in each class's quadrants."""
    n0, n1 = _class_counts(n, 2)
    label = _labels([n0, n1])
    x1 = rng.uniform(-5.0, 5.0, n)
    x1 += np.where(x1 > 0, 0.3, -0.3)
    magnitude = rng.uniform(0.0, 5.0, n) + 0.3
    same_sign = np.where(x1 > 0, 1.0, -1.0)
    x2 = magnitude * np.where(label == 1, same_sign, -same_sign)
    shift = rng.uniform(-5.0, 5.0, size=(2, n)) * noise
    if noise > 0:
        label = ((x1 + shift[0]) * (x2 + shift[1]) >= 0).astype(np.float64)
    return _rows(x1, x2, label)


def gaussian(n: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Class 0 around (−2, −2), class 1 around (2, 2); variance 0.5 + 7·noise."""
    return _blobs([(-2.0, -2.0), (2.0, 2.0)], n, noise, rng)


def spiral(n: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Two arms: point i of m at radius 5·i/m and angle 1.75·2π·i/m (+π for class 0),
    each coordinate moved by U(−1, 1)·noise."""
    parts = []
    for label, (m, turn) in enumerate(zip(_class_counts(n, 2), (np.pi, 0.0), strict=True)):
        i = np.arange(m, dtype=np.float64)
        radius = i / m * 5.0
        angle = 1.75 * i / m * 2 * np.pi + turn
        shift = rng.uniform(-1.0, 1.0, size=(2, m)) * noise
        x1, x2 = radius * np.sin(angle) + shift[0], radius * np.cos(angle) + shift[1]
        parts.append(_rows(x1, x2, np.full(m, float(label))))
    return np.concatenate(parts)


def plane(n: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Regression: points U(−6, 6)², value (x1 + x2) / 10 read at the point moved
    by U(−6, 6)·noise per coordinate."""
    xy = rng.uniform(-6.0, 6.0, size=(n, 2))
    shift = rng.uniform(-6.0, 6.0, size=(n, 2)) * noise
    value = (xy[:, 0] + shift[:, 0] + xy[:, 1] + shift[:, 1]) / 10.0
    return _rows(xy[:, 0], xy[:, 1], value)


# TFP's six bumps: centre and sign; each bump is sign·max(0, 1 − distance/2).
_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                   [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], dtype=np.float64)


def multi_gaussian(n: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Regression: points U(−6, 6)²; the value is the bump largest in absolute value
    (the first one on ties), read at the point moved by U(−6, 6)·noise."""
    xy = rng.uniform(-6.0, 6.0, size=(n, 2))
    at = xy + rng.uniform(-6.0, 6.0, size=(n, 2)) * noise
    dist = np.hypot(at[:, None, 0] - _BUMPS[:, 0], at[:, None, 1] - _BUMPS[:, 1])
    bumps = _BUMPS[:, 2] * np.clip(1.0 - dist / 2.0, 0.0, 1.0)  # (n, 6)
    value = bumps[np.arange(n), np.argmax(np.abs(bumps), axis=1)]
    return _rows(xy[:, 0], xy[:, 1], value)


def three_blobs(n: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Classes 0, 1, 2 around radius 3 at 90°, 210°, 330°; variance as ``gaussian``."""
    angles = np.deg2rad([90.0, 210.0, 330.0])
    centres = [(3.0 * np.cos(a), 3.0 * np.sin(a)) for a in angles]
    return _blobs(centres, n, noise, rng)


GENERATORS: dict[str, Generator] = {
    "circle": circle, "xor": xor, "gaussian": gaussian, "spiral": spiral,
    "three_blobs": three_blobs, "plane": plane, "multi_gaussian": multi_gaussian,
}


def make_dataset(config: Config) -> Dataset:
    """Generate (or take the custom rows), shuffle with ``data_rng(seed)``, split.

    The first ``config.n_train`` shuffled rows are the training set, the rest the test set;
    the last ``config.n_val`` of the training rows are held out as the validation set.
    """
    rng = data_rng(config.seed)
    if config.dataset == "custom":
        data = np.asarray(config.points, dtype=np.float64).reshape(-1, 3)
    else:
        data = GENERATORS[config.dataset](config.n_points, config.noise / 100.0, rng)
    data = data[rng.permutation(len(data))]
    n_fit, n_train = config.n_fit, config.n_train
    return Dataset(train=np.ascontiguousarray(data[:n_fit]),
                   test=np.ascontiguousarray(data[n_train:]),
                   n_classes=config.n_classes, task=config.task,
                   validation=np.ascontiguousarray(data[n_fit:n_train]))
