'''A standalone NumPy script that trains one run, written for a learner to read.

The script is a teaching copy of nnlive's training (``core/reference.py`` says the
same in one place): only the pieces this run uses are written out — its activation,
its output and loss, its penalty, its optimizer — each as a few plain lines. It is
not a second engine that could drift unseen: ``tests/exports/test_scripts.py`` runs
it for every loss, optimizer and regularizer and holds its final weights to
``POST /api/train``'s within 1e-9.
'''

from __future__ import annotations

from string import Template

from core.config import Config
from core.outputs import output_kind
from exports.script_text import feature_columns, layers_literal, rows_literal, summary

ACTIVATION = {
    "tanh": '''def activation(z):
    return np.tanh(z)


def activation_slope(z):
    """tanh'(z) = 1 - tanh(z)^2"""
    return 1.0 - np.tanh(z) ** 2''',
    "sigmoid": '''def activation(z):
    return sigmoid(z)


def activation_slope(z):
    """sigmoid'(z) = sigmoid(z) * (1 - sigmoid(z))"""
    return sigmoid(z) * (1.0 - sigmoid(z))''',
    "relu": '''def activation(z):
    return np.maximum(z, 0.0)


def activation_slope(z):
    """relu'(z) is 1 where z > 0, else 0 (also at 0, where it is undefined)"""
    return (z > 0).astype(float)''',
    "linear": '''def activation(z):
    return z


def activation_slope(z):
    return np.ones_like(z)''',
}

# (output kind, loss) -> each example's loss, and dL/dz, from the scores z (n, outputs)
LOSS = {
    ("sigmoid", "cross_entropy"): '''def example_losses(z, y):
    """-[y log p + (1 - y) log(1 - p)] with p = sigmoid(z), written from z so it never
    takes log(0)"""
    return np.logaddexp(0.0, z[:, 0]) - y * z[:, 0]


def loss_slope(z, y):
    """dL/dz = p - y: the sigmoid's slope cancels the log's"""
    return sigmoid(z) - y[:, None]''',
    ("softmax", "cross_entropy"): '''def example_losses(z, y):
    """-log softmax(z)[y] = log(sum_j e^z_j) - z_y, shifted so exp never overflows"""
    top = z.max(axis=1)
    return top + np.log(np.exp(z - top[:, None]).sum(axis=1)) - z[np.arange(len(y)), y]


def loss_slope(z, y):
    """dL/dz = p - one_hot(y)"""
    return softmax(z) - one_hot(y, z.shape[1])''',
    ("sigmoid", "mse"): '''def example_losses(z, y):
    """(p - y)^2 with p = sigmoid(z)"""
    return (sigmoid(z[:, 0]) - y) ** 2


def loss_slope(z, y):
    """dL/dp = 2 (p - y), times dp/dz = p (1 - p)"""
    p = sigmoid(z)
    return 2 * (p - y[:, None]) * p * (1 - p)''',
    ("sigmoid", "mae"): '''def example_losses(z, y):
    """|p - y| with p = sigmoid(z)"""
    return np.abs(sigmoid(z[:, 0]) - y)


def loss_slope(z, y):
    """dL/dp = sign(p - y) (0 where p = y), times dp/dz = p (1 - p)"""
    p = sigmoid(z)
    return np.sign(p - y[:, None]) * p * (1 - p)''',
    ("softmax", "mse"): '''def example_losses(z, y):
    """sum over classes of (p_k - t_k)^2, p = softmax(z), t = one_hot(y)"""
    return ((softmax(z) - one_hot(y, z.shape[1])) ** 2).sum(axis=1)


def loss_slope(z, y):
    """dL/dp = 2 (p - t), through softmax's Jacobian p_j (delta_jk - p_k)"""
    p = softmax(z)
    g = 2 * (p - one_hot(y, z.shape[1]))
    return p * (g - (g * p).sum(axis=1, keepdims=True))''',
    ("softmax", "mae"): '''def example_losses(z, y):
    """sum over classes of |p_k - t_k|, p = softmax(z), t = one_hot(y)"""
    return np.abs(softmax(z) - one_hot(y, z.shape[1])).sum(axis=1)


def loss_slope(z, y):
    """dL/dp = sign(p - t), through softmax's Jacobian p_j (delta_jk - p_k)"""
    p = softmax(z)
    g = np.sign(p - one_hot(y, z.shape[1]))
    return p * (g - (g * p).sum(axis=1, keepdims=True))''',
    ("raw", "hinge"): None,  # binary or multi-class: chosen below
    ("linear", "mse"): '''def example_losses(z, y):
    """(z - y)^2: the output is the prediction itself"""
    return (z[:, 0] - y) ** 2


def loss_slope(z, y):
    return 2 * (z - y[:, None])''',
    ("linear", "mae"): '''def example_losses(z, y):
    """|z - y|"""
    return np.abs(z[:, 0] - y)


def loss_slope(z, y):
    """sign(z - y), 0 where z = y"""
    return np.sign(z - y[:, None])''',
}

