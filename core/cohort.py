"""Train several live runs of one shape as one stack, bit for bit as if alone.

A class that opened the same lesson runs many ``Trainer``s of one shape, each with its
own data, seed, learning rate and λ. At these sizes NumPy's cost is per call, so
``train_together`` gathers them into one engine of K runs (``core.engine``) — one
batched product per layer serves every run — and writes the results back into each
``Trainer``. The engine makes, run by run, exactly the operations a lone run's engine
makes, so a run's weights and history do not depend on who else trained beside it:
the tests compare bits.

Runs can share a stack when ``cohort_key`` is equal: the layer sizes, activation,
output, loss, optimizer, batch size and the number of rows trained on, held out and
tested.
"""

from __future__ import annotations

import threading

import numpy as np

from core.batches import Batch
from core.engine import Engine
from core.hyper import Hyper
from core.layers import Workspaces
from core.trainer import DIVERGED, Trainer

KEPT_BYTES = 32 * 2**20      # buffers kept between stacks, per thread, at most
MEASURE_BYTES = 2**20        # an epoch's measurement goes through members in chunks this
                             # big: buffers of a few sizes, which the allocator reuses
_local = threading.local()   # each thread its own workspaces


def cohort_key(trainer: Trainer) -> tuple:
    c = trainer.config
    return (trainer.shape, c.optimizer, c.batch_size, trainer.data.splits)


def train_together(trainers: list[Trainer], epochs: int) -> list[list[dict]]:
    """``t.train_epochs(epochs)`` for every trainer (all of one ``cohort_key``), stacked.

    Returns each trainer's new history entries. A run that diverges leaves the stack
    in the state its lone run would reach; the others go on.
    """
    new: dict[int, list[dict]] = {id(t): [] for t in trainers}
    sliced = [t for t in trainers if t.mid_epoch]  # an epoch under way finishes alone
    for trainer in sliced:
        new[id(trainer)] += trainer.train_epochs(epochs)
    active = [t for t in trainers if t not in sliced and t.state != DIVERGED]
    done = 0
    while active and done < epochs:
        if len(active) == 1:
            new[id(active[0])] += active[0].train_epochs(epochs - done)
            break
        stack = Stack(active)
        trained, diverged = stack.train(epochs - done, new)
        stack.scatter(diverged)
        done += trained
        active = [t for t in active if t not in diverged]
    return [new[id(t)] for t in trainers]


def _workspaces() -> Workspaces:
    if not hasattr(_local, "workspaces"):
        _local.workspaces = Workspaces(KEPT_BYTES)
    return _local.workspaces


class Stack:
    """The members' parameters, optimizer state and data as (K, …) arrays in one engine."""

    def __init__(self, members: list[Trainer]):
        self.members = members
        first = members[0]
        self.engine = Engine(first.shape, np.stack([t.network.params for t in members]),
                             workspaces=_workspaces())
        self.engine.configure([Hyper.of(t.config) for t in members], first.config.optimizer)
        for i, trainer in enumerate(members):
            self.engine.optimizer.load_state(trainer.optimizer.state(), i)
        self.batches = _stacked_batches(members)
        self.chunks = _measure_chunks(self.engine, members)

    def train(self, epochs: int, new: dict) -> tuple[int, list[Trainer]]:
        """Up to ``epochs`` epochs; stops after the first epoch where a member diverged."""
        with np.errstate(all="ignore"):
            for done in range(1, epochs + 1):
                for batch in self.batches:
                    self.engine.step(batch)
                diverged = self._finish_epoch(new)
                if diverged:
                    return done, diverged
        return epochs, []

    def _finish_epoch(self, new: dict) -> list[Trainer]:
        """Every member's history entry; a diverged member is left out of the rest."""
        diverged = []
        for members, xt, y in self.chunks:
            losses, wrong = self.engine.measure(xt, y, members)
            for i in range(members.start, members.stop):
                trainer, params = self.members[i], self.engine.params[i]
                j = i - members.start
                entry = trainer.end_epoch(losses[j], None if wrong is None else wrong[j],
                                          params)
                if entry is not None:
                    new[id(trainer)].append(entry)
                else:  # it now keeps its last finished epoch's weights, as alone
                    diverged.append(trainer)
        return diverged

    def scatter(self, diverged: list[Trainer]) -> None:
        """Write the stack back into each member, as its lone run would have left it."""
        for i, trainer in enumerate(self.members):
            if trainer not in diverged:  # a diverged one already went back (end_epoch)
                trainer.network.params[:] = self.engine.params[i]
            trainer.optimizer.load_state(self.engine.optimizer.state(i))


def _stacked_batches(members: list[Trainer]) -> list[Batch]:
    """Mini-batch j of every member, (K, …): each member's epoch arrays (kept by its
    ``RunData``) stacked, one ``np.stack`` per array, not one per mini-batch."""
    size = members[0].config.batch_size
    epochs = [t.data.epoch_arrays(size) for t in members]
    batches = []
    for g in range(len(epochs[0])):  # the full batches, then the smaller last one, if any
        xt = np.stack([epoch[g].xt for epoch in epochs])
        y = np.stack([epoch[g].y for epoch in epochs])
        batches += [Batch(xt[:, j], y[:, j]) for j in range(xt.shape[1])]
    return batches


def _measure_chunks(engine: Engine, members: list[Trainer]) -> list[tuple]:
    """(members, inputs, labels) in chunks of members, so the measurement's arrays stay
    bounded (``MEASURE_BYTES``) whatever the class, and of a few sizes."""
    n_all = members[0].data.xt.shape[-1]
    per_member = 8 * n_all * sum(2 * rows + cols for rows, cols in engine.layer_shapes)
    chunk = max(1, MEASURE_BYTES // per_member)
    return [(slice(lo, lo + len(part)), np.stack([t.data.xt for t in part]),
             np.stack([t.data.y for t in part]))
            for lo in range(0, len(members), chunk) for part in [members[lo : lo + chunk]]]
