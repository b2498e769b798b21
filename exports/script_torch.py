'''A standalone PyTorch script that trains one run, written for a learner to read.

PyTorch computes the gradients (autograd) and makes the steps (``torch.optim``), in
float64, from the same data and starting weights nnlive used: a learner sees the same
run written the way most courses go on to write networks. Its losses are written as
formulas over the scores, so the objective is nnlive's exactly (mean over the batch,
multi-output losses summed over outputs). ``tests/exports/test_scripts.py`` holds its
final weights to ``POST /api/train``'s within 1e-6 for every loss, optimizer and
regularizer.
'''

from __future__ import annotations

from string import Template

from core.config import Config
from core.outputs import output_kind
from exports.script_text import feature_columns, layers_literal, rows_literal, summary

ACTIVATION = {"tanh": "torch.tanh", "sigmoid": "torch.sigmoid", "relu": "torch.relu",
              "linear": "(lambda z: z)"}

LOSS = {  # (output kind, loss) -> each example's loss from scores z (n, outputs)
    ("sigmoid", "cross_entropy"): '''    # -[y log p + (1 - y) log(1 - p)], p = sigmoid(z), from z
    return F.binary_cross_entropy_with_logits(z[:, 0], y, reduction="none")''',
    ("softmax", "cross_entropy"): '''    # -log softmax(z)[y]
    return F.cross_entropy(z, y, reduction="none")''',
    ("sigmoid", "mse"): '''    return (torch.sigmoid(z[:, 0]) - y) ** 2''',
    ("sigmoid", "mae"): '''    return (torch.sigmoid(z[:, 0]) - y).abs()''',
    ("softmax", "mse"): '''    # summed over the classes, against one-hot targets
    t = F.one_hot(y, z.shape[1]).double()
    return ((torch.softmax(z, dim=1) - t) ** 2).sum(dim=1)''',
    ("softmax", "mae"): '''    t = F.one_hot(y, z.shape[1]).double()
    return (torch.softmax(z, dim=1) - t).abs().sum(dim=1)''',
    ("raw", "hinge", 2): '''    # max(0, 1 - t z), t = +1 for class 1 and -1 for class 0
    return torch.clamp(1 - (2 * y - 1) * z[:, 0], min=0)''',
    ("raw", "hinge", 3): '''    # the sum over the wrong classes j of max(0, z_j - z_y + 1)
    margins = torch.clamp(z - z.gather(1, y[:, None]) + 1, min=0)
    return margins.sum(dim=1) - 1  # the true class's own term is max(0, 1) = 1''',
    ("linear", "mse"): '''    return (z[:, 0] - y) ** 2''',
    ("linear", "mae"): '''    return (z[:, 0] - y).abs()''',
}

PENALTY = {
    "none": "0.0",
    "l1": "REG_RATE * sum(w.abs().sum() for w in weights)  # lambda * sum|w|",
    "l2": "REG_RATE * sum((w * w).sum() / 2 for w in weights)  # lambda * sum(w^2) / 2",
}

OPTIMIZER = {
    "sgd": "torch.optim.SGD(params, lr=LEARNING_RATE)",
    "momentum": "torch.optim.SGD(params, lr=LEARNING_RATE, momentum=0.9)",
    "adam": "torch.optim.Adam(params, lr=LEARNING_RATE, betas=(0.9, 0.999), eps=1e-8)",
}

ERROR = {
    "regression": "None  # regression: there are no classes to get wrong",
    "binary": "float(((z[:, 0] > 0).double() != y).double().mean())  # class 1 where z > 0",
    "multi": "float((z.argmax(dim=1) != y).double().mean())  # the highest score's class",
}

