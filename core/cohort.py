"""Train several live runs of one architecture as one stack, bit for bit as if alone.

A class that opened the same lesson runs many ``Trainer``s of one shape, each with its
own data, seed, learning rate and λ. At these sizes NumPy's cost is per call, so
``train_together`` gathers them into (V, …) stacks — one batched product per layer
serves every run — and writes the results back into each ``Trainer``. Every operation
is the one the lone ``Trainer`` makes, per member and in the same order (the batched
product runs the same kernel per matrix; ``tanh`` chooses its method per matrix), so a
run's weights and history do not depend on who else trained beside it: the tests
compare bits.

Runs can share a stack when ``cohort_key`` is equal: the layer sizes, activation,
output, loss, optimizer, batch size and the number of train and test rows.
"""

from __future__ import annotations

import threading

import numpy as np

from core.losses import LOSSES, misclassified
from core.network import flat_views
from core.optimizers import BETA1, BETA2, EPSILON, MOMENTUM
from core.regularizers import REGULARIZERS
from core.trainer import DIVERGED, Trainer

KEPT_BYTES = 32 * 2**20      # buffers kept between stacks, per thread, at most
MEASURE_BYTES = 16 * 2**20   # an epoch's measurement goes through members in chunks this big
_local = threading.local()   # each thread its own (members, shapes, rows) → buffers


def cohort_key(trainer: Trainer) -> tuple:
    c = trainer.config
    return (tuple(trainer.network.sizes), c.activation, trainer.kind, c.loss, c.optimizer,
            c.batch_size, trainer._n_train, len(trainer._y_all))


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
        stack = _Stack(active)
        trained, diverged = stack.train(epochs - done, new)
        stack.scatter(diverged)
        done += trained
        active = [t for t in active if t not in diverged]
    return [new[id(t)] for t in trainers]


