"""The parts every generated script shares: its header, its data, its weights.

Numbers are written with ``repr``, the shortest text that reads back as the same
float64, so a script rebuilds the run's data and initial weights bit for bit.
"""

from __future__ import annotations

from core.config import Config

ROWS_PER_LINE = 3


def number(value: float) -> str:
    """A float64 as text that reads back exactly; whole labels as plain integers."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def rows_literal(rows) -> str:
    """``[[x1, x2, label], …]`` a few rows a line, indented under an assignment."""
    items = ["[" + ", ".join(number(v) for v in row) + "]" for row in rows]
    lines = [", ".join(items[i : i + ROWS_PER_LINE]) for i in range(0, len(items),
                                                                   ROWS_PER_LINE)]
    if not lines:
        return "[]"
    return "[\n    " + ",\n    ".join(lines) + ",\n]"


def matrix_literal(values) -> str:
    """A weight matrix [fan_in][fan_out] or a bias vector, exactly."""
    if values and isinstance(values[0], list):
        return "[" + ", ".join(matrix_literal(row) for row in values) + "]"
    return "[" + ", ".join(number(v) for v in values) + "]"


def layers_literal(layers) -> str:
    """One line per layer."""
    return "[\n    " + ",\n    ".join(matrix_literal(layer) for layer in layers) + ",\n]"


def summary(config: Config, epochs: int) -> str:
    """The run in one paragraph, for the script's docstring."""
    hidden = ", ".join(str(n) for n in config.hidden) or "none"
    reg = ("none" if config.regularization == "none"
           else f"{config.regularization.upper()}, λ = {number(config.reg_rate)}")
    return (f"dataset {config.dataset} ({config.n_points} points, seed {config.seed}), "
            f"features {', '.join(config.features)}, hidden layers [{hidden}] with "
            f"{config.activation}, loss {config.loss}, optimizer {config.optimizer}, "
            f"learning rate {number(config.learning_rate)}, batch size {config.batch_size}, "
            f"regularization {reg}, {epochs} epochs")


FEATURE_CODE = {  # the network's inputs from x1 and x2 (core/features.py)
    "x1": "x1", "x2": "x2", "x1_sq": "x1 * x1", "x2_sq": "x2 * x2", "x1x2": "x1 * x2",
    "sin_x1": "{lib}.sin(x1)", "sin_x2": "{lib}.sin(x2)",
}


def feature_columns(config: Config, lib: str) -> str:
    return ", ".join(FEATURE_CODE[name].format(lib=lib) for name in config.features)
