"""One binary frame from a trainer's current state (layout: docs/protocol.md).

The grids are computed here, only when a frame is about to be sent; all the
arithmetic (grids, ranges, lines, byte scaling) is ``core.grid``'s.
"""

from __future__ import annotations

from app.protocol import encode_frame
from core.confusion import measured_confusion
from core.grid import neuron_bytes, neuron_lines, pictures, to_uint8
from core.trainer import Trainer

LATEST_KEYS = ("train_loss", "test_loss", "train_error", "test_error", "penalty")


def build_frame(trainer: Trainer, *, generation: int, state: str, history_from: int,
                resolution: int, neuron_resolution: int) -> bytes:
    """The frame for the trainer's weights now; history entries from ``history_from`` on."""
    header = _numbers(trainer, generation, state, history_from)
    labels = trainer.dataset.train[:, 2] if trainer.config.task == "regression" else None
    output, neurons = pictures(trainer.network, trainer.config.features, resolution,
                               neuron_resolution, labels)
    grid_blob = _output_grid(output, header)
    neuron_blob = _neurons(neurons, neuron_resolution, header)
    return encode_frame(header, [("grid", grid_blob), ("neurons", neuron_blob)])


def _numbers(trainer: Trainer, generation: int, state: str, history_from: int) -> dict:
    latest = trainer.history[-1]
    header = {"epoch": trainer.epoch, "generation": generation, "state": state}
    header.update({key: latest.get(key) for key in LATEST_KEYS})
    header["history"] = trainer.history[history_from:]
    header["weights"] = trainer.network.weights()  # C-ordered copies: orjson writes them
    header["biases"] = trainer.network.biases()
    header["lines"] = neuron_lines(trainer.network, trainer.config.features)
    header["confusion"] = measured_confusion(trainer)
    return header


def _output_grid(output: tuple, header: dict) -> bytes:
    values, lo, hi = output
    header["grid"] = {"shape": list(values.shape), "dtype": "uint8", "range": [lo, hi]}
    return to_uint8(values, lo, hi)


def _neurons(layers: list, resolution: int, header: dict) -> bytes:
    """Every hidden neuron's r×r map, layer then neuron order, each its own byte range."""
    if not layers:
        header["neurons"] = None
        return b""
    ranges = [r for _, layer_ranges in layers for r in layer_ranges]
    header["neurons"] = {"shape": [resolution, resolution], "dtype": "uint8",
                         "layers": [grid.shape[0] for grid, _ in layers], "ranges": ranges}
    return neuron_bytes(layers)
