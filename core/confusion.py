"""Which class the network predicts for each test point, counted per true class.

The confusion matrix of a classification run: ``counts[true][predicted]`` over the test
rows, with the prediction rule of the 0-1 loss (``core.losses.predicted_class``). Taken
at the parameters the newest history entry was measured at, its off-diagonal share is
exactly that entry's ``test_error``, even while an epoch is under way.
"""

from __future__ import annotations

import numpy as np

from core.features import feature_matrix
from core.losses import predicted_class
from core.network import Network, with_bias_column
from core.trainer import Trainer


def confusion_matrix(network: Network, features, rows: np.ndarray,
                     n_classes: int) -> list[list[int]]:
    """``counts[i][j]``: rows of true class i predicted as class j, at the network's
    parameters now.

    rows : ndarray of shape (n, 3), [x1, x2, label] with integer labels in [0, n_classes).
    """
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    if len(rows):
        x = with_bias_column(feature_matrix(rows[:, :2], features))
        predicted = predicted_class(network.forward(x))
        np.add.at(counts, (rows[:, 2].astype(np.intp), predicted), 1)
    return counts.tolist()


def measured_confusion(trainer: Trainer) -> list[list[int]] | None:
    """The test rows' matrix at ``trainer.measured_params``; None for regression."""
    config = trainer.config
    if config.task != "classification":
        return None
    network = trainer.network
    live = network.params.copy()
    network.params[:] = trainer.measured_params  # the same weights as test_error's
    try:
        return confusion_matrix(network, config.features, trainer.dataset.test,
                                config.n_classes)
    finally:
        network.params[:] = live
