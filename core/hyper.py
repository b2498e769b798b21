"""What the runs of one engine may differ in — learning rate and penalty — as the
arrays the engine's calls bind.

A value per run spreads over the parameters as 0-d for a lone run (the fastest
operand), (K, 1) for a stack of K, and (1, P) for a sweep's block, where ``owner`` says
which variant each parameter belongs to (−1: between blocks, kept at 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from core.regularizers import REGULARIZERS


class Hyper(NamedTuple):
    """One run's hot fields of the configuration."""

    learning_rate: float
    regularization: str
    reg_rate: float

    @classmethod
    def of(cls, config) -> Hyper:
        return cls(config.learning_rate, config.regularization, config.reg_rate)


class Penalty(NamedTuple):
    """One regularizer on the runs that use it: coef = λ (·η when folded) on weights."""

    regularizer: object
    coef: np.ndarray  # shaped as params
    where: np.ndarray | None  # (K, 1): the runs it applies to, None for all


class Rates(NamedTuple):
    delta_rate: np.ndarray  # per output run, (R, 1, 1) or 0-d: η when SGD folds it, else 1
    rate: np.ndarray  # the optimizer's η, per parameter
    grad_mask: np.ndarray | None  # a block's: 0 between blocks and on frozen variants
    penalties: list[Penalty]


class Spread(NamedTuple):
    """How one value per run spreads over a (K, P) parameter buffer."""

    params_shape: tuple[int, int]
    weight_mask: np.ndarray  # 1 on weights, 0 on biases
    owner: np.ndarray | None = None

    def per_output_run(self, values: np.ndarray) -> np.ndarray:
        return np.array(values[0]) if len(values) == 1 else values.reshape(-1, 1, 1)

    def per_param(self, values: np.ndarray) -> np.ndarray:
        if self.owner is not None:
            return np.where(self.owner >= 0, values[np.maximum(self.owner, 0)], 0.0)[None]
        return values.reshape(-1, 1) if self.params_shape[0] > 1 else np.array(values[0])

    def rates(self, hypers: Sequence[Hyper], folds: bool, active=None) -> Rates:
        """Each output run's rate and penalty (``active`` False: a frozen variant, rate 0
        and gradient 0); ``folds``: the optimizer takes η from the gradient (sgd)."""
        rates = np.array([h.learning_rate for h in hypers], dtype=np.float64)
        if active is not None:
            rates = np.where(active, rates, 0.0)
        grad_mask = None
        if self.owner is not None:
            live = np.ones(len(hypers), bool) if active is None else np.asarray(active)
            grad_mask = np.where(self.owner >= 0, live[self.owner], False)[None] * 1.0
        penalties = [self._penalty(hypers, name, rates if folds else 1.0, grad_mask)
                     for name in ("l1", "l2")
                     if any(h.regularization == name and h.reg_rate > 0 for h in hypers)]
        delta_rate = self.per_output_run(rates if folds else np.ones_like(rates))
        return Rates(delta_rate, self.per_param(rates), grad_mask, penalties)

    def _penalty(self, hypers, name: str, scale, grad_mask) -> Penalty:
        lam = np.array([h.reg_rate if h.regularization == name else 0.0 for h in hypers])
        coef = np.broadcast_to(self.per_param(lam * scale) * self.weight_mask,
                               self.params_shape).copy()
        if grad_mask is not None:  # a frozen variant, and the zeros between blocks
            coef *= grad_mask
        where = None
        if self.owner is None and self.params_shape[0] > 1 and not (lam > 0).all():
            where = (lam > 0).reshape(-1, 1)
        return Penalty(REGULARIZERS[name], coef, where)
