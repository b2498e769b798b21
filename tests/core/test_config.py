"""The configuration validator against DESIGN.md's table."""

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.config import (
    FIELD_NAMES,
    HOT_FIELDS,
    Config,
    ConfigError,
    apply_update,
    config_schema,
    parse_query,
    validate_config,
)
from core.features import FEATURES


def valid(**fields) -> Config:
    return validate_config({"seed": 7, **fields})


def refused(raw, *, seed=7) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        validate_config(raw if "seed" in raw else {**raw, "seed": seed})
    return info.value


def square(n: int) -> list[list]:
    """n custom rows inside the square, labels alternating 0/1."""
    return [[(i % 12) - 6 + 0.5, 6 - (i % 7), i % 2] for i in range(n)]


# (field, bad value, the field the error must name)
BAD_VALUES = [
    ("dataset", "moons", "dataset"), ("dataset", 1, "dataset"), ("dataset", None, "dataset"),
    ("n_points", 9, "n_points"), ("n_points", 2001, "n_points"), ("n_points", 100.5, "n_points"),
    ("n_points", "500", "n_points"), ("n_points", True, "n_points"),
    ("noise", -1, "noise"), ("noise", 50.01, "noise"), ("noise", "0", "noise"),
    ("train_ratio", 9.99, "train_ratio"), ("train_ratio", 91, "train_ratio"),
    ("validation_ratio", -1, "validation_ratio"), ("validation_ratio", 50.5, "validation_ratio"),
    ("validation_ratio", "20", "validation_ratio"),
    ("features", [], "features"), ("features", "x1,x2", "features"),
    ("features", ["x1", "x3"], "features[1]"), ("features", ["x2", "x2"], "features[1]"),
    ("features", [1], "features[0]"),
    ("hidden", [4] * 7, "hidden"), ("hidden", [4, 0], "hidden[1]"), ("hidden", [17], "hidden[0]"),
    ("hidden", [1, 2, 2.5], "hidden[2]"), ("hidden", "4,2", "hidden"),
    ("hidden", [True], "hidden[0]"),
    ("activation", "softplus", "activation"), ("activation", "Tanh", "activation"),
    ("loss", "log", "loss"), ("regularization", "l3", "regularization"),
    ("regularization", None, "regularization"),
    ("reg_rate", 11, "reg_rate"), ("reg_rate", -0.001, "reg_rate"),
    ("learning_rate", 0, "learning_rate"), ("learning_rate", -0.1, "learning_rate"),
    ("learning_rate", 10.5, "learning_rate"),
    ("batch_size", 0, "batch_size"), ("batch_size", 251, "batch_size"),
    ("batch_size", 2.5, "batch_size"),
    ("optimizer", "rmsprop", "optimizer"),
    ("seed", -1, "seed"), ("seed", 2**32, "seed"), ("seed", 1.5, "seed"), ("seed", "7", "seed"),
    ("points", [[0, 0, 0]] * 4, "points"),
]


@pytest.mark.parametrize(("field", "value", "named"), BAD_VALUES)
def test_bad_value_is_refused_naming_its_field(field, value, named):
    error = refused({field: value}, seed=7) if field != "seed" else refused({"seed": value})
    assert error.field == named
    assert error.message.startswith(named)
    assert error.message.endswith(".")
    body = error.to_dict()
    assert body["code"] == "invalid_config" and body["field"] == named
    json.dumps(body, allow_nan=False)


def test_every_field_has_a_bad_value_in_the_table():
    assert {field for field, _, _ in BAD_VALUES} == set(FIELD_NAMES)


def test_message_says_allowed_and_received():
    error = refused({"reg_rate": 11})
    assert error.message == "reg_rate must be a number from 0 to 10; got 11."
    assert error.allowed == "a number from 0 to 10" and error.received == 11


@pytest.mark.parametrize("field", ["n_points", "noise", "train_ratio", "reg_rate",
                                   "learning_rate", "batch_size", "seed"])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, True, False])
def test_non_finite_and_booleans_are_not_numbers(field, value):
    error = refused({field: value}) if field != "seed" else refused({"seed": value})
    assert error.field == field
    json.dumps(error.to_dict(), allow_nan=False)


def test_unknown_field_is_refused():
    error = refused({"lr": 0.1})
    assert error.field == "lr"
    assert "not a configuration field" in error.message and "learning_rate" in error.message


def test_not_a_mapping_is_refused():
    with pytest.raises(ConfigError) as info:
        validate_config([("dataset", "circle")])
    assert info.value.field == "config"