HINGE_BINARY = '''def example_losses(z, y):
    """max(0, 1 - t z) with t = +1 for class 1 and -1 for class 0"""
    t = 2 * y - 1
    return np.maximum(0.0, 1.0 - t * z[:, 0])


def loss_slope(z, y):
    """-t where the margin is violated (1 - t z > 0), else 0"""
    t = (2 * y - 1)[:, None]
    return np.where(1.0 - t * z > 0, -t, 0.0)'''

HINGE_MULTI = '''def example_losses(z, y):
    """sum over the wrong classes j of max(0, z_j - z_y + 1)"""
    rows = np.arange(len(y))
    margins = np.maximum(0.0, z - z[rows, y][:, None] + 1.0)
    margins[rows, y] = 0.0
    return margins.sum(axis=1)


def loss_slope(z, y):
    """+1 for each wrong class whose margin is violated, minus their count at z_y"""
    rows = np.arange(len(y))
    active = (z - z[rows, y][:, None] + 1.0 > 0).astype(float)
    active[rows, y] = 0.0
    active[rows, y] = -active.sum(axis=1)
    return active'''

PENALTY = {
    "none": "",
    "l1": '''
    # L1: the gradient of lambda * sum|w| is lambda * sign(w) (biases are not penalised)
    grad_w = [g + REG_RATE * np.sign(w) for g, w in zip(grad_w, weights)]''',
    "l2": '''
    # L2: the gradient of lambda * sum(w^2) / 2 is lambda * w (biases are not penalised)
    grad_w = [g + REG_RATE * w for g, w in zip(grad_w, weights)]''',
}

OPTIMIZER = {
    "sgd": '''def make_optimizer(params):
    """Plain gradient descent: p <- p - learning_rate * g"""
    def step(params, grads):
        return [p - LEARNING_RATE * g for p, g in zip(params, grads)]
    return step''',
    "momentum": '''def make_optimizer(params):
    """Momentum (mu = 0.9): v <- mu v + g, p <- p - learning_rate * v"""
    velocity = [np.zeros_like(p) for p in params]

    def step(params, grads):
        for i, g in enumerate(grads):
            velocity[i] = 0.9 * velocity[i] + g
        return [p - LEARNING_RATE * v for p, v in zip(params, velocity)]
    return step''',
    "adam": '''def make_optimizer(params):
    """Adam (beta1 = 0.9, beta2 = 0.999, eps = 1e-8): running means of g and g^2,
    corrected for starting at zero, then p <- p - learning_rate * m_hat / (sqrt(v_hat) + eps)"""
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    t = 0

    def step(params, grads):
        nonlocal t
        t += 1
        out = []
        for i, (p, g) in enumerate(zip(params, grads)):
            m[i] = 0.9 * m[i] + (1 - 0.9) * g
            v[i] = 0.999 * v[i] + (1 - 0.999) * g * g
            m_hat, v_hat = m[i] / (1 - 0.9**t), v[i] / (1 - 0.999**t)
            out.append(p - LEARNING_RATE * m_hat / (np.sqrt(v_hat) + 1e-8))
        return out
    return step''',
}

ERROR = {
    "regression": '''def error_rate(z, y):
    return None  # regression: there are no classes to get wrong''',
    "binary": '''def error_rate(z, y):
    """The share of points on the wrong side: class 1 where the score z > 0"""
    return float(np.mean((z[:, 0] > 0) != y))''',
    "multi": '''def error_rate(z, y):
    """The share of points whose highest score is not their class"""
    return float(np.mean(z.argmax(axis=1) != y))''',
}

