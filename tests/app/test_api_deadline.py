"""``POST /api/train`` and ``/api/sweep`` stop their work at the deadline, hold their
worker slot until it has stopped, and refuse what cannot fit before starting
(issue 11, item 1)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

import app.routes.api
import app.training
import core.engine
import core.sweep
import core.trainer
from core import cost
from core.config import validate_config
from tests.app.live import Client, LiveServer

F7 = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
# the request: 16 learning rates of the heaviest configuration, 10,000 epochs
HEAVY = {"n_points": 2000, "train_ratio": 90, "batch_size": 1, "hidden": [16] * 6,
         "features": F7, "optimizer": "adam", "activation": "relu", "seed": 3}
RATES = [0.001 * (i + 1) for i in range(16)]
# cheap enough for its lower bound to fit a 1 s limit, too slow to finish in it
SLOW = {"n_points": 2000, "train_ratio": 90, "batch_size": 10, "hidden": [16] * 6,
        "features": F7, "seed": 3}
LIMIT = 1.0  # short, but longer than building 16 variants on a loaded machine


class StepCounter:
    """Counts mini-batch steps taken by sweeps and lone runs, from any thread."""

    def __init__(self, monkeypatch):
        self.steps, self.lock = 0, threading.Lock()
        # every mini-batch step of a lone run, a live stack or a sweep goes through here
        original = core.engine.Engine.step
        monkeypatch.setattr(core.engine.Engine, "step", self._counting(original))

    def _counting(self, original):
        def counted(obj, *args):
            with self.lock:
                self.steps += 1
            return original(obj, *args)
        return counted


def _epochs_in(limit: float, configs) -> int:
    """Epochs whose lower bound fits ``limit`` but whose real cost is far above it."""
    return max(2, cost.epochs_within(configs, limit * 0.9))


@pytest.mark.parametrize("path", ["/api/sweep", "/api/train"])
def test_work_stops_at_the_deadline_and_frees_its_slot_only_then(monkeypatch, path):
    counter = StepCounter(monkeypatch)
    configs = [validate_config({**SLOW, "learning_rate": r}) for r in RATES]
    if path == "/api/train":
        configs = configs[:1]
    epochs = _epochs_in(LIMIT, configs)
    body = {"config": SLOW, "epochs": epochs}
    if path == "/api/sweep":
        body["vary"] = {"field": "learning_rate", "values": RATES}
    with LiveServer(api_time_limit=LIMIT) as server:
        answer = httpx.post(server.url + path, json=body, timeout=30)
        assert answer.status_code == 422, answer.text[:300]
        limiter = server.app.state.api_limiter
        assert server.call(lambda: limiter.borrowed_tokens) == 0
        stopped_at = counter.steps
        assert stopped_at > 0
        time.sleep(0.5)  # an abandoned thread would go on stepping here
        assert counter.steps == stopped_at
        assert not server.app.state.sessions.sweep_budget.leases
    error = answer.json()["error"]
    assert (error["code"], error["field"]) == ("time_limit", "epochs")
    assert f"{LIMIT:g} s" in error["message"] and "at most" in error["message"]


@pytest.mark.parametrize("path", ["/api/sweep", "/api/train"])
def test_a_request_that_cannot_fit_is_refused_before_it_starts(monkeypatch, path):
    counter = StepCounter(monkeypatch)
    body = {"config": HEAVY, "epochs": 10_000}
    if path == "/api/sweep":
        body["vary"] = {"field": "learning_rate", "values": RATES}
    with LiveServer() as server:  # the default 20 s limit
        answer = httpx.post(server.url + path, json=body, timeout=30)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert (error["code"], error["field"]) == ("too_costly", "epochs")
    message = error["message"]
    assert "20 s" in message and "fewer than" in message and "batch_size" in message
    assert counter.steps == 0


def test_the_cost_estimate_is_a_lower_bound_of_what_is_measured():
    """A few epochs of a sweep and of a lone run take longer than the estimate says, so
    a refusal never turns away work that would have fitted."""
    for values in (RATES, RATES[:1]):
        configs = [validate_config({**SLOW, "learning_rate": r}) for r in values]
        run = core.sweep.SweepRun(configs) if len(configs) > 1 else None
        trainer = core.trainer.Trainer(configs[0]) if run is None else None
        began = time.perf_counter()
        if run is not None:
            run.train_epochs(3)
        else:
            trainer.train_epochs(3)
        spent = time.perf_counter() - began
        assert spent > cost.training_seconds(configs, 3)


def test_requests_beyond_the_workers_and_their_queue_are_told_to_come_back(monkeypatch):
    gate = threading.Event()
    original = app.routes.api.train_run

    def held(*args):
        gate.wait(10)
        return original(*args)

    monkeypatch.setattr(app.routes.api, "train_run", held)
    body = {"config": {"n_points": 20}, "epochs": 1}
    answers: list[int] = []
    with LiveServer() as server, httpx.Client(timeout=30) as client:
        def post():
            answers.append(client.post(server.url + "/api/train", json=body).status_code)

        threads = [threading.Thread(target=post)
                   for _ in range(app.training.WORKERS + app.training.MAX_WAITING + 2)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 10
        while answers.count(503) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        gate.set()
        for t in threads:
            t.join(30)
    workers, waiting = app.training.WORKERS, app.training.MAX_WAITING
    assert sorted(answers) == [200] * (workers + waiting) + [503, 503]


def test_while_learners_are_here_api_work_leaves_the_event_loop_its_share(monkeypatch, run):
    """A worker thread rests after each slice, (1 / DUTY − 1) times the slice, while live
    sessions are here; alone, it does not rest."""
    rests: list[float] = []
    clock = iter(range(10**9))  # the worker's slice clock: every slice takes 1 ms
    monkeypatch.setattr(app.training, "sleep", rests.append)
    monkeypatch.setattr(app.training, "perf_counter", lambda: next(clock) / 1000)
    body = {"config": {"n_points": 100}, "epochs": 50}
    with LiveServer() as server:
        assert httpx.post(server.url + "/api/train", json=body, timeout=30).status_code == 200
        assert rests == []

        async def with_a_learner():
            async with Client.connect(server.ws_url) as c:
                await c.start(seed=1)
                return httpx.post(server.url + "/api/train", json=body, timeout=30)
        answer = run(with_a_learner())
    assert answer.status_code == 200 and len(rests) > 3
    duty = app.training.API_SHARE / app.training.WORKERS
    assert rests == pytest.approx([0.001 * (1 / duty - 1)] * len(rests))
