"""Variants of one layer count trained as one block network (see core/sweep.py).

All variants of a sweep see the same inputs, so they can be one wide network: layer l
stacks every variant's units, (Σ fan_out, Σ fan_in + 1) with the biases in the last
column, block diagonal (each variant's units read only its own units below), and the
first layer dense, since every variant reads the same inputs. The engine
(``core.engine``) trains it as one run whose output rows are one group per variant:
each parameter knows its variant (``owner``), which gives it that variant's learning
rate and λ, and the parameters between blocks keep a gradient of 0. One ``np.dot`` per
layer then trains all of them: at these sizes NumPy's cost is per call, so V variants
cost little more than one.

Each variant keeps its own ``Trainer`` (real shape): it holds the initial weights its lone
run draws, its history and state, and gets its weights back after every epoch (for its
pictures and λ·R(w)). A variant follows its lone run to float precision: the zeros add
nothing to a sum, but BLAS may order a longer sum differently, and tanh may take
another method for a wider matrix. A variant that diverges gets its last finite
weights back and is frozen (learning rate and gradient 0).
"""

from __future__ import annotations

import numpy as np

from core.config import Config
from core.datasets import Dataset
from core.engine import Engine, Shape
from core.hyper import Hyper
from core.layers import flat_views, layer_shapes
from core.trainer import DIVERGED, Trainer


def _spans(sizes: list[list[int]]) -> tuple[list, list[int]]:
    """Per layer, each variant's (r0, r1, c0, c1): its units are rows r0:r1, the units it
    reads are columns c0:c1 (the first layer: all inputs); and the block network's sizes
    [n_inputs, Σ hidden_1, …, Σ n_outputs]."""
    spans, block_sizes = [], [sizes[0][0]]
    for l in range(len(sizes[0]) - 1):
        outs = [int(x) for x in np.cumsum([0] + [s[l + 1] for s in sizes])]
        if l == 0:
            cols = [(0, sizes[0][0])] * len(sizes)
        else:
            ins = [int(x) for x in np.cumsum([0] + [s[l] for s in sizes])]
            cols = list(zip(ins, ins[1:]))
        spans.append([(outs[v], outs[v + 1], *cols[v]) for v in range(len(sizes))])
        block_sizes.append(outs[-1])
    return spans, block_sizes


class BlockStack:
    """``configs`` (one layer count, activation, loss, optimizer, batch size, features)
    on one dataset, trained together; ``trainers[v]`` is variant v."""

    def __init__(self, configs: list[Config], dataset: Dataset):
        self.configs = list(configs)
        self.trainers = [Trainer(c, dataset) for c in configs]
        first = self.trainers[0]
        self.spans, block_sizes = _spans([t.network.sizes for t in self.trainers])
        shape = Shape(tuple(block_sizes), *first.shape[1:])
        shapes = layer_shapes(block_sizes)
        size = sum(r * c for r, c in shapes)
        self.engine = Engine(shape, np.zeros((1, size)), groups=len(configs),
                             owner=self._owners(shapes, size))
        self.rows = self.engine.rows
        for v in range(len(configs)):
            self._gather(v)
        self.active = np.ones(len(configs), dtype=bool)
        self._configure()
        self.data = first.data  # the same data: every variant's batches are equal
        self.batches = self.data.batches(configs[0].batch_size)
        self.next_batch = 0  # the mini-batch the next step trains on

    def _owners(self, shapes: list, size: int) -> np.ndarray:
        """Each block parameter's variant: its units' weights on the units it reads, and
        their biases; −1 between blocks."""
        owner = np.full(size, -1)
        for l, views in enumerate(flat_views(owner, shapes)):
            for v, (r0, r1, c0, c1) in enumerate(self.spans[l]):
                views[r0:r1, c0:c1] = views[r0:r1, -1] = v
        return owner

    def _configure(self) -> None:
        self.engine.configure([Hyper.of(c) for c in self.configs], self.configs[0].optimizer,
                              self.active)

    def _gather(self, v: int) -> None:
        """Variant v's weights, from its network into the block."""
        for l, (r0, r1, c0, c1) in enumerate(s[v] for s in self.spans):
            own = self.trainers[v].network.rows[l]
            self.rows[l][r0:r1, c0:c1] = own[:, :-1]
            self.rows[l][r0:r1, -1] = own[:, -1]

    def _scatter(self, v: int) -> None:
        for l, (r0, r1, c0, c1) in enumerate(s[v] for s in self.spans):
            own = self.trainers[v].network.rows[l]
            own[:, :-1] = self.rows[l][r0:r1, c0:c1]
            own[:, -1] = self.rows[l][r0:r1, -1]

    # --- training ------------------------------------------------------------------------
    def train_epochs(self, epochs: int) -> list[list[dict]]:
        """Up to ``epochs`` more epochs for every variant; each variant's new entries."""
        new: list[list[dict]] = [[] for _ in self.trainers]
        self.train_steps(epochs * len(self.batches), self.epoch + epochs, new)
        return new

    @property
    def epoch(self) -> float:
        """The epoch the variants still training have reached (inf when none is)."""
        return min((t.epoch for t in self.trainers if t.state != DIVERGED), default=np.inf)

    def train_steps(self, steps: int, until_epoch: int, new: list | None = None) -> int:
        """Up to ``steps`` mini-batch steps, each epoch ended (measured, recorded) as its
        last batch is done, never past ``until_epoch``; returns the steps taken. Between
        calls an epoch may be half done: the trainers show the last finished one."""
        new = new if new is not None else [[] for _ in self.trainers]
        taken, epoch, batches = 0, self.epoch, self.batches
        with np.errstate(all="ignore"):
            while taken < steps and epoch < until_epoch:
                self.engine.step(batches[self.next_batch])
                taken += 1
                self.next_batch = (self.next_batch + 1) % len(batches)
                if self.next_batch == 0:
                    self._finish_epoch(new)
                    epoch = self.epoch
        return taken

    def _finish_epoch(self, new: list[list[dict]]) -> None:
        """Every variant's entry from one forward pass over all rows."""
        losses, wrong = self.engine.measure(self.data.xt, self.data.y)
        for i, trainer in enumerate(self.trainers):
            if trainer.state == DIVERGED:
                continue
            self._scatter(i)
            entry = trainer.end_epoch(losses[i], None if wrong is None else wrong[i],
                                      trainer.network.params)
            if entry is not None:
                new[i].append(entry)
            else:
                self._freeze(i)

    def _freeze(self, v: int) -> None:
        """Variant v diverged: its last finite weights, as its lone run keeps, and no more
        steps (learning rate, gradient and optimizer state 0 on its parameters)."""
        self._gather(v)  # end_epoch already took it back to its last finished epoch
        self.active[v] = False
        self._configure()
        self.engine.optimizer.clear(self.engine.owner == v)

    def real(self, v: int) -> dict:
        """Variant v's weights ``[fan_in][fan_out]`` and biases."""
        return {"weights": self.trainers[v].weights(), "biases": self.trainers[v].biases()}
