"""One point's way through the network, with every number a lesson shows.

For a point x = (x1, x2): its input features, then for each layer z = a_prev·W + b and
its activation, the output (probabilities for sigmoid/softmax), and — given a label —
that one example's data loss and the gradient of that loss with respect to every
weight and bias (λ·R(w) is left out: it does not depend on the point). The numbers are
the engine's own (``core.engine``), on an engine of its own, so a probe never disturbs
a run.
"""

from __future__ import annotations

import numpy as np

from core.features import feature_matrix
from core.layers import with_bias_column
from core.losses import LOSSES
from core.network import Network
from core.outputs import predict


def probe(network: Network, features, x, label=None, loss: str = "cross_entropy") -> dict:
    """The forward pass of one point; with ``label``, its loss and gradients.

    Returns ``{"input", "layers": [{"z", "a"}], "output", "probabilities", "loss",
    "gradients": {"weights", "biases"}}``; ``probabilities`` is None for raw and
    linear outputs, ``loss`` and ``gradients`` are None without a label.
    """
    xy = np.asarray(x, dtype=float).reshape(1, 2)
    inputs = feature_matrix(xy, features)
    x_aug = with_bias_column(inputs)
    trace = network.engine().trace(np.ascontiguousarray(x_aug.T))
    layers = [{"z": z[:, 0].tolist(), "a": a[:, 0].tolist()} for z, a in trace]
    z_out = trace[-1][0].T  # (1, m)
    prediction = predict(z_out, network.output_kind)[0]
    probabilities = network.output_kind in ("sigmoid", "softmax")
    result = {"input": inputs[0].tolist(), "layers": layers, "output": prediction.tolist(),
              "probabilities": prediction.tolist() if probabilities else None,
              "loss": None, "gradients": None}
    if label is not None:
        y = np.array([float(label)])
        grad = network.layer_views(network.data_gradient(x_aug, y, loss))
        result["loss"] = float(LOSSES[loss].value(z_out, y, network.output_kind)[0])
        result["gradients"] = {"weights": [g[:-1].tolist() for g in grad],
                               "biases": [g[-1].tolist() for g in grad]}
    return result
