"""Several variants of one configuration, trained together, ranked by validation loss.

Variants that share the number of hidden layers, the activation, the loss, the
optimizer, the batch size and the features are trained as one block network
(``core.stacked.BlockStack``): every variant's units side by side in each layer, block
diagonal, so one matrix product per layer serves all of them (at these sizes NumPy's
cost is per call, so V models cost little more than one). The blocks are exact: the
weights between variants start at 0 and their gradients are masked to 0, so one
variant never influences another. Each variant starts from exactly the initial weights
its own ``Trainer`` draws, and learning rate and λ are per variant, so a variant follows
the run ``Trainer`` would give to float precision. Variants that cannot share a block
(another activation, loss, …) train in their own.

``SweepRun`` trains a few epochs at a time (the live sweep of a WebSocket session);
``run_sweep`` trains to the end at once (``POST /api/sweep``). The best variant is the
one with the lowest final validation loss, never chosen on the test set: a sweep whose
configuration holds no rows out runs every variant with validation_ratio 20
(``sweep_base``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import numpy as np

from core.config import Config, ConfigError, validate_config
from core.datasets import Dataset, make_dataset
from core.stacked import BlockStack
from core.trainer import DIVERGED, Trainer


def _stack_key(config: Config) -> tuple:
    return (
        len(config.hidden), config.activation, config.loss, config.optimizer,
        config.batch_size, config.features,
    )


SWEEP_VALIDATION_RATIO = 20  # percent held out when a sweep's config holds none out
DATA_FIELDS = ("dataset", "n_points", "noise", "train_ratio", "validation_ratio", "points",
               "seed")  # what every variant of a sweep shares: the same rows, the same split


def sweep_base(raw: Mapping) -> Config:
    """The configuration a sweep's variants start from: ``raw`` validated, with
    validation_ratio 20 when it is 0 or missing (a sweep chooses its best on validation
    rows). A field that no longer fits the smaller training set (a batch_size larger than
    the rows left) is refused, naming it, never shrunk."""
    config = validate_config(raw)
    if config.validation_ratio > 0:
        return config
    try:
        return validate_config({**raw, "seed": config.seed,
                                "validation_ratio": SWEEP_VALIDATION_RATIO})
    except ConfigError as exc:
        raise ConfigError(exc.field, f"{exc.message} A sweep chooses its best variant on "
                          "validation rows and this config holds none out (validation_ratio "
                          f"0), so the sweep holds out {SWEEP_VALIDATION_RATIO} % of the "
                          f"training points: give a smaller {exc.field}, or a "
                          "validation_ratio.", exc.allowed, exc.received) from None


MAX_BLOCK_UNITS = 64  # units per layer in one block: past this, dense blocks waste flops


def _blocks(indices: list[int], configs: list[Config]) -> list[list[int]]:
    """``indices`` (one stack key) cut into blocks of at most MAX_BLOCK_UNITS per layer:
    a block layer is dense, so V wide variants would cost V times their own flops."""
    blocks, current, widths = [], [], None
    for i in indices:
        hidden = configs[i].hidden
        grown = [a + b for a, b in zip(widths, hidden)] if widths else list(hidden)
        if current and max(grown, default=0) > MAX_BLOCK_UNITS:
            blocks.append(current)
            current, grown = [], list(hidden)
        current.append(i)
        widths = grown
    return blocks + [current]


class SweepRun:
    """Every config of ``configs`` on the same data, trained in step, in groups that stack.

    ``trainer(i)`` is variant i's ``Trainer`` (its network may be padded: its pictures
    and losses are the variant's own); ``result(i)`` its weights without the padding.
    """

    def __init__(self, configs: list[Config], dataset: Dataset | None = None):
        if len({tuple(getattr(c, f) for f in DATA_FIELDS) for c in configs}) > 1:
            raise ValueError(f"a sweep's variants share their data: {', '.join(DATA_FIELDS)} "
                             "must be the same in every config")
        self.configs = list(configs)
        self.dataset = dataset if dataset is not None else make_dataset(configs[0])
        keys: dict[tuple, list[int]] = defaultdict(list)
        for i, config in enumerate(configs):
            keys[_stack_key(config)].append(i)
        self.groups: list[tuple[list[int], BlockStack]] = [
            (block, BlockStack([configs[i] for i in block], self.dataset))
            for indices in keys.values() for block in _blocks(indices, configs)
        ]
        self._where = {i: (stack, k) for indices, stack in self.groups
                       for k, i in enumerate(indices)}
        self.initial = [self._real(i) for i in range(len(configs))]

    def train_epochs(self, epochs: int) -> None:
        """``epochs`` more epochs for every variant that has not diverged."""
        for _, stack in self.groups:
            stack.train_epochs(epochs)

    def train_steps(self, steps: int, until_epoch: int) -> int:
        """Up to ``steps`` mini-batch steps in every group (the live sweep's slices, so
        one slice stays short however long an epoch is); the most any group took."""
        return max(stack.train_steps(steps, until_epoch) for _, stack in self.groups)

    def trainer(self, i: int) -> Trainer:
        stack, k = self._where[i]
        return stack.trainers[k]

    def _real(self, i: int) -> dict:
        stack, k = self._where[i]
        return stack.real(k)

    @property
    def epoch(self) -> int:
        """The epoch every variant still training has reached."""
        live = [t.epoch for t in map(self.trainer, range(len(self.configs)))
                if t.state != DIVERGED]
        return min(live) if live else max(self.trainer(i).epoch for i in range(len(self.configs)))

    def result(self, i: int) -> dict:
        """``{"config", "history", "initial", "final", "state"}``, as a lone Trainer gives."""
        trainer = self.trainer(i)
        return {"config": self.configs[i], "history": trainer.history,
                "initial": self.initial[i], "final": self._real(i), "state": trainer.state}

    def results(self) -> list[dict]:
        return [self.result(i) for i in range(len(self.configs))]


def run_sweep(configs: list[Config], epochs: int, dataset: Dataset | None = None) -> list[dict]:
    """Train every config for ``epochs`` on the same data; one result per config, in order.

    A result is ``{"config", "history", "initial": {weights, biases},
    "final": {weights, biases}, "state"}``, as a lone ``Trainer`` would give.
    """
    run = SweepRun(configs, dataset)
    run.train_epochs(epochs)
    return run.results()


def final_validation_loss(history: list[dict]) -> float:
    loss = history[-1].get("validation_loss")
    return loss if loss is not None and np.isfinite(loss) else np.inf


def best_index(results: list[dict]) -> int | None:
    """The variant with the lowest final validation loss (non-finite ranks last; on a
    tie, the first); None when no variant holds validation rows out (the test set never
    chooses)."""
    if all(r["history"][-1].get("validation_loss") is None for r in results):
        return None
    return min(range(len(results)), key=lambda i: final_validation_loss(results[i]["history"]))
