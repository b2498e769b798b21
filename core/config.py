"""The one validator of the configuration (DESIGN.md's table is the contract).

``validate_config`` turns a JSON-like mapping into a frozen ``Config`` or raises
``ConfigError`` naming the field, what is allowed and what came. Nothing is
clamped or rounded: a value outside its range is refused. Readings taken where
DESIGN.md is silent are listed in docs/configuration.md.
"""

import json
import math
import numbers
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from core.config_checks import (
    ConfigError,
    check_choice,
    check_number,
    check_sequence,
    fail,
    show,
)
from core.features import FEATURE_FACTORS, FEATURES, canonical_features

DATASETS = ("circle", "xor", "gaussian", "spiral", "three_blobs", "plane",
            "multi_gaussian", "custom")
REGRESSION_DATASETS = frozenset({"plane", "multi_gaussian"})
CLASSIFICATION_ONLY_LOSSES = frozenset({"cross_entropy", "hinge"})
HOT_FIELDS = frozenset({"learning_rate", "regularization", "reg_rate", "batch_size", "optimizer"})
SEED_MAX = 2**32 - 1
MAX_HIDDEN_LAYERS, MAX_NEURONS = 6, 16
MIN_CUSTOM_ROWS, MAX_CUSTOM_ROWS = 4, 2000
COORD_LIMIT = 6.0


@dataclass(frozen=True)
class _Spec:
    """One row of DESIGN.md's table; ``lo``/``hi`` bound numbers or list lengths."""

    kind: str  # choice | integer | number | list | points
    default: Any
    description: str
    choices: tuple = ()
    lo: float | None = None
    hi: float | None = None
    lo_exclusive: bool = False


SPECS: dict[str, _Spec] = {
    "dataset": _Spec("choice", "circle", "Which data to learn.", DATASETS),
    "n_points": _Spec("integer", 500, "How many points in all (train and test).", lo=10, hi=2000),
    "noise": _Spec("number", 0, "Label noise or spread, in percent.", lo=0, hi=50),
    "train_ratio": _Spec("number", 50, "Percent of the points used for training.", lo=10, hi=90),
    "validation_ratio": _Spec("number", 0, "Percent of the training points held out for "
                              "validation: never trained on, used to choose between runs.",
                              lo=0, hi=50),
    "features": _Spec("list", ("x1", "x2"), "Inputs fed to the network.", tuple(FEATURES), 1,
                      len(FEATURES)),
    "hidden": _Spec("list", (4, 2), "Neurons in each hidden layer.", (), 0, MAX_HIDDEN_LAYERS),
    "activation": _Spec("choice", "tanh", "Activation of the hidden layers.",
                        ("sigmoid", "tanh", "relu", "linear")),
    "loss": _Spec("choice", "cross_entropy", "The data loss (regression default: mse).",
                  ("cross_entropy", "mse", "mae", "hinge")),
    "regularization": _Spec("choice", "none", "Penalty on the weights.", ("none", "l1", "l2")),
    "reg_rate": _Spec("number", 0, "Regularization strength lambda.", lo=0, hi=10),
    "learning_rate": _Spec("number", 0.03, "Step size of the optimizer.", lo=0, hi=10,
                           lo_exclusive=True),
    "batch_size": _Spec("integer", None, "Points per optimizer step "
                        "(default: min(10, training points)).", lo=1),
    "optimizer": _Spec("choice", "sgd", "How the gradient updates the weights.",
                       ("sgd", "momentum", "adam")),
    "seed": _Spec("integer", None, "Random seed of data and weights (chosen by the server "
                  "when missing).", lo=0, hi=SEED_MAX),
    "points": _Spec("points", None, "dataset=custom only: rows [x1, x2, label].",
                    lo=MIN_CUSTOM_ROWS, hi=MAX_CUSTOM_ROWS),
}
FIELD_NAMES: tuple[str, ...] = tuple(SPECS)


def _features(value: Any) -> tuple[str, ...]:
    items = check_sequence("features", value, 1, len(FEATURES), "feature names")
    for i, name in enumerate(items):
        check_choice(f"features[{i}]", name, tuple(FEATURES))
        if name in items[:i]:
            raise ConfigError(f"features[{i}]", f"features[{i}] repeats {show(name)}; each "
                              "feature may be given once.", "each feature at most once", name)
    return canonical_features(items)


def _hidden(value: Any) -> tuple[int, ...]:
    items = check_sequence("hidden", value, 0, MAX_HIDDEN_LAYERS, "layer sizes")
    return tuple(check_number(f"hidden[{i}]", n, 1, MAX_NEURONS, integer=True)
                 for i, n in enumerate(items))