def test_defaults():
    config = validate_config({}, choose_seed=lambda: 12345)
    assert config.to_dict() == {
        "dataset": "circle", "n_points": 500, "noise": 0, "train_ratio": 50, "validation_ratio": 0,
        "features": ["x1", "x2"], "hidden": [4, 2], "activation": "tanh",
        "loss": "cross_entropy", "regularization": "none", "reg_rate": 0,
        "learning_rate": 0.03, "batch_size": 10, "optimizer": "sgd", "seed": 12345,
    }
    assert (config.task, config.n_classes, config.n_train, config.n_test) == (
        "classification", 2, 250, 250)


def test_missing_seed_is_chosen_in_range_and_echoed():
    seeds = {validate_config({}).seed for _ in range(5)}
    assert all(0 <= s < 2**32 for s in seeds) and len(seeds) > 1


def test_whole_floats_count_as_integers_and_numbers_keep_their_value():
    config = valid(n_points=300.0, hidden=[3.0], noise=12.5, train_ratio=70)
    assert config.n_points == 300 and isinstance(config.n_points, int)
    assert config.hidden == (3,) and isinstance(config.hidden[0], int)
    assert config.noise == 12.5 and config.to_dict()["train_ratio"] == 70


def test_nothing_is_clamped_at_the_edges():
    config = valid(n_points=10, noise=50, train_ratio=90, reg_rate=10, learning_rate=10,
                   seed=2**32 - 1, hidden=[16] * 6)
    assert (config.n_points, config.noise, config.learning_rate) == (10, 50.0, 10.0)
    assert valid(hidden=[]).hidden == ()


def test_features_are_stored_in_canonical_order():
    config = valid(features=["sin_x2", "x1x2", "x1"])
    assert config.features == ("x1", "x1x2", "sin_x2")
    assert valid(features=list(reversed(FEATURES))).features == tuple(FEATURES)


@pytest.mark.parametrize("dataset", ["plane", "multi_gaussian"])
def test_regression_defaults_to_mse_and_refuses_classification_losses(dataset):
    config = valid(dataset=dataset)
    assert (config.loss, config.task, config.n_classes) == ("mse", "regression", 1)
    assert valid(dataset=dataset, loss="mae").loss == "mae"
    for loss in ("cross_entropy", "hinge"):
        assert refused({"dataset": dataset, "loss": loss}).field == "loss"


def test_three_blobs_has_three_classes():
    assert valid(dataset="three_blobs").n_classes == 3


@pytest.mark.parametrize(("n_points", "ratio", "n_train"), [
    (500, 50, 250), (301, 50, 151), (15, 30, 5), (10, 10, 1), (10, 90, 9), (11, 50, 6)])
def test_n_train_rounds_half_up_and_stays_inside(n_points, ratio, n_train):
    config = valid(n_points=n_points, train_ratio=ratio)
    assert config.n_train == n_train and config.n_test == n_points - n_train


def test_batch_size_default_and_upper_bound_follow_n_train():
    assert valid(n_points=10, train_ratio=30).batch_size == 3
    assert valid(n_points=10, train_ratio=30, batch_size=3).batch_size == 3
    error = refused({"n_points": 10, "train_ratio": 30, "batch_size": 4})
    assert error.field == "batch_size" and "from 1 to 3" in error.message


# --- custom points ---------------------------------------------------------------------------

def test_custom_points_set_n_points_and_classes():
    config = valid(dataset="custom", points=square(40))
    assert config.n_points == 40 and config.n_classes == 2
    assert config.points[0] == (-5.5, 6.0, 0) and isinstance(config.points[0][2], int)
    three = valid(dataset="custom", points=[*square(4), [0, 0, 2]])
    assert three.n_classes == 3 and three.n_points == 5
    assert valid(dataset="custom", points=square(4), n_points=4).n_points == 4


def test_custom_labels_accept_whole_floats():
    config = valid(dataset="custom", points=[[0, 0, 1.0], [1, 1, 0.0], [2, 2, 1], [3, 3, 0]])
    assert [row[2] for row in config.points] == [1, 0, 1, 0]


