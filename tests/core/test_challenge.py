"""Challenge limits and the leaderboard: validation loss chooses, limits are checked."""

import math

import pytest

from core.challenge import Challenge, choice_loss, leaderboard, parse_challenge, violations
from core.config import validate_config
from core.config_checks import ConfigError

SPIRAL = validate_config({"dataset": "spiral", "seed": 3, "validation_ratio": 20}).to_dict()


def _run(id, hidden, loss, **config):
    return {"id": id, "config": {**SPIRAL, "hidden": hidden, **config},
            "validation_loss": loss, "test_loss": 0.0}


def test_a_challenge_parses_its_limits_and_names_what_it_refuses():
    assert parse_challenge({"max_neurons": 8}) == Challenge(max_neurons=8)
    assert parse_challenge({}) == Challenge()
    assert parse_challenge({"max_layers": 0}).max_layers == 0
    for raw, field in [({"max_neurons": 0}, "challenge.max_neurons"),
                       ({"max_neurons": 2.5}, "challenge.max_neurons"),
                       ({"max_neurons": True}, "challenge.max_neurons"),
                       ({"max_layers": 7}, "challenge.max_layers"),
                       ({"fastest": 1}, "challenge.fastest"),
                       ([8], "challenge")]:
        with pytest.raises(ConfigError) as caught:
            parse_challenge(raw)
        assert caught.value.field == field
        assert field in caught.value.message


def test_limits_count_every_hidden_neuron_and_layer_and_the_data():
    eight = Challenge(max_neurons=8, max_layers=2)
    assert violations(eight, {**SPIRAL, "hidden": [4, 4]}, SPIRAL) == []
    assert violations(eight, {**SPIRAL, "hidden": []}, SPIRAL) == []
    assert violations(eight, {**SPIRAL, "hidden": [5, 4]}, SPIRAL) == ["max_neurons"]
    assert violations(eight, {**SPIRAL, "hidden": [2, 2, 2]}, SPIRAL) == ["max_layers"]
    other_data = {**SPIRAL, "hidden": [2], "seed": 4}
    assert violations(eight, other_data, SPIRAL) == ["data"]


def test_the_leaderboard_ranks_runs_within_limits_by_validation_loss():
    runs = [_run("a", [8], 0.30), _run("b", [4, 4], 0.10), _run("c", [16], 0.01),
            _run("d", [3], None), _run("e", [2], float("nan")), _run("f", [1], 0.30)]
    board = leaderboard(Challenge(max_neurons=8), SPIRAL, runs)
    assert [r["id"] for r in board] == ["b", "a", "f", "d", "e", "c"]
    assert [r["rank"] for r in board] == [1, 2, 2, 4, 4, None]  # equal losses share a rank
    assert board[-1]["violations"] == ["max_neurons"]
    assert board[3]["loss"] is None and board[4]["loss"] is None  # NaN is not a number here


def test_the_test_loss_never_chooses_on_the_leaderboard():
    runs = [{"id": "x", "config": {**SPIRAL, "hidden": [2]}, "validation_loss": 0.5,
             "test_loss": 0.01},
            {"id": "y", "config": {**SPIRAL, "hidden": [2]}, "validation_loss": 0.2,
             "test_loss": 0.9}]
    assert [r["id"] for r in leaderboard(Challenge(), SPIRAL, runs)] == ["y", "x"]


def test_the_loss_that_chooses_is_validation_where_rows_are_held_out():
    assert choice_loss({"validation_loss": 0.2, "test_loss": 0.1}) == 0.2
    assert choice_loss({"validation_loss": None, "test_loss": 0.1}) == 0.1
    assert math.isnan(choice_loss({"validation_loss": float("nan"), "test_loss": 0.1}))
