"""Variants of one layer count trained as one block network (see core/sweep.py).

All variants of a sweep see the same inputs, so they can be one wide network: layer l
stacks every variant's units, (Σ fan_out, Σ fan_in + 1) with the biases in the last
column, block diagonal (each variant's units read only its own units below), and the
first layer dense, since every variant reads the same inputs. One ``np.dot`` per layer
then trains all of them: at these sizes NumPy's cost is per call, so V variants cost
little more than one. A mask keeps the off-diagonal blocks at exactly 0 (their gradients
are zeroed before each step), learning rate and λ are per row, i.e. per variant, and the
optimizer is core's, on one flat buffer, with a per-parameter learning rate.

Each variant keeps its own ``Trainer`` (real shape): it holds the initial weights its lone
run draws, its history and state, and gets its weights back after every epoch (for its
pictures and λ·R(w)). A variant follows its lone run to float precision: the zeros add
nothing to a sum, but BLAS may order a longer sum differently. A variant that diverges
gets its last finite weights back and is frozen (learning rate and gradient 0).
"""

from __future__ import annotations

import numpy as np

from core.config import Config
from core.datasets import Dataset
from core.losses import LOSSES, misclassified
from core.network import Batch, Call, Workspace, backward_calls, dot, flat_views, run
from core.optimizers import make_optimizer
from core.regularizers import REGULARIZERS
from core.trainer import DIVERGED, Trainer


def _spans(sizes: list[list[int]]) -> tuple[list, list]:
    """Per layer, each variant's (r0, r1, c0, c1): its units are rows r0:r1, the units it
    reads are columns c0:c1 (the first layer: all inputs); and each layer's block shape
    (Σ fan_out, Σ fan_in + 1), biases in the last column."""
    spans, shapes = [], []
    for l in range(len(sizes[0]) - 1):
        outs = [int(x) for x in np.cumsum([0] + [s[l + 1] for s in sizes])]
        if l == 0:
            ins = [0] * len(sizes) + [sizes[0][0]]
            cols = [(0, sizes[0][0])] * len(sizes)
        else:
            ins = [int(x) for x in np.cumsum([0] + [s[l] for s in sizes])]
            cols = list(zip(ins, ins[1:]))
        spans.append([(outs[v], outs[v + 1], *cols[v]) for v in range(len(sizes))])
        shapes.append((outs[-1], ins[-1] + 1))
    return spans, shapes


