"""Several variants of one configuration, trained together, ranked by test loss.

Variants that share the number of hidden layers, the activation, the loss, the
optimizer, the batch size and the features are trained *stacked*: each layer's
parameters become one (V, fan_in + 1, fan_out) array padded to the widest variant, so
one batched matrix product serves all of them (at these sizes NumPy's cost is per
call, so V models cost little more than one). Padding is exact: padded weights and
biases start at 0 and their gradients are masked to 0, so a padded neuron never
influences a real one. Each variant's real parameters start from exactly the initial
weights its own ``Trainer`` would draw, and learning rate and λ are per-variant
vectors, so a variant follows the run ``Trainer`` would give to float precision.
Variants that cannot share a stack (another activation, loss, …) train one by one.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from core.config import Config
from core.datasets import Dataset, make_dataset
from core.stacked import StackedRun
from core.trainer import Trainer


def _stack_key(config: Config) -> tuple:
    return (
        len(config.hidden), config.activation, config.loss, config.optimizer,
        config.batch_size, config.features,
    )


def run_sweep(configs: list[Config], epochs: int, dataset: Dataset | None = None) -> list[dict]:
    """Train every config for ``epochs`` on the same data; one result per config, in order.

    A result is ``{"config", "history", "initial": {weights, biases},
    "final": {weights, biases}, "state"}``, as a lone ``Trainer`` would give.
    """
    dataset = dataset if dataset is not None else make_dataset(configs[0])
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, config in enumerate(configs):
        groups[_stack_key(config)].append(i)
    results: list[dict | None] = [None] * len(configs)
    for indices in groups.values():
        if len(indices) == 1:
            results[indices[0]] = _train_alone(configs[indices[0]], dataset, epochs)
            continue
        run = StackedRun([configs[i] for i in indices], dataset)
        run.train_epochs(epochs)
        for i, result in zip(indices, run.results()):
            results[i] = result
    return results


def _train_alone(config: Config, dataset: Dataset, epochs: int) -> dict:
    trainer = Trainer(config, dataset)
    initial = {"weights": trainer.weights(), "biases": trainer.biases()}
    trainer.train_epochs(epochs)
    return {
        "config": config,
        "history": trainer.history,
        "initial": initial,
        "final": {"weights": trainer.weights(), "biases": trainer.biases()},
        "state": trainer.state,
    }


def best_index(results: list[dict]) -> int:
    """The variant with the lowest final test loss (non-finite or missing ranks last)."""
    def key(i):
        loss = results[i]["history"][-1]["test_loss"]
        return loss if loss is not None and np.isfinite(loss) else np.inf

    return min(range(len(results)), key=key)