def _points(value: Any) -> tuple[tuple[float, float, int], ...]:
    rows = check_sequence("points", value, MIN_CUSTOM_ROWS, MAX_CUSTOM_ROWS, "rows [x1, x2, label]")
    return tuple(_point_row(i, row) for i, row in enumerate(rows))


def _point_row(i: int, row: Any) -> tuple[float, float, int]:
    if not isinstance(row, (list, tuple)) or len(row) != 3:
        raise fail(f"points[{i}]", "a row [x1, x2, label]", row)
    x1, x2 = (check_number(f"points[{i}][{j}]", row[j], -COORD_LIMIT, COORD_LIMIT) for j in (0, 1))
    label = check_number(f"points[{i}][2]", row[2], 0, 2, integer=True,
                    allowed="a class label 0, 1 or 2")
    return (x1, x2, label)


# --- the configuration ----------------------------------------------------------------------

def n_train_for(n_points: int, train_ratio: float) -> int:
    """round(n_points · train_ratio / 100), halves rounded up, kept within [1, n_points − 1]."""
    n = math.floor(n_points * train_ratio / 100 + 0.5)
    return min(max(n, 1), n_points - 1)


def n_val_for(n_train: int, validation_ratio: float) -> int:
    """round(n_train · validation_ratio / 100), halves rounded up; with a ratio above 0,
    kept within [1, n_train − 1] so at least one row of each remains (0 when the ratio is 0)."""
    if validation_ratio == 0:
        return 0
    n = math.floor(n_train * validation_ratio / 100 + 0.5)
    return min(max(n, 1), n_train - 1)


@dataclass(frozen=True)
class Config:
    """A validated training configuration; field names are DESIGN.md's."""

    dataset: str
    n_points: int
    noise: float
    train_ratio: float
    validation_ratio: float
    features: tuple[str, ...]
    hidden: tuple[int, ...]
    activation: str
    loss: str
    regularization: str
    reg_rate: float
    learning_rate: float
    batch_size: int
    optimizer: str
    seed: int
    points: tuple[tuple[float, float, int], ...] | None = None

    @property
    def task(self) -> str:
        return "regression" if self.dataset in REGRESSION_DATASETS else "classification"

    @property
    def n_classes(self) -> int:
        """2 or 3 classes; 1 (one output value) for regression."""
        if self.task == "regression":
            return 1
        if self.dataset == "three_blobs":
            return 3
        if self.dataset == "custom" and any(row[2] == 2 for row in self.points or ()):
            return 3
        return 2

    @property
    def n_train(self) -> int:
        return n_train_for(self.n_points, self.train_ratio)

    @property
    def n_val(self) -> int:
        """The last ``n_val`` of the training rows are the validation set (never trained on)."""
        return n_val_for(self.n_train, self.validation_ratio)

    @property
    def n_fit(self) -> int:
        """The training rows the model is trained on: ``n_train − n_val``."""
        return self.n_train - self.n_val

    @property
    def n_test(self) -> int:
        return self.n_points - self.n_train

    def to_dict(self) -> dict:
        """The JSON form: lists for tuples, whole numbers as ints, points only for custom."""
        out = {}
        for name in FIELD_NAMES:
            value = getattr(self, name)
            if name == "points":
                if self.dataset == "custom":
                    out[name] = [[_plain(v) for v in row] for row in value]
            elif isinstance(value, tuple):
                out[name] = list(value)
            else:
                out[name] = _plain(value)
        return out

    def to_query(self) -> dict[str, str]:
        """Query-string values (the permalink); ``parse_query`` reads them back."""
        out = {}
        for name, value in self.to_dict().items():
            if name == "points":
                out[name] = json.dumps(value, separators=(",", ":"))
            elif isinstance(value, list):
                out[name] = ",".join(str(v) for v in value)
            else:
                out[name] = value if isinstance(value, str) else repr(value)
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --- validation -----------------------------------------------------------------------------

