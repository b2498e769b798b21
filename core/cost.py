"""What a training request will cost, estimated before any of it runs.

The server refuses a request whose cost cannot fit its limits before starting it, and
counts the memory of the sweeps it runs against a budget. Both estimates are plain
arithmetic on the configuration:

- time, a lower bound: each epoch is ``steps`` mini-batch steps (training rows ÷ batch
  size), each paying a fixed overhead per layer (NumPy calls) and ``variants ×
  parameters`` of work, then one measuring pass over every point (``variants × points ×
  parameters``);
- memory: buffers sized by hidden units × points (and × the batch), and a kept plan of
  NumPy calls for every mini-batch of an epoch.

The constants come from ``bench/cost.py``, which prints measured time and memory beside
these estimates. The time rates are about twice the fastest this code was measured to
reach, so a request refused as too slow could not have finished anywhere near its limit;
the server's deadline still stops whatever an estimate lets through.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from core.config import Config
from core.losses import n_outputs

LAYER_STEP_SECONDS = 2e-6  # fixed cost of one layer of a mini-batch step, at the least
STEP_RATE = 3e8       # variants × parameters of step work per second, at the most
MEASURE_RATE = 6e9    # variants × points × parameters of measuring per second, at the most
BYTES_PER_UNIT_POINT = 34    # activations and derivatives of one unit for one row
BYTES_PER_UNIT_BATCH = 30    # a kept step plan, per unit and mini-batch of an epoch
BYTES_PER_BATCH = 1000       # a prepared mini-batch, per variant


def sizes(config: Config) -> list[int]:
    """``[inputs, *hidden, outputs]``: the layer widths of the configuration's network."""
    return [len(config.features), *config.hidden, n_outputs(config.task, config.n_classes)]


def parameters(config: Config) -> int:
    """Weights and biases: Σ over layers of (fan_in + 1) × fan_out."""
    widths = sizes(config)
    return sum((a + 1) * b for a, b in zip(widths, widths[1:]))


def units(config: Config) -> int:
    """Hidden and output units: what the per-row buffers hold."""
    return sum(sizes(config)[1:])


def steps_per_epoch(config: Config) -> int:
    """Mini-batches in one epoch: the training rows (without validation) ÷ batch size."""
    return math.ceil(config.n_fit / config.batch_size)


def seconds_per_epoch(configs: Sequence[Config]) -> float:
    """A lower bound on one epoch of every variant trained together (one config: a run)."""
    steps = max(steps_per_epoch(c) for c in configs)
    layers = max(len(c.hidden) + 1 for c in configs)
    step_work = sum(steps_per_epoch(c) * parameters(c) for c in configs)
    measure_work = sum(c.n_points * parameters(c) for c in configs)
    return (steps * layers * LAYER_STEP_SECONDS + step_work / STEP_RATE
            + measure_work / MEASURE_RATE)


def training_seconds(configs: Sequence[Config], epochs: int) -> float:
    """A lower bound on ``epochs`` epochs of every variant."""
    return epochs * seconds_per_epoch(configs)


def epochs_within(configs: Sequence[Config], seconds: float) -> int:
    """The most epochs whose lower bound fits in ``seconds``."""
    return int(seconds / seconds_per_epoch(configs))


def sweep_bytes(configs: Sequence[Config]) -> int:
    """The memory a sweep of these variants holds while it trains, estimated."""
    total = 0
    for c in configs:
        rows = c.n_points + c.batch_size
        steps = steps_per_epoch(c)
        total += units(c) * (rows * BYTES_PER_UNIT_POINT + steps * BYTES_PER_UNIT_BATCH)
        total += steps * BYTES_PER_BATCH
    return total