@pytest.mark.parametrize(("points", "named"), [
    (None, "points"), ("0,0,1", "points"), (square(3), "points"), (square(2001), "points"),
    ([*square(3), [0, 0]], "points[3]"), ([*square(3), [6.5, 0, 1]], "points[3][0]"),
    ([*square(3), [0, math.nan, 1]], "points[3][1]"), ([*square(3), [0, 0, 3]], "points[3][2]"),
    ([*square(3), [0, 0, 0.5]], "points[3][2]"), ([*square(3), [0, 0, True]], "points[3][2]"),
    ([*square(3), [0, 0, -1]], "points[3][2]"), ([*square(3), ["1", 0, 0]], "points[3][0]"),
])
def test_custom_points_rules(points, named):
    raw = {"dataset": "custom"} if points is None else {"dataset": "custom", "points": points}
    assert refused(raw).field == named


def test_custom_n_points_must_match_the_rows():
    assert refused({"dataset": "custom", "points": square(12), "n_points": 500}).field == "n_points"


def test_points_with_another_dataset_is_refused():
    assert refused({"dataset": "circle", "points": square(10)}).field == "points"


def test_points_only_in_the_json_of_custom():
    assert "points" not in valid().to_dict()
    assert valid(dataset="custom", points=square(4)).to_dict()["points"] == square(4)


# --- updates ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("partial", "restart"), [
    ({}, False), ({"learning_rate": 0.3}, False),
    ({"regularization": "l2", "reg_rate": 0.1}, False),
    ({"batch_size": 25}, False), ({"optimizer": "adam"}, False), ({"learning_rate": 0.03}, False),
    ({"seed": 8}, True), ({"hidden": [3]}, True), ({"activation": "relu"}, True),
    ({"noise": 10}, True), ({"features": ["x2", "x1"]}, False), ({"features": ["x1"]}, True),
    ({"dataset": "xor"}, True), ({"loss": "mse"}, True), ({"train_ratio": 60}, True),
])
def test_apply_update_hot_versus_restart(partial, restart):
    config = valid()
    updated, needs_restart = apply_update(config, partial)
    assert needs_restart is restart
    assert updated.to_dict() == {**config.to_dict(), **partial,
                                 "features": list(updated.features)}


def test_hot_fields_are_the_designs():
    assert HOT_FIELDS == {"learning_rate", "regularization", "reg_rate", "batch_size",
                          "optimizer"}


def test_apply_update_refuses_unknown_and_bad_values_keeping_nothing():
    config = valid()
    for partial, named in [({"momentum": 0.9}, "momentum"), ({"reg_rate": 11}, "reg_rate"),
                           ({"seed": None}, "seed")]:
        with pytest.raises(ConfigError) as info:
            apply_update(config, partial)
        assert info.value.field == named


def test_resize_that_no_longer_fits_batch_size_names_it():
    config = valid(batch_size=200)
    with pytest.raises(ConfigError) as info:
        apply_update(config, {"n_points": 100})
    assert info.value.field == "batch_size"
    updated, restart = apply_update(config, {"n_points": 100, "batch_size": 50})
    assert (updated.batch_size, updated.n_train, restart) == (50, 50, True)


def test_task_change_takes_the_new_default_loss_unless_given():
    config = valid(loss="hinge")
    regression, _ = apply_update(config, {"dataset": "plane"})
    assert regression.loss == "mse"
    assert apply_update(config, {"dataset": "plane", "loss": "mae"})[0].loss == "mae"
    assert apply_update(regression, {"dataset": "circle"})[0].loss == "cross_entropy"
    assert apply_update(config, {"dataset": "xor"})[0].loss == "hinge"


def test_update_into_and_out_of_custom():
    config = valid()
    custom, restart = apply_update(config, {"dataset": "custom", "points": square(30)})
    assert (custom.n_points, custom.n_train, restart) == (30, 15, True)
    redrawn, _ = apply_update(custom, {"points": square(20)})
    assert redrawn.n_points == 20
    back, _ = apply_update(custom, {"dataset": "circle"})
    assert back.points is None and back.n_points == 30
    with pytest.raises(ConfigError) as info:
        apply_update(config, {"dataset": "custom"})
    assert info.value.field == "points"


# --- query strings and schema ----------------------------------------------------------------

def test_parse_query_values():
    parsed = parse_query({"hidden": "4,2", "features": "x2,x1", "noise": "10", "lang": "zh",
                          "learning_rate": "0.3", "n_points": "abc", "seed": "1e3"})
    assert parsed == {"hidden": [4, 2], "features": ["x2", "x1"], "noise": 10,
                      "learning_rate": 0.3, "n_points": "abc", "seed": 1000.0}
    assert parse_query({"hidden": ""}) == {"hidden": []}
    assert valid(**parse_query({"hidden": "", "seed": "7"})).hidden == ()
    assert refused(parse_query({"n_points": "abc"})).field == "n_points"
    assert refused(parse_query({"hidden": "4,x"})).field == "hidden[1]"