TEMPLATE = Template('''"""Train a small neural network with PyTorch: the run nnlive showed.

The run: $summary.

    python $$0            prints the losses as it trains
    python $$0 --json     its last line is the final weights and losses as JSON

The data and the starting weights are written below; everything is float64, so the
numbers match nnlive's. Needs NumPy and PyTorch.
"""

import json
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

# --- the data: rows [x1, x2, label], already shuffled and split ----------------------
TRAIN = torch.tensor($train).reshape(-1, 3)
VALIDATION = torch.tensor($validation).reshape(-1, 3)  # held out, never trained on
TEST = torch.tensor($test).reshape(-1, 3)


def inputs(rows):
    """What the network sees of each point (the features: $features)."""
    x1, x2 = rows[:, 0], rows[:, 1]
    return torch.stack([$columns], dim=1)


def labels(rows):
    return rows[:, 2]$label_cast


# --- the network's starting weights (weights[l] is fan_in x fan_out) ---------------
weights = [torch.tensor(w).reshape($shapes[l]).requires_grad_() for l, w in enumerate($weights)]
biases = [torch.tensor(b).requires_grad_() for b in $biases]

LEARNING_RATE = $learning_rate
BATCH_SIZE = $batch_size
REG_RATE = $reg_rate
EPOCHS = $epochs


def scores(x):
    """z = a @ W + b layer after layer, $activation between the layers."""
    a = x
    for l, (w, b) in enumerate(zip(weights, biases)):
        a = a @ w + b
        if l < len(weights) - 1:
            a = $activation_fn(a)
    return a


def example_losses(z, y):
    """Each example's $loss loss (output: $kind)."""
$loss_code


def penalty():
    return $penalty


def measure(rows):
    """(mean loss, error rate) over rows, or (None, None) when there are none."""
    if len(rows) == 0:
        return None, None
    with torch.no_grad():
        z, y = scores(inputs(rows)), labels(rows)
        return float(example_losses(z, y).mean()), $error


def snapshot():
    return [p.detach().clone() for p in weights + biases]


def finite(*losses):
    return all(torch.isfinite(p).all() for p in weights + biases) and all(
        v == v and abs(v) != float("inf") for v in losses if v is not None)


def train(verbose):
    params = weights + biases
    optimizer = $optimizer_code
    x, y = inputs(TRAIN), labels(TRAIN)
    losses = (measure(TRAIN)[0], measure(TEST)[0])
    for epoch in range(1, EPOCHS + 1):
        before = (snapshot(), losses)
        for start in range(0, len(y), BATCH_SIZE):  # in order, one step per mini-batch
            optimizer.zero_grad()
            z = scores(x[start : start + BATCH_SIZE])
            objective = example_losses(z, y[start : start + BATCH_SIZE]).mean() + penalty()
            objective.backward()  # autograd: the gradient of the objective
            optimizer.step()
        train_loss, test_loss = measure(TRAIN)[0], measure(TEST)[0]
        if not finite(train_loss, measure(VALIDATION)[0], test_loss):
            with torch.no_grad():  # diverged: back to the last finite epoch
                for p, kept in zip(params, before[0]):
                    p.copy_(kept)
            losses = before[1]
            print(f"diverged at epoch {epoch}; stopped", file=sys.stderr)
            break
        losses = (train_loss, test_loss)
        if verbose:
            print(f"epoch {epoch}: train loss {train_loss:.6f}, test loss {test_loss:.6f}")
    return losses


if __name__ == "__main__":
    as_json = "--json" in sys.argv[1:]
    train_loss, test_loss = train(verbose=not as_json)
    if as_json:
        final = {"weights": [w.tolist() for w in weights], "biases": [b.tolist() for b in biases]}
        print(json.dumps({"final": final, "train_loss": train_loss, "test_loss": test_loss}))
''')


def torch_script(config: Config, epochs: int, rows: dict, initial: dict) -> str:
    """The PyTorch script for ``config`` trained ``epochs`` epochs (as ``numpy_script``)."""
    kind = output_kind(config.loss, config.task, config.n_classes)
    key = (kind, config.loss, config.n_classes) if kind == "raw" else (kind, config.loss)
    shapes = [[len(w), len(w[0]) if w else 0] for w in initial["weights"]]
    error = "regression" if config.task == "regression" else (
        "binary" if config.n_classes == 2 else "multi")
    return TEMPLATE.substitute(
        summary=summary(config, epochs), features=", ".join(config.features),
        train=rows_literal(rows["train"]), validation=rows_literal(rows.get("validation", [])),
        test=rows_literal(rows["test"]), columns=feature_columns(config, "torch"),
        label_cast=".long()  # class indices" if error == "multi" else "",
        weights=layers_literal(initial["weights"]), biases=layers_literal(initial["biases"]),
        shapes=shapes, learning_rate=repr(float(config.learning_rate)),
        batch_size=config.batch_size, reg_rate=repr(float(config.reg_rate)), epochs=epochs,
        activation=config.activation, activation_fn=ACTIVATION[config.activation],
        loss=config.loss, kind=kind, loss_code=LOSS[key], penalty=PENALTY[config.regularization],
        error=ERROR[error], optimizer_code=OPTIMIZER[config.optimizer])
