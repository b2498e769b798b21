"""Variants of one layer count trained as one stack, padded to the widest (see core/sweep.py).

Every variant gets a ``Trainer`` whose network has the padded sizes (the widest variant's
width in each layer). Its real block holds exactly the initial weights its own ``Trainer``
would draw; the padding starts at 0, and a mask zeroes the padding's gradients so it stays
0. A padded neuron then has incoming weights and bias 0 and outgoing weights 0, so it never
changes a real neuron's value (even with sigmoid, whose 0.5 meets an outgoing weight of 0),
and λ·R(w) sees only zeros from it. The training itself is cohort's stack
(``core/cohort.py``: one batched product per layer, transposed buffers) with that mask, so
a variant follows its lone run to float precision: padding adds exact zeros to each sum,
but BLAS may order a longer sum differently. Variants without padding keep cohort's
bit-for-bit guarantee.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from core.cohort import _Stack, train_together
from core.config import Config
from core.datasets import Dataset
from core.losses import LOSSES, misclassified, n_outputs
from core.network import Network
from core.trainer import DIVERGED, Trainer


class _MaskedStack(_Stack):
    """Cohort's stack, with the padding's gradients zeroed before λ·R'(w) and the step,
    and each epoch's measurements made for the whole stack in one pass."""

    def __init__(self, members: list[Trainer], masks: list[np.ndarray]):
        super().__init__(members)
        self.mask = np.stack(masks)
        first = members[0]
        self.y_all = np.tile(first._y_all, len(members))
        self.n_train = first._n_train
        self.classification = first.config.task == "classification"

    def _add_penalty(self) -> None:
        self.grad *= self.mask
        super()._add_penalty()

    def _finish_epoch(self, new: dict) -> list[Trainer]:
        zt = self._forward(self.xt_all)
        v, m, n_all = zt.shape
        z = np.swapaxes(zt, 1, 2).reshape(v * n_all, m)
        losses = LOSSES[self.loss].value(z, self.y_all, self.kind).reshape(v, n_all)
        n, diverged = self.n_train, []
        train, test = losses[:, :n].mean(axis=1), losses[:, n:].mean(axis=1)
        errors = [[None] * v, [None] * v]
        if self.classification:
            wrong = misclassified(z, self.y_all).reshape(v, n_all)
            errors = [wrong[:, :n].mean(axis=1).tolist(), wrong[:, n:].mean(axis=1).tolist()]
        for i, trainer in enumerate(self.members):
            entry = {"epoch": trainer.epoch + 1, "train_loss": float(train[i]),
                     "test_loss": float(test[i]), "train_error": errors[0][i],
                     "test_error": errors[1][i], "penalty": trainer.penalty(self.params[i])}
            finite = np.isfinite(entry["train_loss"]) and np.isfinite(entry["test_loss"])
            if not (finite and np.isfinite(self.params[i]).all()):
                diverged.append(trainer)
                continue
            trainer.epoch += 1
            trainer.history.append(entry)
            trainer._last_good[:] = self.params[i]
            new[id(trainer)].append(entry)
        return diverged


class PaddedStack:
    """``configs`` (one layer count, activation, loss, optimizer, batch size, features)
    on one dataset, trained together. ``trainers[v]`` runs variant v in padded form."""

    def __init__(self, configs: list[Config], dataset: Dataset):
        self.configs = list(configs)
        depth = len(configs[0].hidden)
        widths = tuple(max(c.hidden[i] for c in configs) for i in range(depth))
        self.padded = any(c.hidden != widths for c in configs)
        self.trainers = [Trainer(replace(c, hidden=widths), dataset) for c in configs]
        self.masks = [self._embed(t, c) for t, c in zip(self.trainers, configs)]

    @staticmethod
    def _real_sizes(config: Config) -> list[int]:
        return [len(config.features), *config.hidden, n_outputs(config.task, config.n_classes)]

    def _embed(self, trainer: Trainer, config: Config) -> np.ndarray:
        """Put the variant's own initial weights in the real block; return the real mask."""
        net = trainer.network
        mask = np.zeros_like(net.params)
        if not self.padded:
            mask[:] = 1.0
            return mask
        real = Network(self._real_sizes(config), config.activation, trainer.kind,
                       seed=config.seed)
        net.params[:] = 0.0
        for layer, own, m in zip(net.layers, real.layers, net.layer_views(mask)):
            fan_in, fan_out = own.shape[0] - 1, own.shape[1]
            layer[:fan_in, :fan_out] = own[:-1]
            layer[-1, :fan_out] = own[-1]
            m[:fan_in, :fan_out] = m[-1, :fan_out] = 1.0
        trainer.history = [trainer._measure()]  # epoch 0 at the variant's own weights
        trainer._last_good[:] = net.params
        return mask

    def train_epochs(self, epochs: int) -> list[list[dict]]:
        """Up to ``epochs`` more epochs for every variant; each variant's new entries."""
        if not self.padded:
            return train_together(self.trainers, epochs)
        new: dict[int, list[dict]] = {id(t): [] for t in self.trainers}
        active = [v for v, t in enumerate(self.trainers) if t.state != DIVERGED]
        done = 0
        while active and done < epochs:
            stack = _MaskedStack([self.trainers[v] for v in active],
                                 [self.masks[v] for v in active])
            trained, diverged = stack.train(epochs - done, new)
            stack.scatter(diverged)
            done += trained
            active = [v for v in active if self.trainers[v] not in diverged]
        return [new[id(t)] for t in self.trainers]

    def real(self, v: int) -> dict:
        """Variant v's weights ``[fan_in][fan_out]`` and biases, without the padding."""
        sizes = self._real_sizes(self.configs[v])
        layers = self.trainers[v].network.layers
        weights, biases = [], []
        for layer, fan_in, fan_out in zip(layers, sizes, sizes[1:]):
            weights.append(layer[:fan_in, :fan_out].tolist())
            biases.append(layer[-1, :fan_out].tolist())
        return {"weights": weights, "biases": biases}
