"""One binary frame from a run's current state (layout: docs/protocol.md).

The grids are computed here, only when a frame is about to be sent; all the
arithmetic (grids, ranges, lines, byte scaling) is ``core.grid``'s, and the bytes are
put together by ``app.protocol.encode_frame`` (the run's frames and the sweeps' alike).
"""

from __future__ import annotations

from app.protocol import encode_frame
from core.confusion import measured_confusion
from core.grid import neuron_bytes, neuron_lines, pictures, to_uint8
from core.history import ENTRY_KEYS
from core.trainer import Trainer

HISTORY_KEYS = ENTRY_KEYS          # a history entry's keys, as every frame sends them
LATEST_KEYS = HISTORY_KEYS[1:]     # a run's numbers now (a sweep variant's)
# a run frame's top level: the validation numbers travel in the history entries only
HEADER_KEYS = tuple(k for k in LATEST_KEYS if not k.startswith("validation_"))


def build_frame(trainer: Trainer, *, generation: int, state: str, history_from: int,
                resolution: int, neuron_resolution: int) -> bytes:
    """The frame for the trainer's weights now; history entries from ``history_from`` on."""
    header = _numbers(trainer, generation, state, history_from)
    labels = trainer.dataset.train[:, 2] if trainer.config.task == "regression" else None
    output, neurons = pictures(trainer.network, trainer.config.features, resolution,
                               neuron_resolution, labels)
    grid_blob = grid_section(output, header)
    neuron_blob = _neurons(neurons, neuron_resolution, header)
    return encode_frame(header, [("grid", grid_blob), ("neurons", neuron_blob)])


def _numbers(trainer: Trainer, generation: int, state: str, history_from: int) -> dict:
    latest = trainer.history[-1]
    header = {"epoch": trainer.epoch, "generation": generation, "state": state}
    header.update({key: latest.get(key) for key in HEADER_KEYS})
    header["history"] = trainer.history[history_from:]
    header["weights"] = trainer.network.weights()  # C-ordered copies: orjson writes them
    header["biases"] = trainer.network.biases()
    header["lines"] = neuron_lines(trainer.network, trainer.config.features)
    header["confusion"] = measured_confusion(trainer)
    return header


def grid_section(output: tuple, header: dict) -> bytes:
    """An output grid's bytes; ``header["grid"]`` says its shape and byte range."""
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
