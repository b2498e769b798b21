"""The teacher's answers, built from a class's record and its learners' tiles.

``summary`` is the contract's ``GET /api/classes/{code}``; ``wall`` adds what the wall
draws: thumbnails, the counts of running, paused and diverged runs, and, for a
challenge, the leaderboard (``core.challenge``: limits checked here, on the server;
runs ranked on validation loss).
"""

from __future__ import annotations

from app.classroom.records import ClassRecord
from core.challenge import Challenge, leaderboard

STATES = ("running", "paused", "diverged", "idle")


def learner(tile: dict) -> dict:
    """One learner as the contract lists it (and a few more keys)."""
    return {"name": tile["name"], "session_prefix": tile["id"], "state": tile["state"],
            "epoch": tile["epoch"], "train_loss": tile["train_loss"],
            "test_loss": tile["test_loss"], "validation_loss": tile["validation_loss"],
            "config": tile["config"], "attached": tile["attached"]}


def summary(record: ClassRecord, tiles: list[dict]) -> dict:
    tiles = sorted(tiles, key=lambda t: (t["name"].casefold(), t["id"]))
    return {**record.public(), "learners": [learner(t) for t in tiles]}


def wall(record: ClassRecord, tiles: list[dict]) -> dict:
    """Everything the wall draws, each learner with its thumbnail (``grid``), its
    ``rank`` and the limits it breaks when there is a challenge."""
    answer = summary(record, tiles)
    by_id = {t["id"]: t for t in tiles}
    for entry in answer["learners"]:
        tile = by_id[entry["session_prefix"]]
        entry.update(grid=tile["grid"], data=tile["data"], generation=tile["generation"])
    answer["counts"] = counts(tiles)
    answer["leaderboard"] = _leaderboard(record, tiles)
    if answer["leaderboard"] is not None:
        places = {row["id"]: row for row in answer["leaderboard"]}
        for entry in answer["learners"]:
            row = places.get(entry["session_prefix"])
            entry["rank"] = row["rank"] if row else None
            entry["violations"] = row["violations"] if row else ["no_run"]
    return answer


def counts(tiles: list[dict]) -> dict:
    """How many runs are running, paused, diverged, not started; ``away``: the learners
    whose page is closed or offline (their runs wait for them, paused)."""
    found = {state: 0 for state in STATES}
    for tile in tiles:
        found[tile["state"]] = found.get(tile["state"], 0) + 1
    found["away"] = sum(1 for t in tiles if not t["attached"])
    return found


def _leaderboard(record: ClassRecord, tiles: list[dict]) -> list[dict] | None:
    if record.challenge is None or record.config is None:
        return None
    limits = {k: v for k, v in record.challenge.items() if k in ("max_neurons", "max_layers")}
    reference = {k: v for k, v in record.config.items() if k != "points"}  # as tiles carry it
    runs = [{"id": t["id"], "config": t["config"], "validation_loss": t["validation_loss"]}
            for t in tiles if t["config"] is not None]
    return leaderboard(Challenge(**limits), reference, runs)
