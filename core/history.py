"""A run's history entry: what one epoch measured.

``{epoch, train_loss, test_loss, train_error, test_error, validation_loss,
validation_error, penalty}``: the data loss (without λ·R) and the 0-1 error rate over
the rows trained on, the test rows and the validation rows, with the weights at the end
of that epoch (entry 0: the initial weights); the error rates are None for a
regression, the validation numbers None without a validation split; ``penalty`` is
λ·R(w), which the API's histories leave out.
"""

from __future__ import annotations

import math

import numpy as np

from core.batches import Splits

ENTRY_KEYS = ("epoch", "train_loss", "test_loss", "train_error", "test_error",
              "validation_loss", "validation_error", "penalty")  # an entry's, in order
LOSS_KEYS = ("train_loss", "test_loss", "validation_loss")


def history_entry(epoch: int, losses: np.ndarray, wrong: np.ndarray | None,
                  splits: Splits, penalty: float) -> dict:
    """The entry from each row's loss and (classification) whether it is misclassified,
    rows in ``splits`` order: trained on, validation, test."""
    fit, validation, test = splits.slices()
    return {
        "epoch": epoch,
        "train_loss": _mean(losses, fit),
        "test_loss": _mean(losses, test),
        "train_error": _rate(wrong, fit),
        "test_error": _rate(wrong, test),
        "validation_loss": _mean(losses, validation),
        "validation_error": _rate(wrong, validation),
        "penalty": penalty,
    }


def _mean(values: np.ndarray, part: slice) -> float | None:
    count = part.stop - part.start
    return float(values[part].sum() / count) if count else None  # what .mean() computes,
    # at a third of its cost


def _rate(wrong: np.ndarray | None, part: slice) -> float | None:
    count = part.stop - part.start
    return None if wrong is None or not count else np.count_nonzero(wrong[part]) / count


def finite(entry: dict) -> bool:
    """Whether every loss the entry measured is a finite number."""
    return all(entry[k] is None or math.isfinite(entry[k]) for k in LOSS_KEYS)
