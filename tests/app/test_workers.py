"""Several workers: a session dropped on one resumes on another through Redis, bit for bit.

The workers are separate ``nnlive serve`` processes on their own ports, as replicas
behind a proxy would be; the test's client plays the proxy that sends the reconnect
elsewhere.
"""

from __future__ import annotations

import asyncio
import functools
import os
import socket

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from app.main import create_app
from tests.app import live
from tests.app.live import Client, LiveServer
from tests.app.redis_server import redis_server  # noqa: F401  (a fixture)
from tests.serve import ServerProcess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def two_workers(redis_server):  # noqa: F811
    args = ("--log-format", "json", "--redis-url", redis_server.url)
    with ServerProcess(*args) as a, ServerProcess(*args) as b:
        yield a, b


def _history(frames) -> list[dict]:
    """The whole curve from every frame's history (dropped frames' epochs repeat)."""
    by_epoch = {e["epoch"]: e for f in frames for e in f.header["history"]}
    return [by_epoch[e] for e in range(max(by_epoch) + 1)]


async def _pause(c: Client):
    await c.send("pause")
    status = await c.expect("status", state="paused")
    return status["epoch"], await c.frame(lambda f: f.header["epoch"] == status["epoch"])


def test_a_session_dropped_on_one_worker_resumes_on_another(two_workers, run):
    a, b = two_workers

    async def scenario():
        async with Client.connect(a.ws_url) as c:
            token = (await c.recv())["session"]
            dataset, _ = await c.start(seed=21, optimizer="adam", hidden=[3, 2])
            await c.frame(lambda f: f.header["epoch"] >= 12)
            epoch, before = await _pause(c)
            curve = _history(c.frames)
            c.ws.transport.abort()  # no close frame: a dropped connection
        async with Client.connect(f"{b.ws_url}?session={token}") as c:
            hello = await c.recv()
            assert hello["session"] == token and hello["resumed"] is True
            moved = await c.expect("dataset")
            assert moved["config"] == dataset["config"] and moved["train"] == dataset["train"]
            status = await c.expect("status")
            assert (status["epoch"], status["state"], status["resumed"]) == \
                (epoch, "paused", True)
            after = await c.frame()
            assert after.header["epoch"] == epoch
            assert after.header["weights"] == before.header["weights"]
            assert after.header["biases"] == before.header["biases"]
            assert after.header["history"] == curve  # the whole curve, as it was
            await c.send("step", epochs=5)           # trains on with adam's moments intact
            stepped = await c.frame(lambda f: f.header["epoch"] == epoch + 5)
            alone = httpx.post(f"{b.url}/api/train", timeout=30,
                               json={"config": dataset["config"], "epochs": epoch + 5}).json()
            assert stepped.header["weights"] == alone["final"]["weights"]
            keys = alone["history"][0].keys()  # the API's entries have no "penalty"
            assert [{k: e[k] for k in keys} for e in _history(c.frames)] == alone["history"]
            await c.send("resume")
            await c.frame(lambda f: f.header["epoch"] > epoch + 5)
            last_epoch, last = await _pause(c)
            c.ws.transport.abort()
        # back on a: its own copy (epoch `epoch`) is stale; b's newer state comes back
        async with Client.connect(f"{a.ws_url}?session={token}") as c:
            assert (await c.recv())["resumed"] is True
            status = await c.expect("status")
            assert status["epoch"] == last_epoch > epoch + 5
            assert (await c.frame()).header["weights"] == last.header["weights"]
            a.proc.terminate()  # a redeploy: a saves its sessions on the way out
            await c.ws.wait_closed()
            assert c.ws.close_code == 1012
        async with Client.connect(f"{b.ws_url}?session={token}") as c:
            assert (await c.recv())["resumed"] is True
            assert (await c.expect("status"))["epoch"] == last_epoch
        return token

    token = run(scenario(), timeout=40)
    metrics = httpx.get(f"{b.url}/metrics", timeout=5).text
    assert 'nnlive_sessions_opened_total{kind="claimed"} 2.0' in metrics
    a.proc.wait(10)
    assert token not in a.log() and token[:6] in a.log()  # logs: a prefix only