def validate_config(raw: Any, *, choose_seed: Callable[[], int] | None = None) -> Config:
    """A full ``Config`` from a JSON-like mapping; missing fields take their defaults.

    A missing seed is chosen by ``choose_seed()`` (default ``secrets.randbelow(2**32)``).
    Raises ``ConfigError`` for the first field that is refused.
    """
    if not isinstance(raw, Mapping):
        raise fail("config", "an object mapping field names to values", raw)
    _refuse_unknown(raw)
    dataset = check_choice("dataset", raw.get("dataset", "circle"), DATASETS)
    points, n_points = _size(raw, dataset)
    values: dict[str, Any] = {"dataset": dataset, "points": points, "n_points": n_points}
    for name in ("noise", "train_ratio", "validation_ratio", "reg_rate", "learning_rate"):
        spec = SPECS[name]
        values[name] = check_number(name, raw.get(name, spec.default), spec.lo, spec.hi,
                               lo_exclusive=spec.lo_exclusive)
    values["features"] = _features(raw.get("features", SPECS["features"].default))
    values["hidden"] = _hidden(raw.get("hidden", SPECS["hidden"].default))
    for name in ("activation", "regularization", "optimizer"):
        values[name] = check_choice(name, raw.get(name, SPECS[name].default), SPECS[name].choices)
    values["loss"] = _loss(raw, dataset)
    n_train = n_train_for(n_points, values["train_ratio"])
    _check_validation_room(values["validation_ratio"], n_train)
    values["batch_size"] = _batch_size(raw, n_train - n_val_for(n_train,
                                                               values["validation_ratio"]))
    values["seed"] = _seed(raw, choose_seed or (lambda: secrets.randbelow(2**32)))
    return Config(**values)


def _refuse_unknown(raw: Mapping) -> None:
    unknown = sorted(str(key) for key in raw if key not in SPECS)
    if unknown:
        allowed = ", ".join(FIELD_NAMES)
        raise ConfigError(unknown[0], f"{unknown[0]} is not a configuration field; the fields "
                          f"are {allowed}.", f"one of the fields {allowed}", unknown[0])


def _size(raw: Mapping, dataset: str) -> tuple[tuple | None, int]:
    """(points, n_points): the rows for custom (n_points = their count), else n_points."""
    given = raw.get("points")
    if dataset != "custom":
        if given is not None:
            raise ConfigError("points", f"points is only allowed with dataset custom; got "
                              f"points with dataset {dataset}.", "only with dataset custom",
                              given)
        spec = SPECS["n_points"]
        return None, check_number("n_points", raw.get("n_points", spec.default), spec.lo, spec.hi,
                             integer=True)
    if given is None:
        raise ConfigError("points", "points must be given when dataset is custom: a list of "
                          f"{MIN_CUSTOM_ROWS} to {MAX_CUSTOM_ROWS} rows [x1, x2, label].",
                          "a list of rows [x1, x2, label]", None)
    points = _points(given)
    n = raw.get("n_points", len(points))
    if isinstance(n, bool) or not isinstance(n, numbers.Real) or n != len(points):
        allowed = f"{len(points)}, the number of rows in points"
        raise fail("n_points", allowed, n)
    return points, len(points)


def _loss(raw: Mapping, dataset: str) -> str:
    regression = dataset in REGRESSION_DATASETS
    loss = check_choice("loss", raw.get("loss", "mse" if regression else "cross_entropy"),
                   SPECS["loss"].choices)
    if regression and loss in CLASSIFICATION_ONLY_LOSSES:
        raise ConfigError("loss", f"loss must be mse or mae for the regression dataset "
                          f"{dataset}; got {show(loss)}.", "mse or mae", loss)
    return loss


def _check_validation_room(validation_ratio: float, n_train: int) -> None:
    if validation_ratio > 0 and n_train < 2:
        raise ConfigError("validation_ratio", "validation_ratio must be 0 when there is only "
                          f"one training point (n_train = {n_train}): a validation split needs "
                          "at least one row for training and one for validation; got "
                          f"{show(validation_ratio)}.", "0 with a single training point",
                          validation_ratio)


def _batch_size(raw: Mapping, n_fit: int) -> int:
    """``n_fit``: the training points trained on (without the validation rows)."""
    if "batch_size" not in raw:
        return min(10, n_fit)
    allowed = f"an integer from 1 to {n_fit} (the number of training points)"
    return check_number("batch_size", raw["batch_size"], 1, n_fit, integer=True, allowed=allowed)


def _seed(raw: Mapping, choose_seed: Callable[[], int]) -> int:
    value = raw["seed"] if "seed" in raw else choose_seed()
    return check_number("seed", value, 0, SEED_MAX, integer=True)


