"""One training run: the data, the network, the epoch count, the history, the state.

An epoch walks the rows trained on in the order the dataset gives them, in consecutive
mini-batches (the last may be smaller); each mini-batch is one optimizer step on the
mean gradient of the objective, data loss + λ·R(w) — made by the engine
(``core.engine``, a stack of one run). After each epoch the data loss (without λ·R) and
the 0-1 error rate are measured over the rows trained on, the validation rows and the
test rows (``core.history``); ``history[0]`` is measured at the initial weights.

A non-finite loss or weight puts the run in the ``"diverged"`` state with the weights
of the last finished epoch; ``reset()`` recovers. Hot fields (``HOT_FIELDS`` of
``core.config``) change through ``apply_hot`` at the next mini-batch, keeping the
weights; anything else needs a new ``Trainer``.
"""

from __future__ import annotations

import numpy as np

from core.batches import Batch, RunData
from core.config import Config
from core.datasets import Dataset, make_dataset
from core.engine import Engine, Shape
from core.history import finite, history_entry
from core.hyper import Hyper
from core.network import Network
from core.outputs import n_outputs, output_kind
from core.regularizers import REGULARIZERS
from core.snapshot import Snapshot

READY, DIVERGED = "ready", "diverged"


class Trainer:
    def __init__(self, config: Config, dataset: Dataset | None = None):
        self.config = config
        self.dataset = dataset if dataset is not None else make_dataset(config)
        self.kind = output_kind(config.loss, config.task, config.n_classes)
        self.data = RunData(self.dataset, config.features)
        sizes = [len(config.features), *config.hidden, n_outputs(config.task, config.n_classes)]
        self.network = Network(sizes, config.activation, self.kind, seed=config.seed)
        self.shape = Shape(tuple(sizes), config.activation, self.kind, config.loss)
        self.engine = Engine(self.shape, self.network.params[None])
        self._last_good = self.network.params.copy()
        self._batches: list[Batch] = []
        self.apply_hot(config, force=True)
        self.reset()

    # --- lifecycle --------------------------------------------------------------------
    def reset(self) -> None:
        """Epoch 0, same config and seed: the same initial weights and a fresh optimizer."""
        self.network.initialize(self.config.seed)
        self.optimizer.reset()
        self.epoch = 0
        self._row = 0  # next training row of the epoch under way (0: at an epoch's start)
        self.state = READY
        self.history = [self._measure()]
        self._last_good[:] = self.network.params

    @property
    def optimizer(self):
        return self.engine.optimizer

    def apply_hot(self, config: Config, force: bool = False) -> None:
        """Take learning rate, λ, regularization, batch size and optimizer from ``config``."""
        old, self.config = self.config, config
        if force or config.batch_size != old.batch_size:
            self._batches = self.data.batches(config.batch_size)
        self.engine.configure([Hyper.of(config)], config.optimizer)

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
        new, fit = [], self.data.splits.fit
        with np.errstate(all="ignore"):  # divergence is detected, not warned about
            while k > 0 and self.state != DIVERGED:
                batches = self._pending_batches()[:k]
                for batch in batches:
                    self.engine.step(batch)
                k -= len(batches)
                # consecutive batches of batch_size rows from _row, the last one shorter
                self._row = min(self._row + len(batches) * self.config.batch_size, fit)
                if self._row >= fit:
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
        return self.data.batches_from(self._row, b)

    def _end_epoch(self) -> dict | None:
        losses, wrong = self.engine.measure(self.data.xt, self.data.y)
        return self.end_epoch(losses[0], None if wrong is None else wrong[0],
                              self.network.params)

    def end_epoch(self, losses: np.ndarray, wrong: np.ndarray | None,
                  params: np.ndarray) -> dict | None:
        """The epoch that ended at ``params``, from each row's loss and misclassified flag
        (``RunData`` order): its entry, recorded, when every number is finite; otherwise
        the run diverges and None. Stacks of runs call this for each of their runs."""
        entry = history_entry(self.epoch + 1, losses, wrong, self.data.splits,
                              self.penalty(params))
        if not (finite(entry) and np.isfinite(params).all()):
            self.diverge()
            return None
        self._last_good[:] = params
        self.epoch += 1
        self.history.append(entry)
        return entry

    def diverge(self) -> None:
        """Stop in the ``diverged`` state with the weights of the last finished epoch."""
        self.back_to_last_epoch()
        self.state = DIVERGED

    def back_to_last_epoch(self) -> None:
        """The weights of the last finished epoch (after a divergence, or a failure)."""
        self.network.params[:] = self._last_good

    # --- measurement ------------------------------------------------------------------
    def _measure(self, epoch: int = 0) -> dict:
        """The entry for the current weights, as epoch ``epoch``."""
        losses, wrong = self.engine.measure(self.data.xt, self.data.y)
        return history_entry(epoch, losses[0], None if wrong is None else wrong[0],
                             self.data.splits, self.penalty())

    def penalty(self, params: np.ndarray | None = None) -> float:
        """λ·R(w) at the current weights, or at ``params`` (0 without regularization)."""
        if self.config.regularization == "none" or self.config.reg_rate == 0:
            return 0.0
        params = self.network.params if params is None else params
        weights = params[self.network.weight_mask == 1.0]
        return float(self.config.reg_rate * REGULARIZERS[self.config.regularization].value(weights))

    # --- snapshots ----------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """Everything needed to come back to this moment exactly, mid-epoch included."""
        return Snapshot(self.epoch, self._row, self.network.params.copy(),
                        self._last_good.copy(), self.config.optimizer,
                        self.optimizer.state(), len(self.history))

    def restore(self, snap: Snapshot) -> None:
        """Back to ``snap`` (taken from this run): weights, optimizer, epoch, row; the
        history is cut to its length. If the optimizer changed since, it starts afresh."""
        self.network.params[:] = snap.params
        self._last_good[:] = snap.last_finished
        if snap.optimizer == self.config.optimizer:
            self.optimizer.load_state(snap.optimizer_state)
        else:
            self.optimizer.reset()
        self.epoch, self._row = snap.epoch, snap.row
        del self.history[snap.history_length :]
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
