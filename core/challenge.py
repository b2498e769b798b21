"""A class challenge: limits on a learner's network, and the leaderboard that ranks runs.

A challenge is "fit this data with at most N hidden neurons (in at most L hidden
layers); the lowest loss wins". Runs are ranked on **validation** loss, never on the
test set: a challenge's configuration holds rows out as a sweep's does
(``core.sweep.sweep_base``: 20 % when it holds none out), and every learner trains on the
same rows, since the data fields are locked for the challenge (``DATA_FIELDS``).

Everything here works on plain JSON-like values (a learner's resolved configuration as
``Config.to_dict()`` gives it, and its latest losses), so the server can check the limits
of runs trained anywhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.config import MAX_HIDDEN_LAYERS, MAX_NEURONS
from core.config_checks import check_number, fail
from core.sweep import DATA_FIELDS

RANKED_ON = "validation_loss"  # the loss a leaderboard compares (test loss only shown)
LIMITS = {  # limit → the largest value that still limits something
    "max_neurons": MAX_HIDDEN_LAYERS * MAX_NEURONS,
    "max_layers": MAX_HIDDEN_LAYERS,
}


@dataclass(frozen=True)
class Challenge:
    """``max_neurons``: hidden neurons of all layers together, at most; ``max_layers``:
    hidden layers, at most. ``None`` is no limit."""

    max_neurons: int | None = None
    max_layers: int | None = None

    def to_dict(self) -> dict:
        return {"max_neurons": self.max_neurons, "max_layers": self.max_layers,
                "ranked_on": RANKED_ON}


def parse_challenge(raw: Any) -> Challenge:
    """A challenge from JSON (``{"max_neurons": 8}``), or ``ConfigError`` naming the field
    (``challenge.max_neurons``)."""
    if not isinstance(raw, Mapping):
        raise fail("challenge", "an object such as {\"max_neurons\": 8}", raw)
    unknown = sorted(set(raw) - set(LIMITS))
    if unknown:
        raise fail(f"challenge.{unknown[0]}", "not a limit; the limits are "
                   + ", ".join(LIMITS), raw[unknown[0]])
    values = {}
    for name, top in LIMITS.items():
        value = raw.get(name)
        if value is not None:
            values[name] = check_number(f"challenge.{name}", value, 0 if name == "max_layers"
                                        else 1, top, integer=True)
    return Challenge(**values)


def violations(challenge: Challenge, config: Mapping, reference: Mapping) -> list[str]:
    """The limits ``config`` breaks: ``max_neurons``, ``max_layers``, or ``data`` when it
    does not train on the challenge's rows (``reference``'s data fields)."""
    hidden = list(config.get("hidden", ()))
    broken = []
    if challenge.max_neurons is not None and sum(hidden) > challenge.max_neurons:
        broken.append("max_neurons")
    if challenge.max_layers is not None and len(hidden) > challenge.max_layers:
        broken.append("max_layers")
    if any(config.get(f) != reference.get(f) for f in DATA_FIELDS):
        broken.append("data")
    return broken


def choice_loss(entry: Mapping) -> float | None:
    """The loss that chooses between runs: validation loss where the run holds rows out,
    else test loss (a class without a challenge sorted by loss)."""
    value = entry.get("validation_loss")
    return entry.get("test_loss") if value is None else value


def leaderboard(challenge: Challenge, reference: Mapping, runs: list[Mapping]) -> list[dict]:
    """Every run as ``{"id", "rank", "loss", "violations"}``, best first: runs within the
    limits by validation loss (rank 1, 2, …; equal losses share a rank; a missing or
    non-finite loss ranks after every number), then runs that break a limit (rank None).

    ``runs``: ``{"id", "config", "validation_loss"}`` mappings."""
    rows = [{"id": run["id"], "loss": _finite(run.get(RANKED_ON)),
             "violations": violations(challenge, run["config"], reference)} for run in runs]
    within = sorted((r for r in rows if not r["violations"]), key=_order)
    rank, previous = 0, object()
    for place, row in enumerate(within, start=1):
        if row["loss"] != previous:
            rank, previous = place, row["loss"]
        row["rank"] = rank
    broken = sorted((r for r in rows if r["violations"]), key=_order)
    for row in broken:
        row["rank"] = None
    return within + broken


def _finite(value: Any) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else None


def _order(row: dict) -> tuple:
    return (row["loss"] is None, row["loss"] or 0.0, str(row["id"]))