@pytest.mark.parametrize("fields", [
    {}, {"dataset": "plane", "noise": 12.5, "learning_rate": 0.001, "hidden": []},
    {"dataset": "three_blobs", "features": ["sin_x1", "x1"], "train_ratio": 33.3,
     "optimizer": "adam", "regularization": "l1", "reg_rate": 0.003, "seed": 2**32 - 1},
    {"dataset": "custom", "points": [[0.1, -5.9, 0], [1e-7, 2, 1], [3, 3, 2], [6, -6, 1]]},
])
def test_parse_query_round_trips_to_dict(fields):
    config = valid(**fields)
    assert validate_config(parse_query(config.to_query())) == config
    assert validate_config(config.to_dict()) == config
    assert json.loads(json.dumps(config.to_dict())) == config.to_dict()


def test_schema_covers_every_field():
    schema = config_schema()
    assert list(schema) == list(FIELD_NAMES)
    json.dumps(schema, allow_nan=False)
    for name, entry in schema.items():
        assert entry["kind"] in {"choice", "integer", "number", "list", "points"}
        assert entry["hot"] is (name in HOT_FIELDS)
        assert entry["description"]
        if entry["kind"] == "choice":
            assert valid(**{name: entry["choices"][0]})
    assert schema["learning_rate"]["min_exclusive"] is True
    assert schema["reg_rate"] == {**schema["reg_rate"], "min": 0, "max": 10, "default": 0}
    assert schema["features"]["choices"] == list(FEATURES)
    assert schema["dataset"]["regression"] == ["plane", "multi_gaussian"]  # the pages' taskOf
    assert all(valid(dataset=d).task == "regression" for d in schema["dataset"]["regression"])
    assert {valid(dataset=d).task for d in schema["dataset"]["choices"]
            if d not in schema["dataset"]["regression"] and d != "custom"} == {"classification"}


# --- property: never another exception ------------------------------------------------------

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                         st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
                         st.sampled_from(["circle", "custom", "plane", "x1", "adam", "l2", "mse"]))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=6), max_leaves=30)
field_values = st.dictionaries(st.sampled_from([*FIELD_NAMES, "bogus"]), json_values, max_size=8)


@settings(max_examples=300, deadline=None)
@given(field_values)
def test_validate_config_gives_a_config_or_a_config_error(raw):
    try:
        config = validate_config(raw, choose_seed=lambda: 1)
    except ConfigError as error:
        assert error.field and error.message.endswith(".")
        json.dumps(error.to_dict(), allow_nan=False)
    else:
        assert isinstance(config, Config)
        assert validate_config(config.to_dict()) == config


@pytest.mark.parametrize("value", [10**30, -10**40, 10**5000, 2**63],
                         ids=["1e30", "-1e40", "1e5000", "2^63"])
def test_huge_integers_are_refused_with_a_short_message(value):
    error = refused({"seed": value})
    assert error.field == "seed" and len(error.message) < 120
    json.dumps(error.to_dict(), allow_nan=False)


@pytest.mark.parametrize(("n_points", "train_ratio", "ratio", "n_val"), [
    (500, 50, 0, 0), (500, 50, 20, 50), (500, 50, 50, 125), (10, 30, 50, 2),
    (10, 20, 10, 1),   # round(0.2) is 0, but a split above 0 keeps at least one row
    (10, 20, 50, 1),   # round(1.0) is 1, and one training row must remain
])
def test_validation_rows_are_a_rounded_share_of_the_training_rows(n_points, train_ratio,
                                                                  ratio, n_val):
    config = valid(n_points=n_points, train_ratio=train_ratio, validation_ratio=ratio)
    assert config.n_val == n_val
    assert config.n_fit == config.n_train - n_val >= 1


def test_batch_size_is_bounded_by_the_rows_trained_on():
    assert valid(validation_ratio=20, batch_size=200).batch_size == 200
    error = refused({"validation_ratio": 20, "batch_size": 201})
    assert error.field == "batch_size" and "200" in error.message
    assert valid(n_points=10, train_ratio=30, validation_ratio=50).batch_size == 1


def test_a_validation_split_needs_two_training_rows():
    error = refused({"n_points": 10, "train_ratio": 10, "validation_ratio": 10})
    assert error.field == "validation_ratio"
    assert valid(n_points=10, train_ratio=10, validation_ratio=0).n_val == 0
