"""Protocol fuzzing over a real ``nnlive serve``: thousands of random, malformed and
valid messages on a few sockets. Every message gets the answer docs/protocol.md owes,
the server stays up with a clean log, and the run keeps its weights and trains on."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.config import validate_config
from tests.reliability.conftest import MAX_MESSAGE_BYTES
from tests.reliability.messages import bad_values, structural
from tests.reliability.wire import drain, is_frame, is_text, next_text, open_socket, until

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
PROBE = {"type": "probe", "x": [1.5, -2.0], "label": 1}


def _start_paused(ws, config: dict) -> dict:
    """start, pause, wait until quiet; the paused status."""
    assert next_text(ws)["type"] == "hello"
    ws.send(json.dumps({"type": "start", "config": config}))
    until(ws, is_frame(lambda h: h["epoch"] >= 3))
    ws.send('{"type": "pause"}')
    status = until(ws, is_text("status", state="paused"))[-1]
    drain(ws)
    return status


def _probe(ws) -> dict:
    ws.send(json.dumps(PROBE))
    return next_text(ws)


def test_bad_messages_get_the_documented_error_and_change_nothing(proc_server):
    config = {"seed": 5}
    with open_socket(proc_server.ws_url) as ws:
        paused = _start_paused(ws, config)
        before = _probe(ws)
        current = validate_config(config)
        sent = []

        @FUZZ
        @given(st.lists(structural(MAX_MESSAGE_BYTES) | bad_values(current), min_size=4,
                        max_size=20))
        def fuzz(bads):
            for bad in bads:
                ws.send(bad.data)
            for bad in bads:
                error = next_text(ws)
                assert error["type"] == "error", (bad, error)
                assert (error["code"], error.get("field")) == (bad.code, bad.field), (bad, error)
                assert len(error["message"]) > 15
            sent.extend(bads)

        fuzz()
        assert len(sent) > 800
        assert {b.code for b in sent} >= {"bad_json", "not_an_object", "unknown_type",
                                          "invalid_field", "invalid_config",
                                          "binary_not_supported", "message_too_big"}
        after = _probe(ws)
        assert after == before  # same epoch, same weights: same forward pass, bit for bit
        assert drain(ws, 0.2) == []  # nothing else was owed
        ws.send('{"type": "resume"}')
        until(ws, is_frame(lambda h: h["epoch"] >= paused["epoch"] + 20
                           and h["generation"] == paused["generation"]))
    proc_server.assert_alive_and_clean()


# --- valid messages in random orders, against a model of the run's state --------------
valid = st.one_of(
    st.builds(lambda s, h: {"type": "start", "config": {"seed": s, "hidden": h}},
              st.integers(0, 2**32 - 1), st.lists(st.integers(1, 4), max_size=2)),
    st.builds(lambda lr: {"type": "update", "config": {"learning_rate": lr}},
              st.floats(0.001, 0.3)),
    st.builds(lambda h: {"type": "update", "config": {"hidden": h}},
              st.lists(st.integers(1, 4), max_size=2)),
    st.just({"type": "pause"}), st.just({"type": "resume"}), st.just({"type": "reset"}),
    st.builds(lambda n: {"type": "step", "epochs": n}, st.integers(1, 20)),
    st.builds(lambda v: {"type": "speed", "epochs_per_second": v}, st.integers(1, 300)),
    st.just({"type": "restore", "epoch": 0}),
    st.builds(lambda x1, x2, y: {"type": "probe", "x": [x1, x2], "label": y},
              st.floats(-6, 6), st.floats(-6, 6), st.integers(0, 1)),
)


class Model:
    """What the protocol says the run's state becomes, and which replies are owed."""

    def __init__(self):
        self.state, self.step_pending, self.hidden = "idle", False, None

    def expect(self, message: dict) -> tuple[list[str], str | None]:
        """(reply types, error code) for ``message``; updates the model."""
        kind = message["type"]
        if self.state == "idle" and kind != "start":
            return [], "no_run"
        hidden = message.get("config", {}).get("hidden")
        if kind == "start" or (kind == "update" and hidden not in (None, self.hidden)):
            self.state = "running" if kind == "start" or self.state == "running" else "paused"
            self.step_pending, self.hidden = False, hidden
            return ["dataset", "status"], None
        if kind == "step":
            if self.state != "paused":
                return [], "not_paused"
            self.step_pending = True
            return [], None  # its status comes when the epochs are done
        if kind in ("pause", "restore"):
            self.state = "paused"
        elif kind == "resume":
            self.state = "running"
        if kind in ("resume", "reset", "restore"):
            self.step_pending = False
        return (["probe"] if kind == "probe" else ["status"]), None


def _window(ws, marker: str) -> list[dict]:
    """Texts up to the marker's error (frames checked and skipped)."""
    texts = []
    while True:
        message = next_text(ws)
        if message["type"] == "error" and message.get("field") == marker:
            return texts
        texts.append(message)


def _check_window(texts: list[dict], message, owed: list[str], code: str | None,
                  model: Model, step_was_pending: bool) -> None:
    """The owed replies, in order, and nothing else but a pending step's late status."""
    def late_step_status(m):
        return (step_was_pending and m["type"] == "status" and m["state"] == "paused"
                and set(m) == {"type", "state", "epoch", "generation", "speed", "saving"})
    owed = ["error"] if code is not None else owed
    rest = [m for m in texts if not late_step_status(m)]
    if [m["type"] for m in rest] != owed:
        # a plain paused status (pause, speed…) looks like a late step's: one may be owed
        assert [m["type"] for m in rest] + ["status"] == owed, (message, owed, texts)
        assert len(rest) < len(texts) and model.state == "paused", (message, owed, texts)
    for m in rest:
        if m["type"] == "status":
            assert m["state"] == model.state, (message, model.state, texts)
        if m["type"] == "error":
            assert m["code"] == code, (message, code, texts)


def test_valid_messages_in_random_orders_are_answered_as_documented(proc_server):
    with open_socket(proc_server.ws_url) as ws:
        assert next_text(ws)["type"] == "hello"
        counter = iter(range(10**9))
        model = Model()

        @FUZZ
        @given(st.lists(valid | structural(MAX_MESSAGE_BYTES),
                        min_size=1, max_size=12))
        def fuzz(messages):
            for message in messages:
                marker = f"zz{next(counter)}"
                if isinstance(message, dict):
                    pending = model.step_pending
                    owed, code = model.expect(message)
                    # a step just accepted may end (and say so) before the marker's reply
                    pending = pending or model.step_pending
                    ws.send(json.dumps(message))
                else:  # a structural refusal: the state does not change
                    pending, owed, code = model.step_pending, [], message.code
                    ws.send(message.data)
                ws.send(json.dumps({"type": "pause", marker: 1}))  # answered by an error
                _check_window(_window(ws, marker), message, owed, code, model, pending)

        fuzz()
        assert model.state != "idle"
        ws.send('{"type": "speed", "epochs_per_second": 300}')  # the fuzz may have left 1
        ws.send('{"type": "resume"}')
        status = until(ws, is_text("status", state="running"))[-1]
        until(ws, is_frame(lambda h: h["epoch"] >= status["epoch"] + 20))
    proc_server.assert_alive_and_clean()
