"""What a figure shows of a run at one moment, taken from its ``Trainer``.

The grids come from ``core.grid`` (orientation decided there) and are turned into
bytes exactly as a live frame does, so a server figure colours the same cells the
page colours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.config import Config
from core.grid import neuron_grids, neuron_lines, output_grid, to_uint8
from core.trainer import Trainer

GRID_RESOLUTION = 50      # the page's default (NNLIVE_GRID_RESOLUTION)
NEURON_RESOLUTION = 12    # the page's default (NNLIVE_NEURON_RESOLUTION)


@dataclass(frozen=True)
class Scene:
    config: Config
    epoch: int
    train: np.ndarray        # (n, 3) rows trained on (the page does not draw validation rows)
    test: np.ndarray
    grid: np.ndarray         # (R, R) or (R, R, K) bytes
    grid_range: tuple[float, float]
    lines: list[dict] | None
    neurons: list[np.ndarray]  # per hidden layer: (n_l, r, r) bytes, each on its own range
    weights: list[list]
    biases: list[list]
    history: list[dict]


def scene_of(trainer: Trainer, resolution: int = GRID_RESOLUTION,
             neuron_resolution: int = NEURON_RESOLUTION) -> Scene:
    config, network = trainer.config, trainer.network
    dataset = trainer.dataset
    labels = dataset.train[:, 2] if config.task == "regression" else None
    values, lo, hi = output_grid(network, config.features, resolution, labels)
    grid = np.frombuffer(to_uint8(values, lo, hi), dtype=np.uint8).reshape(values.shape)
    neurons = []
    for maps, ranges in neuron_grids(network, config.features, neuron_resolution):
        bounds = np.array(ranges, dtype=np.float32)[:, :, None, None]
        raw = to_uint8(maps, bounds[:, 0], bounds[:, 1])
        neurons.append(np.frombuffer(raw, dtype=np.uint8).reshape(maps.shape))
    return Scene(config, trainer.epoch, dataset.train, dataset.test, grid, (lo, hi),
                 neuron_lines(network, config.features), neurons, trainer.weights(),
                 trainer.biases(), list(trainer.history))
