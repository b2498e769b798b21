"""Message decoding, frame encoding, JSON without NaN, and settings validation."""

import json
import math

import numpy as np
import pytest

from app.protocol import (
    ProtocolError,
    decode_client_text,
    decode_frame,
    dumps,
    dumps_bytes,
    encode_frame,
    finite,
)
from app.settings import SettingsError, load_settings


def test_frame_round_trip_offsets_count_from_the_payload():
    header = {"epoch": 3, "grid": {"shape": [2, 2]}, "neurons": {"shape": [1, 1]}}
    frame = encode_frame(header, [("grid", b"\x00\x01\x02\x03"), ("neurons", b"\x09")])
    decoded, payload = decode_frame(frame)
    assert decoded["grid"] == {"shape": [2, 2], "offset": 0, "length": 4}
    assert decoded["neurons"]["offset"] == 4 and payload == b"\x00\x01\x02\x03\x09"
    assert int.from_bytes(frame[:4], "little") == len(frame) - 4 - 5


def test_json_never_carries_nan():
    value = {"a": math.nan, "b": [math.inf, -math.inf, 1.5], "c": (1, 2)}
    assert finite(value) == {"a": None, "b": [None, None, 1.5], "c": [1, 2]}
    assert "NaN" not in dumps(value) and "Infinity" not in dumps(value)


def test_json_takes_numpy_and_what_the_fast_encoder_refuses():
    arrays = {"w": np.array([[0.5, np.nan]]), "n": np.float32(0.25), "t": (1, np.inf)}
    assert json.loads(dumps_bytes(arrays)) == {"w": [[0.5, None]], "n": 0.25, "t": [1, None]}
    refused = {"big": 10**30, "text": "\ud800 lone", 3: "int key", "w": np.array([np.nan])}
    assert json.loads(dumps_bytes(refused)) == {"big": 10**30, "text": "\ud800 lone",
                                                "3": "int key", "w": [None]}


@pytest.mark.parametrize("text, code", [
    ("{", "bad_json"), ("3", "not_an_object"), ('{"type": 1}', "unknown_type"),
    ('{"type": "pause", "x": Infinity}', "bad_json"),
])
def test_decode_refusals(text, code):
    with pytest.raises(ProtocolError) as refused:
        decode_client_text(text)
    assert refused.value.code == code


def test_settings_from_environment():
    settings = load_settings({"NNLIVE_PORT": "9000", "NNLIVE_MAX_FPS": "20",
                              "NNLIVE_ALLOWED_ORIGINS": "https://a.example, https://b.example/"})
    assert settings.port == 9000 and settings.max_fps == 20
    assert settings.allowed_origins == ("https://a.example", "https://b.example")


@pytest.mark.parametrize("env, name", [
    ({"NNLIVE_PORT": "70000"}, "NNLIVE_PORT"),
    ({"NNLIVE_GRID_RESOLUTION": "10"}, "NNLIVE_GRID_RESOLUTION"),
    ({"NNLIVE_MAX_FPS": "nan"}, "NNLIVE_MAX_FPS"),
    ({"NNLIVE_ALLOWED_ORIGINS": "course.example"}, "NNLIVE_ALLOWED_ORIGINS"),
    ({"NNLIVE_MAX_FSP": "3"}, "NNLIVE_MAX_FSP"),
])
def test_settings_refusals_name_the_variable(env, name):
    with pytest.raises(SettingsError) as refused:
        load_settings(env)
    assert refused.value.name == name and name in str(refused.value)


def test_every_client_message_type_has_its_handler_and_nothing_else_does():
    from app.live.handlers import HANDLERS
    from app.protocol import CLIENT_FIELDS, CLIENT_TYPES

    assert HANDLERS.keys() == CLIENT_FIELDS.keys() and CLIENT_TYPES == tuple(CLIENT_FIELDS)


def test_run_states_are_their_own_names_not_error_codes():
    from app.live.run import RunState
    from app.protocol import DIVERGED as DIVERGED_CODE

    assert [s.value for s in RunState] == ["idle", "running", "paused", "diverged"]
    assert RunState.DIVERGED is not DIVERGED_CODE and json.dumps(RunState.PAUSED) == '"paused"'


def test_history_keys_are_the_entries_keys():
    from app.live.frames import HISTORY_KEYS
    from core.config import validate_config
    from core.trainer import Trainer

    assert tuple(Trainer(validate_config({"seed": 1})).history[0]) == HISTORY_KEYS