TEMPLATE = Template('''"""Train a small neural network with plain NumPy: the run nnlive showed.

The run: $summary.

    python $$0            prints the losses as it trains
    python $$0 --json     its last line is the final weights and losses as JSON

The data and the starting weights are written below, so every run of this script
gives the same numbers nnlive gave. Needs only NumPy.
"""

import json
import sys

import numpy as np

# --- the data: rows [x1, x2, label], already shuffled and split ----------------------
TRAIN = np.array($train, dtype=float).reshape(-1, 3)
VALIDATION = np.array($validation, dtype=float).reshape(-1, 3)  # held out, never trained on
TEST = np.array($test, dtype=float).reshape(-1, 3)


def inputs(rows):
    """What the network sees of each point (the features: $features)."""
    x1, x2 = rows[:, 0], rows[:, 1]
    return np.column_stack([$columns])


def labels(rows):
    return rows[:, 2]$label_cast


# --- the network's starting weights (weights[l] is fan_in x fan_out) ---------------
WEIGHTS = [np.array(w, dtype=float) for w in $weights]
BIASES = [np.array(b, dtype=float) for b in $biases]

LEARNING_RATE = $learning_rate
BATCH_SIZE = $batch_size
REG_RATE = $reg_rate
EPOCHS = $epochs


def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))  # 1 / (1 + e^-z), without overflow


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def one_hot(y, k):
    return np.eye(k)[y]


# --- the hidden layers' activation ($activation) --------------------------------------
$activation_code


# --- forward: z = a @ W + b, layer after layer -----------------------------------------
def forward(weights, biases, x):
    """Every layer's z and every layer's input a (a[0] is x); z[-1] are the scores."""
    zs, activations = [], [x]
    for l, (w, b) in enumerate(zip(weights, biases)):
        zs.append(activations[-1] @ w + b)
        if l < len(weights) - 1:  # the output layer's scores go to the loss as they are
            activations.append(activation(zs[-1]))
    return zs, activations


# --- the loss ($loss, output: $kind) ----------------------------------------------------
$loss_code


$error_code


# --- backward: the gradient of the mean loss (plus the penalty) ------------------------
def gradients(weights, biases, x, y):
    zs, activations = forward(weights, biases, x)
    delta = loss_slope(zs[-1], y) / len(y)  # dL/dz of the mean over the batch
    grad_w, grad_b = [None] * len(weights), [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        grad_w[l] = activations[l].T @ delta
        grad_b[l] = delta.sum(axis=0)
        if l > 0:  # back through the weights, then through the activation
            delta = (delta @ weights[l].T) * activation_slope(zs[l - 1])$penalty
    return grad_w, grad_b


# --- the optimizer ($optimizer) ----------------------------------------------------------
$optimizer_code


def measure(weights, biases, rows):
    """(mean loss, error rate) over rows, or (None, None) when there are none."""
    if len(rows) == 0:
        return None, None
    z = forward(weights, biases, inputs(rows))[0][-1]
    return float(example_losses(z, labels(rows)).mean()), error_rate(z, labels(rows))


def finite(weights, biases, *losses):
    arrays = weights + biases
    return all(np.isfinite(a).all() for a in arrays) and all(
        np.isfinite(v) for v in losses if v is not None)


def train(verbose):
    weights, biases = WEIGHTS, BIASES
    step = make_optimizer(weights + biases)
    x, y = inputs(TRAIN), labels(TRAIN)
    losses = (measure(weights, biases, TRAIN)[0], measure(weights, biases, TEST)[0])
    with np.errstate(all="ignore"):  # a diverging run is caught below, not warned about
        for epoch in range(1, EPOCHS + 1):
            before = (weights, biases, losses)
            for start in range(0, len(y), BATCH_SIZE):  # in order, one step per mini-batch
                batch = slice(start, start + BATCH_SIZE)
                grad_w, grad_b = gradients(weights, biases, x[batch], y[batch])
                params = step(weights + biases, grad_w + grad_b)
                weights, biases = params[: len(weights)], params[len(weights):]
            train_loss, train_error = measure(weights, biases, TRAIN)
            validation_loss, _ = measure(weights, biases, VALIDATION)
            test_loss, test_error = measure(weights, biases, TEST)
            if not finite(weights, biases, train_loss, validation_loss, test_loss):
                weights, biases, losses = before  # diverged: keep the last finite epoch
                print(f"diverged at epoch {epoch}; stopped", file=sys.stderr)
                break
            losses = (train_loss, test_loss)
            if verbose:
                print(f"epoch {epoch}: train loss {train_loss:.6f}, test loss {test_loss:.6f}")
    return weights, biases, losses


if __name__ == "__main__":
    as_json = "--json" in sys.argv[1:]
    weights, biases, (train_loss, test_loss) = train(verbose=not as_json)
    if as_json:
        final = {"weights": [w.tolist() for w in weights], "biases": [b.tolist() for b in biases]}
        print(json.dumps({"final": final, "train_loss": train_loss, "test_loss": test_loss}))
''')


def numpy_script(config: Config, epochs: int, rows: dict, initial: dict) -> str:
    """The script for ``config`` trained ``epochs`` epochs from ``initial`` weights on
    ``rows`` (``Dataset.as_rows()``: train, test and maybe validation)."""
    kind = output_kind(config.loss, config.task, config.n_classes)
    return TEMPLATE.substitute(
        summary=summary(config, epochs), features=", ".join(config.features),
        train=rows_literal(rows["train"]), validation=rows_literal(rows.get("validation", [])),
        test=rows_literal(rows["test"]), columns=feature_columns(config, "np"),
        label_cast="" if config.task == "regression" else ".astype(int)",
        weights=layers_literal(initial["weights"]), biases=layers_literal(initial["biases"]),
        learning_rate=repr(float(config.learning_rate)), batch_size=config.batch_size,
        reg_rate=repr(float(config.reg_rate)), epochs=epochs,
        activation=config.activation, activation_code=ACTIVATION[config.activation],
        loss=config.loss, kind=kind, loss_code=_loss_code(kind, config),
        error_code=ERROR[_error_kind(config)], penalty=PENALTY[config.regularization],
        optimizer=config.optimizer, optimizer_code=OPTIMIZER[config.optimizer])


def _loss_code(kind: str, config: Config) -> str:
    if kind == "raw":
        return HINGE_BINARY if config.n_classes == 2 else HINGE_MULTI
    return LOSS[(kind, config.loss)]


def _error_kind(config: Config) -> str:
    if config.task == "regression":
        return "regression"
    return "binary" if config.n_classes == 2 else "multi"