def apply_update(config: Config, partial: Any) -> tuple[Config, bool]:
    """Merge ``partial`` onto ``config``, re-validate the whole, and say whether to restart.

    Follow-on rules (docs/configuration.md): leaving custom drops the old points;
    new custom points set n_points; a change of task without a loss takes the new
    task's default loss. Restart is needed when any field outside ``HOT_FIELDS`` changed.
    """
    if not isinstance(partial, Mapping):
        raise fail("config", "an object mapping field names to values", partial)
    _refuse_unknown(partial)
    merged = config.to_dict()
    merged.update(partial)
    dataset = merged.get("dataset")
    if dataset != "custom" and "points" not in partial:
        merged.pop("points", None)
    if dataset == "custom" and "n_points" not in partial and (
            "points" in partial or config.dataset != "custom"):
        merged.pop("n_points", None)
    new_task = ("regression" if isinstance(dataset, str) and dataset in REGRESSION_DATASETS
                else "classification")
    if new_task != config.task and "loss" not in partial:
        merged.pop("loss", None)
    new = validate_config(merged)
    restart = any(getattr(new, name) != getattr(config, name)
                  for name in FIELD_NAMES if name not in HOT_FIELDS)
    return new, restart


# --- query strings and schema ---------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _scalar(text: Any) -> Any:
    """A number if the text is one (ints stay ints), else the text unchanged."""
    if not isinstance(text, str) or not _NUMBER.fullmatch(text.strip()):
        return text
    try:
        return int(text)
    except ValueError:
        return float(text)


def parse_query(params: Mapping[str, str]) -> dict:
    """Query-string values to JSON-like values; only configuration fields are returned.

    ``hidden=4,2`` → ``[4, 2]``, ``hidden=`` → ``[]``, ``noise=10`` → ``10``,
    ``points`` is JSON text. Text that is not a number stays text, so the validator
    can name it in its error.
    """
    out: dict[str, Any] = {}
    for name, text in params.items():
        if name not in SPECS:
            continue
        kind = SPECS[name].kind
        if not isinstance(text, str):
            out[name] = text
        elif kind == "points":
            try:
                out[name] = json.loads(text)
            except ValueError:
                out[name] = text
        elif kind == "list":
            parts = [] if text.strip() == "" else [p.strip() for p in text.split(",")]
            out[name] = [_scalar(p) for p in parts] if name == "hidden" else parts
        elif kind in ("integer", "number"):
            out[name] = _scalar(text)
        else:
            out[name] = text
    return out


def config_schema() -> dict:
    """Every field: kind, choices or range, default, hot, description (JSON-ready)."""
    return {name: _field_schema(name, spec) for name, spec in SPECS.items()}


def _field_schema(name: str, spec: _Spec) -> dict:
    default = list(spec.default) if isinstance(spec.default, tuple) else spec.default
    entry = {"kind": spec.kind, "default": default, "hot": name in HOT_FIELDS,
             "description": spec.description}
    if spec.kind == "choice":
        entry["choices"] = list(spec.choices)
        if name == "dataset":
            entry["regression"] = [d for d in spec.choices if d in REGRESSION_DATASETS]
    elif spec.kind in ("integer", "number"):
        entry.update(min=spec.lo, max=spec.hi, min_exclusive=spec.lo_exclusive)
    elif name == "features":
        entry.update(choices=list(FEATURES), min_items=1, max_items=len(FEATURES),
                     factors={f: [list(factor) for factor in factors]
                              for f, factors in FEATURE_FACTORS.items()})
    elif name == "hidden":
        entry.update(min_items=0, max_items=MAX_HIDDEN_LAYERS, item_min=1, item_max=MAX_NEURONS)
    else:
        entry.update(min_rows=MIN_CUSTOM_ROWS, max_rows=MAX_CUSTOM_ROWS,
                     coordinate_min=-COORD_LIMIT, coordinate_max=COORD_LIMIT, labels=[0, 1, 2],
                     only_with={"dataset": "custom"})
    entry.update(_SCHEMA_NOTES.get(name, {}))
    return entry


_SCHEMA_NOTES = {
    "loss": {"default_regression": "mse", "regression_choices": ["mse", "mae"]},
    "batch_size": {"max": None, "max_rule": "n_train - n_val",
                   "default_rule": "min(10, n_train - n_val)"},
    "seed": {"default_rule": "chosen by the server when missing"},
    "n_points": {"custom_rule": "with dataset custom: the number of rows in points"},
    "train_ratio": {"n_train_rule": "floor(n_points * train_ratio / 100 + 0.5), "
                                    "kept within [1, n_points - 1]"},
    "validation_ratio": {"n_val_rule": "0 when validation_ratio is 0, else "
                                       "floor(n_train * validation_ratio / 100 + 0.5) kept within "
                                       "[1, n_train - 1]; the last n_val training rows"},
}
