"""The one training engine: K runs of one shape, each mini-batch step as bound calls.

A lone run is K = 1 (``core.trainer``); live runs of one shape train as a stack of K
(``core.cohort``); a sweep's variants train as one block-diagonal network whose output
rows fall into groups, one per variant (``core.stacked``). All three run this code, so a
formula lives in one place: the forward pass and each activation's derivative come from
``core.activations``, the output delta from ``core.losses``, the penalty from
``core.regularizers`` and the update from ``core.optimizers``. Plain NumPy of the same
semantics, written for reading: ``core.reference``.

One step on a mini-batch (inputs xt (…, k + 1, n), labels y): the forward pass, z_l =
W_l·[a_{l−1}; 1], a_l = f(z_l); the loss delta δ_L = w·∂L_i/∂z with w = 1/n (times η
when plain SGD folds the rate in); back-propagation, ∂/∂W_l = δ_l·[a_{l−1}; 1]ᵀ and
δ_{l−1} = (W_lᵀ·δ_l without the bias row) ⊙ f'(z_{l−1}); λ·R'(w) on the weights; the
optimizer's update. Each batch's calls are kept (``Plan``) until ``configure`` changes
what they bind. A stack runs the same calls on (K, …) arrays — the batched product
runs the same BLAS kernel per matrix, every other call is elementwise — so each run
computes bit for bit what it computes alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import NamedTuple

import numpy as np

from core.activations import ACTIVATIONS
from core.calls import Call, product, run, transposed
from core.hyper import Hyper, Rates, Spread
from core.layers import Workspace, Workspaces, flat_views, layer_shapes, weight_mask
from core.losses import LOSSES, tanh_of_half
from core.optimizers import make_optimizer
from core.outputs import misclassified_calls


class Shape(NamedTuple):
    """What the runs of one engine share."""

    sizes: tuple[int, ...]  # [n_inputs, *hidden, n_outputs]
    activation: str
    kind: str  # the output kind (core.outputs)
    loss: str | None


class Plan(NamedTuple):
    """A batch's step as bound calls, valid while the engine's ``version`` is the same."""

    engine: Engine
    version: int
    calls: list[Call]


class MeasurePlan(NamedTuple):
    """The forward pass over every row and the losses, kept for the rows it was made for."""

    xt: np.ndarray
    y: np.ndarray
    members: slice
    calls: list[Call]
    losses: np.ndarray
    wrong: np.ndarray | None


class Passes(NamedTuple):
    """The calls of a step over n rows that are the same for every batch of n rows."""

    ws: Workspace
    forward: list[Call]  # after the first layer's product: up to the output's scores
    derivatives: list[Call]  # f'(z) of every hidden layer, over ``ws.acts`` at once
    backward: list[Call]  # back-propagation, all but the first layer's ∂/∂W
    first_delta: np.ndarray  # the first layer's δ, (…, units, n)


class Engine:
    """K runs of ``shape`` whose parameters are the rows of ``params`` (K, P), trained
    in place. ``groups`` > 1: one network whose output rows are that many runs (a
    sweep's block), ``owner`` telling which run each parameter belongs to (−1: none,
    kept at 0)."""

    def __init__(self, shape: Shape, params: np.ndarray, *, groups: int = 1,
                 owner: np.ndarray | None = None, workspaces: Workspaces | None = None):
        self.shape, self.params, self.groups, self.owner = shape, params, groups, owner
        self.runs = params.shape[0]
        self.grad, self._tmp = np.zeros_like(params), np.empty_like(params)
        self.layer_shapes = layer_shapes(shape.sizes)
        self.rows, self.grad_rows = self._views(params), self._views(self.grad)
        self.weight_mask = weight_mask(self.layer_shapes)
        self.activation = ACTIVATIONS[shape.activation]
        # this loss on this output: its value and delta (None: an engine for forward passes)
        self.loss = LOSSES[shape.loss].kinds[shape.kind] if shape.loss else None
        # tanh hidden layers' derivative 1 − a² is the 1 − t² a sigmoid loss needs
        self._shares_tanh = bool(self.loss and self.loss.from_t and shape.activation == "tanh"
                                 and len(shape.sizes) > 2)
        self._product = product(2 if self.runs == 1 else 3)
        self._workspaces = workspaces if workspaces is not None else Workspaces(2**22)
        self.optimizer, self.optimizer_name, self.version = None, None, 0
        self._spread = Spread(params.shape, self.weight_mask, owner)
        self.rates = Rates(None, None, None, [])
        self._rows_t = [transposed(r) for r in self.rows]
        self._kept_passes: dict[int, Passes] = {}
        self._tail: Plan | None = None  # the penalty and the update
        self._measure_plans: dict[tuple, MeasurePlan] = {}  # by the members measured

    def _views(self, flat: np.ndarray) -> list[np.ndarray]:
        """Per layer (rows, cols) for one run, (K, rows, cols) for a stack."""
        views = flat_views(flat, self.layer_shapes)
        return [v[0] for v in views] if self.runs == 1 else views

    # --- what the runs are trained with -------------------------------------------------
    def configure(self, hypers: Sequence[Hyper], optimizer: str,
                  active: np.ndarray | None = None) -> None:
        """Each output run's rate and penalty (K·groups of them; ``active`` False: a
        frozen variant); the optimizer, new and zeroed when its name changes."""
        if optimizer != self.optimizer_name:
            self.optimizer = make_optimizer(optimizer, self.params.shape)
            self.optimizer_name = optimizer
        self.rates = self._spread.rates(hypers, self.optimizer.folds_rate, active)
        self.version += 1

    # --- a step --------------------------------------------------------------------------
    def step(self, batch) -> None:
        """One optimizer step of every run on ``batch`` (``core.batches.Batch``)."""
        plan = batch.plan
        if plan is None or plan.engine is not self or plan.version != self.version:
            plan = batch.plan = Plan(self, self.version, self._step_calls(batch))
        run(plan.calls)

    def _step_calls(self, batch) -> list[Call]:
        if self._tail is None or self._tail.version != self.version:
            tail = self._penalty_calls() + self.optimizer.update(self.params, self.grad,
                                                                 self.rates.rate)
            self._tail = Plan(self, self.version, tail)
        w = self.rates.delta_rate / batch.n
        return self.gradient_calls(batch.xt, batch.y, w) + self._tail.calls

    def _penalty_calls(self) -> list[Call]:
        calls = []
        for regularizer, coef, where in self.rates.penalties:  # grad += coef·R'(w)
            calls += regularizer.gradient(self.params, coef, self._tmp)
            if where is None:
                calls.append((np.add, (self.grad, self._tmp, self.grad)))
            else:  # only the runs that have this penalty: the others add nothing at all
                calls.append((partial(np.add, out=self.grad, where=where), (self.grad, self._tmp)))
        return calls

    def gradient_calls(self, xt: np.ndarray, y: np.ndarray, w) -> list[Call]:
        """Forward pass, loss delta (times ``w``) and back-propagation into ``grad``.
        Only the calls that read this batch are made here; the rest, the same for every
        batch of n rows, are made once (``Passes``)."""
        p = self._passes(xt.shape[-1])
        calls = [(self._product, (self.rows[0], xt, p.ws.z[0])), *p.forward]
        zt = self._by_run(p.ws.z[-1])
        if self._shares_tanh:  # the output's 1 − t² from the hidden layers' calls
            t, d = self._by_run(p.ws.out_t), self._by_run(p.ws.out_der)
            calls += [*tanh_of_half(zt, t), *p.derivatives, *self.loss.from_t(t, d, zt, y, w)]
        else:
            calls += [*self.loss.delta(zt, y, w), *p.derivatives]
        calls += p.backward
        calls.append((self._product, (p.first_delta, transposed(xt), self.grad_rows[0])))
        if self.rates.grad_mask is not None:
            calls.append((np.multiply, (self.grad, self.rates.grad_mask, self.grad)))
        return calls

    def _passes(self, n: int) -> Passes:
        passes = self._kept_passes.get(n)
        if passes is None:
            if len(self._kept_passes) > 8:  # batch sizes change rarely; keep a few
                self._kept_passes.clear()
            ws = self._workspace(n)
            forward = self._forward_calls(None, ws, self.rows)[1:]
            derivatives = self.activation.derivative(ws.acts, ws.ders) if ws.a else []
            backward, first_delta = self._backward_calls(ws)
            passes = Passes(ws, forward, derivatives, backward, first_delta)
            self._kept_passes[n] = passes
        return passes

    def _workspace(self, n: int, runs: int | None = None, backward: bool = True):
        runs = self.runs if runs is None else runs
        lead = () if self.runs == 1 else (runs,)
        return self._workspaces.get(lead, list(self.shape.sizes[1:]), n, backward)

    def _forward_calls(self, xt, ws, rows) -> list[Call]:
        """z_l = W_l·[a_{l−1}; 1], a_l = f(z_l), up to the output's scores."""
        calls, a = [], xt
        for l, w in enumerate(rows[:-1]):
            calls.append((self._product, (w, a, ws.z[l])))
            calls += self.activation.forward(ws.z[l], ws.a[l][..., :-1, :])
            a = ws.a[l]
        return calls + [(self._product, (rows[-1], a, ws.z[-1]))]

    def _backward_calls(self, ws) -> tuple[list[Call], np.ndarray]:
        """From the output's δ (in z_L), with f'(z) of every hidden layer made:
        ∂/∂W_l = δ_l·[a_{l−1}; 1]ᵀ and δ_{l−1} = (W_lᵀ·δ_l without the bias row) ⊙
        f'(z_{l−1}) down to layer 1; and the first layer's δ, whose product with the
        batch's inputs is the last call."""
        calls, delta = [], ws.z[-1]
        for l in range(len(self.rows) - 1, 0, -1):
            calls.append((self._product, (delta, transposed(ws.a[l - 1]), self.grad_rows[l])))
            calls.append((self._product, (self._rows_t[l], delta, ws.back[l - 1])))
            delta = ws.back[l - 1][..., :-1, :]
            calls.append((np.multiply, (delta, ws.der[l - 1], delta)))
        return calls, delta

    def _by_run(self, zt: np.ndarray) -> np.ndarray:
        """Output scores (…, groups·m, n) as (runs, m, n), a view."""
        return zt.reshape(-1, zt.shape[-2] // self.groups, zt.shape[-1])

    # --- measurement ---------------------------------------------------------------------
    def measure(self, xt: np.ndarray, y: np.ndarray, members: slice = slice(None)):
        """Each output run's loss on every row and (classification) whether the row is
        misclassified, (runs, N) each, for inputs ``xt`` and labels ``y`` of the
        ``members`` runs. The arrays are the engine's: read them before measuring again."""
        key = (members.start, members.stop)
        plan = self._measure_plans.get(key)
        if plan is None or plan.xt is not xt or plan.y is not y:
            if len(self._measure_plans) > 64:  # a stack measures in a few chunks
                self._measure_plans.clear()
            plan = self._measure_plans[key] = self._measure_calls(xt, y, members)
        with np.errstate(all="ignore"):  # a diverging run is detected, not warned about
            run(plan.calls)
        return plan.losses, plan.wrong

    def _measure_calls(self, xt, y, members) -> MeasurePlan:
        calls, scores = self._scores_calls(xt, members)
        zt = self._by_run(scores)
        losses = np.empty(zt.shape[:1] + zt.shape[-1:])
        calls += self.loss.value(zt, y, losses)
        wrong = None
        if self.shape.kind != "linear":
            wrong = np.empty(losses.shape, dtype=bool)
            calls += misclassified_calls(zt, y, wrong)
        return MeasurePlan(xt, y, members, calls, losses, wrong)

    def forward(self, xt: np.ndarray, members: slice = slice(None)) -> np.ndarray:
        """The scores (…, groups·m, N) of the ``members`` runs for inputs ``xt``, in a
        workspace buffer (copy it to keep it)."""
        calls, scores = self._scores_calls(xt, members)
        with np.errstate(all="ignore"):
            run(calls)
        return scores

    def trace(self, xt: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """One run's forward pass, layer by layer: (z_l, a_l) copies, (units, n) each; the
        output layer's a is its z (what it means is the output kind's)."""
        scores = self.forward(xt)
        ws = self._workspace(xt.shape[-1], backward=False)
        hidden = [(z.copy(), a[:-1].copy()) for z, a in zip(ws.z, ws.a)]
        return hidden + [(scores.copy(), scores.copy())]

    def _scores_calls(self, xt, members) -> tuple[list[Call], np.ndarray]:
        ws = self._workspace(xt.shape[-1], xt.shape[0] if self.runs > 1 else None,
                             backward=False)
        rows = self.rows if members == slice(None) else [r[members] for r in self.rows]
        return self._forward_calls(xt, ws, rows), ws.z[-1]
