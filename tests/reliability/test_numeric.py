"""Numeric faults over a real server: runs that blow up end in ``diverged`` with the last
finite weights, no frame or message ever carries NaN or Infinity (every message here is
parsed with a JSON parser that refuses them), and reset or restore recovers."""

from __future__ import annotations

import json

import pytest

from tests.reliability.wire import is_frame, is_text, next_text, open_socket, until

DIVERGING = {
    "learning rate 10 with L2 λ 10": {"learning_rate": 10, "regularization": "l2",
                                       "reg_rate": 10},
    "L2 λ 10 at learning rate 1": {"learning_rate": 1, "regularization": "l2", "reg_rate": 10},
    "regression, relu, learning rate 10": {"dataset": "multi_gaussian", "activation": "relu",
                                           "learning_rate": 10, "hidden": [16, 16, 16]},
}


def _send(ws, kind: str, **fields) -> None:
    ws.send(json.dumps({"type": kind, **fields}))


def _start(ws, config: dict) -> None:
    assert next_text(ws)["type"] == "hello"
    _send(ws, "start", config={"seed": 1, **config})
    _send(ws, "speed", epochs_per_second=0)


def _diverge(ws) -> list:
    """Messages up to the diverged status (and the frame that shows it)."""
    seen = until(ws, is_text("status", state="diverged"), timeout=20)
    assert "non-finite" in seen[-1]["reason"]
    seen += until(ws, is_frame(lambda h: h["state"] == "diverged"))
    return seen


def _recovers_with_small_rate(ws, generation: int) -> None:
    _send(ws, "update", config={"learning_rate": 0.03, "regularization": "none"})
    assert next_text(ws)["updated"]  # a hot update: weights kept
    _send(ws, "resume")
    until(ws, is_text("status", state="running"))
    frame = until(ws, is_frame(lambda h: h["epoch"] >= 30 and h["generation"] >= generation))
    assert frame[-1][1]["state"] == "running"


@pytest.mark.parametrize("config", DIVERGING.values(), ids=DIVERGING.keys())
def test_divergence_is_reported_without_nan_and_reset_recovers(proc_server, config):
    with open_socket(proc_server.ws_url) as ws:
        _start(ws, config)
        frames = [m[1] for m in _diverge(ws) if isinstance(m, tuple)]
        last = frames[-1]
        assert last["train_loss"] is not None and last["weights"]  # the last finite ones
        for kind, fields in (("resume", {}), ("step", {"epochs": 1})):
            _send(ws, kind, **fields)  # (the status of `speed` may still be on its way)
            assert until(ws, is_text("error"))[-1]["code"] == "diverged"
        _send(ws, "probe", x=[1, 1])
        until(ws, is_text("probe"))
        _send(ws, "reset")
        status = until(ws, is_text("status", reset=True))[-1]
        assert status["state"] == "paused" and status["epoch"] == 0
        zero = until(ws, is_frame(lambda h: h["generation"] == status["generation"]))[-1][1]
        assert zero["epoch"] == 0 and zero["state"] == "paused"
        assert [h["epoch"] for h in zero["history"]] == [0]
        _recovers_with_small_rate(ws, status["generation"])
    proc_server.assert_alive_and_clean()


def test_hot_update_to_a_wild_rate_diverges_and_restore_goes_back(proc_server):
    with open_socket(proc_server.ws_url) as ws:
        _start(ws, {"regularization": "l2", "reg_rate": 10, "learning_rate": 0.001})
        until(ws, is_frame(lambda h: h["epoch"] >= 20))
        _send(ws, "update", config={"learning_rate": 10})
        _diverge(ws)
        _send(ws, "restore", epoch=10)
        status = until(ws, is_text("status", state="paused"))[-1]
        assert 0 <= status["restored"] <= 10
        frame = until(ws, is_frame(lambda h: h["generation"] == status["generation"]))[-1][1]
        assert frame["epoch"] == status["restored"]
        _recovers_with_small_rate(ws, status["generation"])
    proc_server.assert_alive_and_clean()


def test_relu_with_huge_weights_keeps_frames_finite_and_the_log_quiet(proc_server):
    """relu 6×16 at learning rate 10 reaches |w| ≈ 1e158 in one epoch: finite (so not
    ``diverged``), but the float32 grids overflow; frames must stay valid JSON."""
    with open_socket(proc_server.ws_url) as ws:
        _start(ws, {"activation": "relu", "hidden": [16] * 6, "learning_rate": 10})
        frames = [m[1] for m in until(ws, is_frame(lambda h: h["epoch"] >= 50), timeout=20)
                  if isinstance(m, tuple)]
        huge = max(abs(w) for layer in frames[-1]["weights"] for row in layer for w in row)
        assert huge > 1e30
        assert frames[-1]["state"] in ("running", "diverged")
        _send(ws, "reset")
        status = until(ws, is_text("status", reset=True))[-1]
        zero = until(ws, is_frame(lambda h: h["generation"] == status["generation"]))[-1][1]
        assert zero["epoch"] == 0
        assert max(abs(w) for layer in zero["weights"] for row in layer for w in row) < 10
    proc_server.assert_alive_and_clean()