def test_without_a_shared_store_a_session_resumes_only_on_its_own_worker(run):
    """Two servers, each with its own store (two machines without Redis)."""
    with LiveServer() as a, LiveServer() as b:
        async def scenario():
            async with Client.connect(a.ws_url) as c:
                token = (await c.recv())["session"]
                await c.start(seed=3)
                epoch, before = await _pause(c)
                c.ws.transport.abort()
            async with Client.connect(f"{b.ws_url}?session={token}") as c:
                assert (await c.recv())["resumed"] is False
                assert (await c.expect("error"))["code"] == "unknown_session"
            async with Client.connect(f"{a.ws_url}?session={token}") as c:
                assert (await c.recv())["resumed"] is True
                assert (await c.frame()).header["weights"] == before.header["weights"]
        run(scenario())


def test_serve_with_several_workers_warns_only_without_a_store_and_serves():
    with ServerProcess("--log-format", "json", "--workers", "2") as server:
        assert "warning" not in server.log()  # they share the SQLite store
        assert httpx.get(f"{server.url}/metrics", timeout=5).status_code == 200
    with ServerProcess("--log-format", "json", "--workers", "2",
                       NNLIVE_STORE_PATH="none") as server:
        assert "with NNLIVE_STORE_PATH=none" in server.log()
        assert httpx.get(f"{server.url}/metrics", timeout=5).status_code == 200


def test_sessions_still_resume_on_their_own_worker_when_redis_is_away(monkeypatch, run):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(live, "create_app",
                        functools.partial(create_app, redis_url=f"redis://127.0.0.1:{port}/0"))
    with LiveServer() as server:
        async def scenario():
            async with Client.connect(server.ws_url) as c:
                token = (await c.recv())["session"]
                await c.start(seed=8)
                epoch, before = await _pause(c)
                c.ws.transport.abort()
            async with Client.connect(f"{server.ws_url}?session={token}") as c:
                assert (await c.recv())["resumed"] is True
                assert (await c.expect("status"))["epoch"] == epoch
                assert (await c.frame()).header["weights"] == before.header["weights"]
        run(scenario())
        errors = server.app.state.metrics.registry.get_sample_value
        assert errors("nnlive_store_errors_total", {"op": "owner"}) >= 1


async def _admitted(url: str, count: int, spacing: float) -> list[str]:
    """Open ``count`` sessions ``spacing`` seconds apart (the workers' heartbeats, once a
    second, tell each other what they hold); what each got: its session or a refusal."""
    answers, open_ = [], []
    for _ in range(count):
        try:
            client = await Client.connect(url).__aenter__()
        except InvalidStatus as exc:  # refused at the handshake (too many new sessions)
            answers.append(f"refused {exc.response.status_code}")
            await asyncio.sleep(spacing)
            continue
        open_.append(client)
        try:
            hello = await client.recv()
            await client.start(seed=1)
            answers.append(hello["type"])
        except Exception:  # closed: 1013
            answers.append(f"refused {client.ws.close_code} {client.ws.close_reason}")
        await asyncio.sleep(spacing)
    for client in open_:
        await client.ws.close()
    return answers


@pytest.mark.parametrize("setting, reason", [("NNLIVE_MAX_SESSIONS", "server full"),
                                             ("NNLIVE_MAX_SESSIONS_PER_CLIENT", "this address")])
def test_the_session_caps_hold_for_the_whole_server_across_its_workers(setting, reason, run):
    with ServerProcess("--workers", "2", **{setting: "4"}) as server:
        answers = run(_admitted(server.ws_url, 6, 2.5), timeout=90)
    assert answers[:4] == ["hello"] * 4
    assert all(a.startswith("refused 1013") and reason in a for a in answers[4:]), answers


def test_a_burst_of_new_sessions_is_shared_out_between_the_workers(run):
    with ServerProcess("--workers", "2", NNLIVE_SESSION_BURST="4",
                       NNLIVE_SESSION_RATE="0.01") as server:
        answers = run(_admitted(server.ws_url, 10, 0.0), timeout=60)
    assert 1 <= answers.count("hello") <= 4, answers  # the burst of the whole server
