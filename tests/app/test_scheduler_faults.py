"""A failure inside one run pauses that run alone; the scheduler and the others go on."""

import logging

import pytest

import app.live.scheduler as scheduler_module
from tests.app.live import Client, LiveServer


@pytest.fixture
def quiet_scheduler_log():
    """The failures below are on purpose; keep their tracebacks out of the output."""
    log = logging.getLogger("nnlive.scheduler")
    level, log.level = log.level, logging.CRITICAL
    yield
    log.setLevel(level)


def _break_trainer(server: LiveServer, token: str) -> None:
    def failing(*_args, **_kwargs):
        raise RuntimeError("injected failure")

    server.call(lambda: setattr(server.app.state.sessions.sessions[token].trainer,
                                "train_epochs", failing))


def test_a_failing_run_is_paused_and_told_while_others_train(run, quiet_scheduler_log):
    async def scenario(server):
        async with Client.connect(server.ws_url) as bad, Client.connect(server.ws_url) as good:
            token = (await bad.recv())["session"]
            await good.recv()
            await bad.start(seed=1, hidden=[3])  # its own shape: it trains alone
            await good.start(seed=2)
            _break_trainer(server, token)
            error = await bad.expect("error", code="internal_error")
            assert "paused" in error["message"]
            status = await bad.expect("status", state="paused")
            assert status["reason"] == "internal_error"
            seen = (await good.frame()).header["epoch"]
            await good.frame(lambda f: f.header["epoch"] > seen + 5)
            await bad.send("probe", x=[1.0, 1.0])  # the faulted session still answers
            assert (await bad.expect("probe"))["type"] == "probe"

    with LiveServer() as server:
        run(scenario(server))


def test_a_failing_stack_keeps_each_run_at_a_finished_epoch(run, monkeypatch,
                                                           quiet_scheduler_log):
    real = scheduler_module.train_together
    calls = {"n": 0}

    def fails_once(trainers, epochs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("injected failure")
        return real(trainers, epochs)

    monkeypatch.setattr(scheduler_module, "train_together", fails_once)

    async def scenario(server):
        async with Client.connect(server.ws_url) as a, Client.connect(server.ws_url) as b:
            await a.recv()
            await b.recv()
            await a.start(seed=1)
            await b.start(seed=2)
            for client in (a, b):
                await client.expect("error", code="internal_error")
                status = await client.expect("status", state="paused")
                frame = await client.frame(lambda f: f.header["state"] == "paused")
                assert frame.header["epoch"] == status["epoch"]
                await client.send("resume")
                await client.frame(lambda f, e=status["epoch"]: f.header["epoch"] > e + 3)

    with LiveServer() as server:
        run(scenario(server))
