"""One point's way through the network, with every number a lesson shows.

For a point x = (x1, x2): its input features, then for each layer z = a_prev·W + b and
its activation, the output (probabilities for sigmoid/softmax), and — given a label —
that one example's data loss and the gradient of that loss with respect to every
weight and bias (λ·R(w) is left out: it does not depend on the point).
"""

from __future__ import annotations

import numpy as np

from core.features import feature_matrix
from core.losses import LOSSES, predict
from core.network import Network, with_bias_column


def probe(network: Network, features, x, label=None, loss: str = "cross_entropy") -> dict:
    """The forward pass of one point; with ``label``, its loss and gradients.

    Returns ``{"input", "layers": [{"z", "a"}], "output", "probabilities", "loss",
    "gradients": {"weights", "biases"}}``; ``probabilities`` is None for raw and
    linear outputs, ``loss`` and ``gradients`` are None without a label.
    """
    xy = np.asarray(x, dtype=float).reshape(1, 2)
    inputs = feature_matrix(xy, features)
    layers, a = [], with_bias_column(inputs)
    for l, layer in enumerate(network.layers):
        z = a @ layer
        last = l == len(network.layers) - 1
        act = z if last else network.activation.fn(z)
        layers.append({"z": z[0].tolist(), "a": act[0].tolist()})
        a = with_bias_column(act)
    z_out = np.array([layers[-1]["z"]])
    prediction = predict(z_out, network.output_kind)[0]
    result = {
        "input": inputs[0].tolist(),
        "layers": layers,
        "output": prediction.tolist(),
        "probabilities": prediction.tolist()
        if network.output_kind in ("sigmoid", "softmax")
        else None,
        "loss": None,
        "gradients": None,
    }
    if label is not None:
        result.update(_loss_and_gradients(network, inputs, z_out, label, loss))
    return result


def _loss_and_gradients(network, inputs, z_out, label, loss) -> dict:
    """Backpropagation for this one example, on its own arrays (the network's training
    buffers are left alone, so a probe never disturbs a run)."""
    y = np.array([float(label)])
    value = float(LOSSES[loss].value(z_out, y, network.output_kind)[0])
    acts, zs, a = [], [], with_bias_column(inputs)
    for layer in network.layers:
        acts.append(a)
        zs.append(a @ layer)
        a = with_bias_column(network.activation.fn(zs[-1]))
    dz = LOSSES[loss].grad(z_out, y, network.output_kind)
    grads = [None] * len(network.layers)
    for l in range(len(network.layers) - 1, -1, -1):
        grads[l] = acts[l].T @ dz
        if l > 0:
            da = dz @ network.layers[l][:-1].T
            dz = da * network.activation.der(zs[l - 1], acts[l][:, :-1])
    return {
        "loss": value,
        "gradients": {
            "weights": [g[:-1].tolist() for g in grads],
            "biases": [g[-1].tolist() for g in grads],
        },
    }
