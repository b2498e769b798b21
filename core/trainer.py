"""One training run: the data, the network, the optimizer, the epoch count and history.

An epoch walks the training points in the order the dataset gives them, in consecutive
mini-batches (the last may be smaller); each mini-batch is one optimizer step on the
mean gradient of the objective, data loss + λ·R(w). After each epoch the data loss
(without λ·R) and the 0-1 error rate are measured over the whole training and test
sets; ``history[0]`` is measured at the initial weights.

A non-finite loss or weight puts the run in the ``"diverged"`` state with the weights
of the last finite epoch; ``reset()`` recovers. Hot fields (``HOT_FIELDS`` of
``core.config``) change through ``apply_hot`` at the next mini-batch, keeping the
weights; anything else needs a new ``Trainer``.
"""

from __future__ import annotations

import math

import numpy as np

from core.config import Config
from core.datasets import Dataset, make_dataset
from core.features import feature_matrix
from core.losses import LOSSES, misclassified, n_outputs, output_kind
from core.network import Batch, Call, Network, run, with_bias_column
from core.optimizers import make_optimizer
from core.regularizers import REGULARIZERS

READY, DIVERGED = "ready", "diverged"


class Trainer:
    def __init__(self, config: Config, dataset: Dataset | None = None):
        self.config = config
        self.dataset = dataset if dataset is not None else make_dataset(config)
        self.kind = output_kind(config.loss, config.task, config.n_classes)
        x_train = feature_matrix(self.dataset.train[:, :2], config.features)
        x_test = feature_matrix(self.dataset.test[:, :2], config.features)
        # Train and test rows stacked, so one forward pass measures both after an epoch.
        self._x_all = with_bias_column(np.vstack([x_train, x_test]))
        self._y_all = np.concatenate([self.dataset.train[:, 2], self.dataset.test[:, 2]])
        self._n_train = len(x_train)
        self._x_train = self._x_all[: self._n_train]  # contiguous: batches are views
        self.xt_all = np.ascontiguousarray(self._x_all.T)  # (k + 1, n), as training sees it
        self._y_train = self._y_all[: self._n_train]
        sizes = [len(config.features), *config.hidden, n_outputs(config.task, config.n_classes)]
        self.network = Network(sizes, config.activation, self.kind, seed=config.seed)
        self._last_good = self.network.params.copy()
        self._batches: list[Batch] = []
        self._measure_plan = None  # (network, inputs, calls, scores): one forward over all rows
        self.apply_hot(config, force=True)
        self.reset()

    # --- lifecycle --------------------------------------------------------------------
    def reset(self) -> None:
        """Epoch 0, same config and seed: the same initial weights and a fresh optimizer."""
        self.network.initialize(self.config.seed)
        self.optimizer = make_optimizer(self.config.optimizer, self.network.params.size)
        self.epoch = 0
        self._row = 0  # next training row of the epoch under way (0: at an epoch's start)
        self.state = READY
        self.history = [self._measure()]
        self._last_good[:] = self.network.params

    def apply_hot(self, config: Config, force: bool = False) -> None:
        """Take learning rate, λ, regularization, batch size and optimizer from ``config``."""
        old = self.config
        self.config = config
        if force or config.batch_size != old.batch_size:
            b = config.batch_size
            self._batches = [
                Batch(self._x_train[i : i + b], self._y_train[i : i + b])
                for i in range(0, self._n_train, b)
            ]
        if not force and config.optimizer != old.optimizer:
            self.optimizer = make_optimizer(config.optimizer, self.network.params.size)

    # --- training ---------------------------------------------------------------------
    def train_epochs(self, n: int) -> list[dict]:
        """Train up to ``n`` epochs (the first one ends an epoch under way, if any);
        return their history entries (fewer if the run diverged)."""
        new = []
        for _ in range(n):
            if self.state == DIVERGED:
                break
            new += self.train_batches(self.batches_left())
        return new

    @property
    def mid_epoch(self) -> bool:
        return self._row > 0

    @property
    def batches_per_epoch(self) -> int:
        return len(self._batches)

    def batches_left(self) -> int:
        """Mini-batches until the epoch under way ends (all of them at an epoch's start)."""
        return len(self._pending_batches())

    def train_batches(self, k: int) -> list[dict]:
        """Train up to ``k`` mini-batches from where the epoch under way stands, so a
        scheduler can slice a long epoch; return the entries of the epochs that ended."""
        new = []
        with np.errstate(all="ignore"):  # divergence is detected, not warned about
            while k > 0 and self.state != DIVERGED:
                batches = self._pending_batches()[:k]
                self._train(batches)
                k -= len(batches)
                # consecutive batches of batch_size rows from _row, the last one shorter
                self._row = min(self._row + len(batches) * self.config.batch_size,
                                self._n_train)
                if self._row >= self._n_train:
                    self._row = 0
                    entry = self._end_epoch()
                    if entry is not None:
                        new.append(entry)
        return new

    def _pending_batches(self) -> list[Batch]:
        """The rest of this epoch's mini-batches: consecutive rows from ``_row``."""
        b = self.config.batch_size
        if self._row % b == 0:
            return self._batches[self._row // b :]
        # the batch size changed mid-epoch: the rest of the epoch walks on in new batches
        return [Batch(self._x_train[i : i + b], self._y_train[i : i + b])
                for i in range(self._row, self._n_train, b)]

    def _train(self, batches: list[Batch]) -> None:
        cfg = self.config
        key = (self.network, self.optimizer, cfg.loss, cfg.learning_rate,
               cfg.regularization, cfg.reg_rate)
        for batch in batches:
            run(self._step_calls(batch, key))

    def _step_calls(self, batch: Batch, key: tuple) -> list[Call]:
        """One mini-batch's step as bound NumPy calls, kept on the batch while nothing
        it binds (``key``: network, optimizer, loss, rate, penalty) has changed."""
        cfg = self.config
        plan = batch.plan
        if plan is None or plan[0] != key:
            net = self.network
            # plain SGD on the fused path: the rate is folded into the gradient, which the
            # update then only subtracts (one call fewer a step; core.cohort does the same)
            folded = net.folds_rate(cfg.optimizer, cfg.loss)
            scale = cfg.learning_rate if folded else 1.0
            calls = net.gradient_calls(batch, cfg.loss, scale)
            if cfg.regularization != "none" and cfg.reg_rate > 0:
                calls.append((self._add_penalty_gradient, (scale,)))
            if folded:
                calls.append((np.subtract, (net.params, net.grad, net.params)))
            else:
                calls += self.optimizer.update_calls(net.params, net.grad, cfg.learning_rate)
            plan = batch.plan = (key, calls)
        return plan[1]

    def _add_penalty_gradient(self, scale: float) -> None:
        """λ·R'(w) on the weights, times ``scale`` (the folded rate, or 1)."""
        net, cfg = self.network, self.config
        r_grad = REGULARIZERS[cfg.regularization](net.params)[1]
        net.grad += cfg.reg_rate * scale * r_grad * net.weight_mask

    def _end_epoch(self) -> dict | None:
        """Measure the epoch just finished; on a non-finite result, diverge instead."""
        entry = self._measure(self.epoch + 1)
        return entry if self.close_epoch(entry, self.network.params) else None

    def close_epoch(self, entry: dict, params: np.ndarray) -> bool:
        """The epoch that ended at ``params`` with ``entry``: recorded when every number is
        finite (True); otherwise the run diverges (stacks of runs call this too)."""
        losses_finite = math.isfinite(entry["train_loss"]) and math.isfinite(entry["test_loss"])
        if not (losses_finite and np.isfinite(params).all()):
            self.diverge()
            return False
        self._last_good[:] = params
        self.epoch += 1
        self.history.append(entry)
        return True

    def diverge(self) -> None:
        """Stop in the ``diverged`` state with the weights of the last finished epoch."""
        self.back_to_last_epoch()
        self.state = DIVERGED

    def back_to_last_epoch(self) -> None:
        """The weights of the last finished epoch (after a divergence, or a failure)."""
        self.network.params[:] = self._last_good

    # --- measurement ------------------------------------------------------------------
    def _measure(self, epoch: int = 0) -> dict:
        """One forward pass over train and test rows together, then the two means."""
        net, plan = self.network, self._measure_plan
        if plan is None or plan[0] is not net or plan[1] is not self.xt_all:
            plan = self._measure_plan = (net, self.xt_all, *net.forward_calls(self.xt_all))
        run(plan[2])
        z = plan[3].T
        return self.entry(epoch, z, self.network.params)

    def entry(self, epoch: int, z: np.ndarray, params: np.ndarray) -> dict:
        """The history entry for output scores ``z`` (n, m) over train then test rows."""
        losses = LOSSES[self.config.loss].value(z, self._y_all, self.kind)
        wrong = misclassified(z, self._y_all) if self.config.task == "classification" else None
        return self.entry_from(epoch, losses, wrong, params)

    def entry_from(self, epoch: int, losses: np.ndarray, wrong: np.ndarray | None,
                   params: np.ndarray) -> dict:
        """The history entry from each row's loss and (classification) whether it is
        misclassified, train rows then test rows; a stack of runs computes those for
        all of its runs at once."""
        n, n_test = self._n_train, len(self._y_all) - self._n_train
        return {  # sums over counts: what .mean() computes, at a third of its cost
            "epoch": epoch,
            "train_loss": float(losses[:n].sum() / n),
            "test_loss": float(losses[n:].sum() / n_test),
            "train_error": None if wrong is None else np.count_nonzero(wrong[:n]) / n,
            "test_error": None if wrong is None else np.count_nonzero(wrong[n:]) / n_test,
            "penalty": self.penalty(params),
        }

    def penalty(self, params: np.ndarray | None = None) -> float:
        """λ·R(w) at the current weights, or at ``params`` (0 without regularization)."""
        if self.config.regularization == "none" or self.config.reg_rate == 0:
            return 0.0
        params = self.network.params if params is None else params
        weights = params[self.network.weight_mask == 1.0]
        return float(self.config.reg_rate * REGULARIZERS[self.config.regularization](weights)[0])

    # --- snapshots ----------------------------------------------------------------------
    def snapshot(self) -> dict:
        """Everything needed to come back to this epoch: weights, optimizer, history length."""
        return {
            "epoch": self.epoch,
            "params": self.network.params.copy(),
            "optimizer": self.config.optimizer,
            "optimizer_state": self.optimizer.state(),
            "history_length": len(self.history),
            "row": self._row,
        }

    def restore(self, snap: dict) -> None:
        self.network.params[:] = snap["params"]
        self._last_good[:] = snap["params"]
        self.optimizer = make_optimizer(snap["optimizer"], self.network.params.size)
        self.optimizer.load_state(snap["optimizer_state"])
        if snap["optimizer"] != self.config.optimizer:  # the config moved on since
            self.optimizer = make_optimizer(self.config.optimizer, self.network.params.size)
        self.epoch = snap["epoch"]
        self._row = snap.get("row", 0)
        del self.history[snap["history_length"] :]
        self.state = READY

    def weights(self) -> list[list[list[float]]]:
        return [w.tolist() for w in self.network.weights()]

    def biases(self) -> list[list[float]]:
        return [b.tolist() for b in self.network.biases()]

    @property
    def measured_params(self) -> np.ndarray:
        """The parameters the newest history entry was measured at (those of the last
        finished epoch; the live ones differ while an epoch is under way). Read only."""
        return self._last_good

    # --- a value set by hand ------------------------------------------------------------
    def set_parameter(self, layer: int, row: int, column: int, value: float) -> dict:
        """Set one weight (``row`` < fan_in) or bias (``row`` == fan_in) of ``layer`` to
        ``value``, as a learner does by clicking a connection; training goes on from it.

        The current epoch's history entry is measured again at the new weights and
        returned. The caller checks the indices and that ``value`` is finite.
        """
        self.network.layers[layer][row, column] = value
        self._last_good[:] = self.network.params
        self.history[-1] = self._measure(self.epoch)
        return self.history[-1]