class BlockStack:
    """``configs`` (one layer count, activation, loss, optimizer, batch size, features)
    on one dataset, trained together; ``trainers[v]`` is variant v."""

    def __init__(self, configs: list[Config], dataset: Dataset):
        self.configs = list(configs)
        self.trainers = [Trainer(c, dataset) for c in configs]
        first = self.trainers[0]
        self.kind, self.loss = first.kind, configs[0].loss
        self.activation = first.network.activation
        self.activation_name = first.network.activation_name
        self._layout([t.network.sizes for t in self.trainers])
        self._gather_all()
        self.optimizer = make_optimizer(configs[0].optimizer, self.params.size)
        self.batches = first._batches  # the same data: every variant's batches are equal
        self.xt_all, self.n_train = first.xt_all, first._n_train
        self.y_all = np.tile(first._y_all, len(configs))
        self.classification = configs[0].task == "classification"
        self.any_frozen = False
        self.next_batch = 0  # the mini-batch the next step trains on
        self._buffers: dict[int, Workspace] = {}
        self._plans: dict[int, tuple[bool, list[Call]]] = {}
        self._measure_calls: list[Call] | None = None  # the forward pass over all rows
        # as Trainer: plain SGD on the fused path folds each variant's rate into the
        # output delta (and its λ), so the update only subtracts
        self.folded = first.network.folds_rate(configs[0].optimizer, self.loss)

    # --- layout ------------------------------------------------------------------------
    def _layout(self, sizes: list[list[int]]) -> None:
        """The block buffers, and each variant's rows (units) and columns in each layer."""
        self.spans, self.shapes = _spans(sizes)
        size = sum(r * c for r, c in self.shapes)
        self.params, self.grad = np.zeros(size), np.zeros(size)
        self.mask, self.lr = np.zeros(size), np.zeros(size)
        self.l1, self.l2 = np.zeros(size), np.zeros(size)
        self.frozen = np.zeros(size, dtype=bool)
        self.rows, self.grad_rows = self._views(self.params), self._views(self.grad)
        for l, spans in enumerate(self.spans):
            for config, span in zip(self.configs, spans):
                self._fill(l, span, config)
        self.has_penalty = bool(self.l1.any() or self.l2.any())

    def _fill(self, l: int, span: tuple, config: Config) -> None:
        """One variant's block of layer l: mask 1, its learning rate, its λ (weights only)."""
        r0, r1, c0, c1 = span
        for flat, value in ((self.lr, config.learning_rate), (self.mask, 1.0)):
            view = self._views(flat)[l]
            view[r0:r1, c0:c1] = view[r0:r1, -1] = value
        if config.regularization in ("l1", "l2") and config.reg_rate > 0:
            target = self.l1 if config.regularization == "l1" else self.l2
            self._views(target)[l][r0:r1, c0:c1] = config.reg_rate

    def _views(self, flat: np.ndarray) -> list[np.ndarray]:
        return flat_views(flat, self.shapes)

    def _gather(self, v: int) -> None:
        """Variant v's weights, from its network into the block."""
        for l, (r0, r1, c0, c1) in enumerate(s[v] for s in self.spans):
            own = self.trainers[v].network.rows[l]
            self.rows[l][r0:r1, c0:c1] = own[:, :-1]
            self.rows[l][r0:r1, -1] = own[:, -1]

    def _gather_all(self) -> None:
        for v in range(len(self.trainers)):
            self._gather(v)

    def _scatter(self, v: int) -> None:
        for l, (r0, r1, c0, c1) in enumerate(s[v] for s in self.spans):
            own = self.trainers[v].network.rows[l]
            own[:, :-1] = self.rows[l][r0:r1, c0:c1]
            own[:, -1] = self.rows[l][r0:r1, -1]

    # --- training ------------------------------------------------------------------------
    def _workspace(self, n: int) -> Workspace:
        ws = self._buffers.get(n)
        if ws is None:
            ws = self._buffers[n] = Workspace([rows for rows, _ in self.shapes], n)
        return ws

    def _forward_calls(self, xt: np.ndarray) -> list[Call]:
        ws = self._workspace(xt.shape[1])
        calls, a = [], xt
        for rows, z, act in zip(self.rows[:-1], ws.z, ws.a):
            calls.append((dot, (rows, a, z)))
            out = act[:-1]
            if self.activation_name == "tanh":  # 1 − 2/(e^(2z) + 1), errors already off
                calls += [(np.multiply, (z, 2.0, out)), (np.exp, (out, out)),
                          (np.add, (out, 1.0, out)), (np.divide, (2.0, out, out)),
                          (np.subtract, (1.0, out, out))]
            else:
                calls += self.activation.calls(z, out)
            a = act
        calls.append((dot, (self.rows[-1], a, ws.z[-1])))
        return calls

    def _forward(self, xt: np.ndarray) -> np.ndarray:
        run(self._forward_calls(xt))
        return self._workspace(xt.shape[1]).z[-1]

    def _output_grad_calls(self, zt: np.ndarray, batch: Batch) -> list[Call]:
        """∂(mean data loss)/∂z for every variant's outputs, (V·m, n), as Network does."""
        if self.loss == "cross_entropy" and self.kind == "sigmoid":
            rate = self._views(self.lr)[-1][:, -1:] if self.folded else 1.0  # (V·m, 1)
            return [(np.multiply, (zt, 0.5, zt)), (np.tanh, (zt, zt)),
                    (np.multiply, (zt, rate * batch.ce_scale, zt)),
                    (np.add, (zt, rate * batch.ce_offset, zt))]
        return [(self._general_output_grad, (zt, batch))]

    def _general_output_grad(self, zt: np.ndarray, batch: Batch) -> None:
        v, n = len(self.trainers), zt.shape[1]
        m = zt.shape[0] // v
        z = zt.reshape(v, m, n).transpose(0, 2, 1).reshape(v * n, m)
        dz = LOSSES[self.loss].grad(z, np.tile(batch.y, v), self.kind) / n
        zt[...] = dz.reshape(v, n, m).transpose(0, 2, 1).reshape(v * m, n)

    def _step_calls(self, batch: Batch) -> list[Call]:
        """One step of every variant as bound NumPy calls (``core.network.run``)."""
        ws = self._workspace(batch.xt.shape[1])
        calls = self._forward_calls(batch.xt)
        dzt = ws.z[-1]
        calls += self._output_grad_calls(dzt, batch)
        calls += backward_calls(self.rows, self.grad_rows, batch.xt, dzt, ws,
                                self.activation_name)
        calls.append((np.multiply, (self.grad, self.mask, self.grad)))
        if self.has_penalty:
            calls.append((self._add_penalties, ()))
        if self.any_frozen:
            calls.append((np.copyto, (self.grad, 0.0, "same_kind", self.frozen)))
        if self.folded:
            return calls + [(np.subtract, (self.params, self.grad, self.params))]
        return calls + self.optimizer.update_calls(self.params, self.grad, self.lr)

    def _add_penalties(self) -> None:
        rate = self.lr if self.folded else 1.0
        self.grad += self.l1 * rate * REGULARIZERS["l1"](self.params)[1]
        self.grad += self.l2 * rate * REGULARIZERS["l2"](self.params)[1]

    def _step(self, i: int) -> None:
        """Mini-batch ``i``; its calls are kept until a variant freezes."""
        plan = self._plans.get(i)
        if plan is None or plan[0] != self.any_frozen:
            plan = self._plans[i] = (self.any_frozen, self._step_calls(self.batches[i]))
        run(plan[1])

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
                self._step(self.next_batch)
                taken += 1
                self.next_batch = (self.next_batch + 1) % len(batches)
                if self.next_batch == 0:
                    self._finish_epoch(new)
                    epoch = self.epoch
        return taken

    def _finish_epoch(self, new: list[list[dict]]) -> None:
        """Every variant's entry from one forward pass over all rows (its calls kept)."""
        if self._measure_calls is None:
            self._measure_calls = self._forward_calls(self.xt_all)
        run(self._measure_calls)
        zt = self._workspace(self.xt_all.shape[1]).z[-1]
        v = len(self.trainers)
        m, n_all = zt.shape[0] // v, zt.shape[1]
        z = zt.reshape(v, m, n_all).transpose(0, 2, 1).reshape(v * n_all, m)
        losses = LOSSES[self.loss].value(z, self.y_all, self.kind).reshape(v, n_all)
        wrong = misclassified(z, self.y_all).reshape(v, n_all) if self.classification else None
        for i, trainer in enumerate(self.trainers):
            if trainer.state == DIVERGED:
                continue
            self._scatter(i)
            params = trainer.network.params
            entry = trainer.entry_from(trainer.epoch + 1, losses[i],
                                       None if wrong is None else wrong[i], params)
            if trainer.close_epoch(entry, params):
                new[i].append(entry)
            else:
                self._freeze(i)

    def _freeze(self, v: int) -> None:
        """Variant v diverged: its last finite weights, as its lone run keeps, and no more
        steps (learning rate, gradient and optimizer state 0 on its rows)."""
        self._gather(v)  # close_epoch already took it back to its last finished epoch
        for l, (r0, r1, _, _) in enumerate(s[v] for s in self.spans):
            self._views(self.frozen)[l][r0:r1] = True
        self.lr[self.frozen] = 0.0
        self.any_frozen = True
        state = self.optimizer.state()
        for value in state.values():
            if isinstance(value, np.ndarray):
                value[self.frozen] = 0.0
        self.optimizer.load_state(state)

    def real(self, v: int) -> dict:
        """Variant v's weights ``[fan_in][fan_out]`` and biases."""
        return {"weights": self.trainers[v].weights(), "biases": self.trainers[v].biases()}
