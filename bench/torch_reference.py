"""The same training runs in PyTorch CPU eager, for bench/core.py --vs-torch.

Same data, same initial weights, same mini-batches and SGD; only the engine differs.
Needs ``pip install torch==2.13.0`` (not a dependency of nnlive).
"""

from __future__ import annotations

import time

import torch

from core.config import validate_config
from core.features import feature_matrix
from core.trainer import Trainer

torch.set_num_threads(1)


def _model(trainer: Trainer) -> list[torch.nn.Linear]:
    layers = []
    for w, b in zip(trainer.network.weights(), trainer.network.biases()):
        linear = torch.nn.Linear(w.shape[0], w.shape[1]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w.T.copy()))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
    return layers


def _forward(layers, x, activation):
    for linear in layers[:-1]:
        x = activation(linear(x))
    return layers[-1](x)


def torch_epochs_per_second(fields: dict, epochs: int = 100) -> float:
    trainer = Trainer(validate_config({"seed": 1, **fields}))
    config = trainer.config
    layers = _model(trainer)
    params = [p for layer in layers for p in layer.parameters()]
    optimizer = torch.optim.SGD(params, lr=config.learning_rate)
    activation = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
                  "linear": lambda t: t}[config.activation]
    x_train = torch.from_numpy(feature_matrix(trainer.dataset.train[:, :2], config.features))
    x_test = torch.from_numpy(feature_matrix(trainer.dataset.test[:, :2], config.features))
    y_train = torch.from_numpy(trainer.dataset.train[:, 2])
    y_test = torch.from_numpy(trainer.dataset.test[:, 2])
    binary = config.n_classes == 2
    loss_fn = (lambda z, y: torch.nn.functional.binary_cross_entropy_with_logits(z[:, 0], y)) \
        if binary else (lambda z, y: torch.nn.functional.cross_entropy(z, y.long()))
    b = config.batch_size
    start = time.perf_counter()
    for _ in range(epochs):
        for i in range(0, len(y_train), b):
            optimizer.zero_grad()
            loss_fn(_forward(layers, x_train[i : i + b], activation), y_train[i : i + b]).backward()
            optimizer.step()
        with torch.no_grad():  # the per-epoch measurement nnlive also makes
            float(loss_fn(_forward(layers, x_train, activation), y_train))
            float(loss_fn(_forward(layers, x_test, activation), y_test))
    return epochs / (time.perf_counter() - start)