class _Stack:
    """The members' parameters, optimizer state and data as (V, …) arrays."""

    def __init__(self, members: list[Trainer]):
        self.members = members
        first = members[0]
        self.shapes = first.network.shapes
        self.activation = first.network.activation
        self.activation_name = first.network.activation_name
        self.loss, self.kind = first.config.loss, first.kind
        self.params = np.stack([t.network.params for t in members])
        self.grad = np.zeros_like(self.params)
        self.rows, self.grad_rows = self._rows(self.params), self._rows(self.grad)
        self.weight_mask = first.network.weight_mask
        self.lr = np.array([[t.config.learning_rate] for t in members])
        # as Trainer: plain SGD on the fused path folds each rate into the gradient
        self.folded = first.network.folds_rate(first.config.optimizer, first.config.loss)
        self.rate = (self.lr if self.folded else np.ones_like(self.lr))[:, :, None]  # (V,1,1)
        self._gather_penalties()
        self._gather_optimizer()
        self.batches = _stacked_batches(members)
        self.xt_all = np.stack([t.xt_all for t in members])
        self.y_all = np.concatenate([t._y_all for t in members])
        self.classification = first.config.task == "classification"

    def _rows(self, flat: np.ndarray) -> list[np.ndarray]:
        return flat_views(flat, self.shapes)

    def _gather_penalties(self) -> None:
        """Per member: λ and R's kind; as in Trainer, λ = 0 adds nothing at all."""
        configs = [t.config for t in self.members]
        self.has_penalty = np.array([c.reg_rate > 0 for c in configs])
        self.lam = np.array([[c.reg_rate] for c in configs])
        self.kinds = [c.regularization for c in configs]

    def _gather_optimizer(self) -> None:
        name = self.members[0].config.optimizer
        states = [t.optimizer.state() for t in self.members]
        self.optimizer = name
        if name == "momentum":
            self.velocity = np.stack([s["velocity"] for s in states])
        elif name == "adam":
            self.m = np.stack([s["m"] for s in states])
            self.v = np.stack([s["v"] for s in states])
            self.t = [s["t"] for s in states]
        self.step_buffer = np.empty_like(self.params)

    # --- training -------------------------------------------------------------------
    def train(self, epochs: int, new: dict) -> tuple[int, list[Trainer]]:
        """Up to ``epochs`` epochs; stops after the first epoch where a member diverged."""
        with np.errstate(all="ignore"):
            for done in range(1, epochs + 1):
                for batch in self.batches:
                    self._step(batch)
                diverged = self._finish_epoch(new)
                if diverged:
                    return done, diverged
        return epochs, []

    def _step(self, batch: _StackedBatch) -> None:
        zt = self._forward(batch.xt)
        inputs = [batch.xt, *self._acts]
        if self.loss == "cross_entropy" and self.kind == "sigmoid":
            np.multiply(zt, 0.5, out=zt)  # as Network.gradient_calls, member by member
            np.tanh(zt, out=zt)
            scale, offset = batch.folded(self.rate)
            zt *= scale
            zt += offset
            dzt = zt
        else:
            v, m, n = zt.shape
            z = np.swapaxes(zt, 1, 2).reshape(v * n, m)
            dz = LOSSES[self.loss].grad(z, batch.y.reshape(-1), self.kind).reshape(v, n, m) / n
            dzt = np.swapaxes(dz, 1, 2)
        self._backward(inputs, dzt)
        self._add_penalty()
        self._update()

    def _workspace(self, v: int, n: int) -> tuple[list, list, list]:
        """(v, …) buffers for n rows: pre-activations (the output's last), activations
        whose last row is 1, and each layer's Wᵀ·δ. Kept between stacks of one size (the
        scheduler stacks a class every few ticks), up to ``KEPT_BYTES`` per thread."""
        cache = _local.__dict__.setdefault("workspaces", {})  # key → (buffers, bytes)
        key = (v, tuple(self.shapes), n)
        if key in cache:
            return cache[key][0]
        zs = [np.empty((v, rows, n)) for rows, _ in self.shapes]
        acts = [np.ones((v, rows + 1, n)) for rows, _ in self.shapes[:-1]]
        backs = [np.empty((v, cols, n)) for _, cols in self.shapes[1:]]
        size = sum(a.nbytes for part in (zs, acts, backs) for a in part)
        if sum(kept for _, kept in cache.values()) + size > KEPT_BYTES:
            cache.clear()
        if size <= KEPT_BYTES:
            cache[key] = ((zs, acts, backs), size)
        return zs, acts, backs

    def _forward(self, xt: np.ndarray, members: slice = slice(None)) -> np.ndarray:
        """Scores (v, m, n) of ``members`` (all by default) for their inputs ``xt``."""
        self._zs, self._acts, self._backs = self._workspace(xt.shape[0], xt.shape[-1])
        a = xt
        for rows, z, act in zip(self.rows[:-1], self._zs, self._acts):
            np.matmul(rows[members], a, out=z)
            self.activation.fn(z, out=act[:, :-1])
            a = act
        return np.matmul(self.rows[-1][members], a, out=self._zs[-1])

    def _backward(self, inputs: list[np.ndarray], dzt: np.ndarray) -> None:
        for l in range(len(self.rows) - 1, -1, -1):
            np.matmul(dzt, np.swapaxes(inputs[l], 1, 2), out=self.grad_rows[l])
            if l == 0:
                break
            back = np.matmul(np.swapaxes(self.rows[l], 1, 2), dzt, out=self._backs[l - 1])
            delta = back[:, :-1]
            a = self._acts[l - 1][:, :-1]
            if self.activation_name == "tanh":
                tmp = np.multiply(a, a, out=self._zs[l - 1])  # z is not needed any more
                np.subtract(1.0, tmp, out=tmp)
            else:
                tmp = self.activation.der(self._zs[l - 1], a)
            delta *= tmp
            dzt = delta

    def _add_penalty(self) -> None:
        if not self.has_penalty.any():
            return
        for i in np.flatnonzero(self.has_penalty):  # as Trainer: λ·scale·R'(w)·mask, then +=
            r_grad = REGULARIZERS[self.kinds[i]](self.params[i])[1]
            self.grad[i] += self.lam[i, 0] * self.rate[i, 0, 0] * r_grad * self.weight_mask

    def _update(self) -> None:
        if self.folded:  # the rate is in the gradient already
            self.params -= self.grad
        elif self.optimizer == "sgd":
            np.multiply(self.grad, self.lr, out=self.step_buffer)
            self.params -= self.step_buffer
        elif self.optimizer == "momentum":
            self.velocity *= MOMENTUM
            self.velocity += self.grad
            np.multiply(self.velocity, self.lr, out=self.step_buffer)
            self.params -= self.step_buffer
        else:
            self._adam()

    def _adam(self) -> None:
        self.t = [t + 1 for t in self.t]
        self.m *= BETA1
        self.m += (1 - BETA1) * self.grad
        self.v *= BETA2
        self.v += (1 - BETA2) * self.grad * self.grad
        lr = self.lr[:, 0]
        step = np.array([[lr[i] / (1 - BETA1**t)] for i, t in enumerate(self.t)])
        correction = np.array([[1 - BETA2**t] for t in self.t])
        np.sqrt(self.v / correction, out=self.step_buffer)
        self.step_buffer += EPSILON
        self.params -= step * self.m / self.step_buffer

    # --- epochs and results ----------------------------------------------------------
    def _finish_epoch(self, new: dict) -> list[Trainer]:
        """Every member's history entry: stacked forward passes and loss calls over chunks
        of members, so the arrays stay bounded (``MEASURE_BYTES``) whatever the class."""
        v, n_all = self.xt_all.shape[0], self.xt_all.shape[-1]
        per_member = 8 * n_all * sum(2 * rows + cols for rows, cols in self.shapes)
        chunk = max(1, min(v, MEASURE_BYTES // per_member))
        diverged = []
        for lo in range(0, v, chunk):
            hi = min(v, lo + chunk)
            zt = self._forward(self.xt_all[lo:hi], slice(lo, hi))
            m = zt.shape[1]
            z = np.swapaxes(zt, 1, 2).reshape((hi - lo) * n_all, m)  # member after member
            y = self.y_all[lo * n_all : hi * n_all]
            losses = LOSSES[self.loss].value(z, y, self.kind).reshape(hi - lo, n_all)
            wrong = misclassified(z, y).reshape(hi - lo, n_all) if self.classification else None
            for i in range(lo, hi):
                trainer = self.members[i]
                entry = trainer.entry_from(trainer.epoch + 1, losses[i - lo],
                                           None if wrong is None else wrong[i - lo],
                                           self.params[i])
                if trainer.close_epoch(entry, self.params[i]):
                    new[id(trainer)].append(entry)
                else:  # it now keeps its last finished epoch's weights, as alone
                    diverged.append(trainer)
        return diverged

    def scatter(self, diverged: list[Trainer]) -> None:
        """Write the stack back into each member, as its lone run would have left it."""
        for i, trainer in enumerate(self.members):
            if trainer not in diverged:  # a diverged one already went back (close_epoch)
                trainer.network.params[:] = self.params[i]
            trainer.optimizer.load_state(self._optimizer_state(i))

    def _optimizer_state(self, i: int) -> dict:
        if self.optimizer == "momentum":
            return {"velocity": self.velocity[i]}
        if self.optimizer == "adam":
            return {"m": self.m[i], "v": self.v[i], "t": self.t[i]}
        return {}


class _StackedBatch:
    """Mini-batch j of every member: (V, …) arrays, views into the members' epochs."""

    def __init__(self, xt, y, ce_offset, ce_scale):
        self.xt, self.y, self.ce_offset, self.ce_scale = xt, y, ce_offset, ce_scale
        self._folded = None

    def folded(self, rate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The fused path's scale and offset times each member's ``rate`` (V, 1, 1), as
        each lone Trainer multiplies them: made once per stack."""
        if self._folded is None:
            self._folded = (rate * self.ce_scale, rate * self.ce_offset)
        return self._folded


def _stacked_batches(members: list[Trainer]) -> list[_StackedBatch]:
    """Each member's epoch is kept as arrays with a leading batch axis (built once per
    batch size), so a stack costs one ``np.stack`` per array, not one per mini-batch."""
    epochs = [_epoch_arrays(t) for t in members]
    batches = []
    for g in range(len(epochs[0])):  # the full batches, then the smaller last one, if any
        xt, y, offset = (np.stack([epoch[g][i] for epoch in epochs]) for i in range(3))
        scale = 0.5 / y.shape[-1]
        batches += [_StackedBatch(xt[:, j], y[:, j], offset[:, j], scale)
                    for j in range(xt.shape[1])]
    return batches


def _epoch_arrays(trainer: Trainer) -> list[tuple]:
    """[(xt, y, ce_offset) of the full batches, and of the smaller last one if any],
    each with a leading batch axis; cached on the trainer until its batches change."""
    cached = getattr(trainer, "_cohort_epoch", None)
    if cached is not None and cached[0] is trainer._batches:
        return cached[1]
    batches = trainer._batches
    size = len(batches[0].y)
    groups = [[b for b in batches if len(b.y) == size], [b for b in batches if len(b.y) != size]]
    arrays = [tuple(np.stack([getattr(b, name) for b in group])
                    for name in ("xt", "y", "ce_offset")) for group in groups if group]
    trainer._cohort_epoch = (batches, arrays)
    return arrays
