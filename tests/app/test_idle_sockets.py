"""A socket that never starts, or goes quiet for long, frees its place (issue 11, item 4)."""

from __future__ import annotations

import asyncio
import time

import httpx
from websockets.exceptions import ConnectionClosed

from tests.app.live import Client, LiveServer


async def _closed(c: Client, timeout: float = 10) -> tuple[int, str]:
    """Read until the server closes; its close code and reason."""
    try:
        while True:
            await c.recv(timeout)
    except ConnectionClosed as exc:
        return exc.rcvd.code, exc.rcvd.reason


def _sessions(server) -> int:
    return httpx.get(server.url + "/healthz").json()["sessions"]


def test_sockets_that_never_start_give_their_places_to_newcomers(run):
    with LiveServer(max_sessions=3, start_seconds=0.5) as server:
        async def scenario():
            idle = [await Client.connect(server.ws_url).__aenter__() for _ in range(3)]
            for c in idle:
                hello = await c.recv()
                assert hello["type"] == "hello" and hello["limits"]["start_seconds"] == 0.5
            async with Client.connect(server.ws_url) as refused:
                code, reason = await _closed(refused)
                assert (code, reason) == (1013, "server full: 3 sessions; try again later")
            began = time.monotonic()
            for c in idle:
                code, reason = await _closed(c)
                assert (code, reason) == (4002, "no start within 0.5 s")
            assert time.monotonic() - began < 5
            assert _sessions(server) == 0
            async with Client.connect(server.ws_url) as newcomer:
                await newcomer.recv()
                await newcomer.start(seed=1)
                await newcomer.frame(lambda f: f.header["epoch"] >= 2)
        run(scenario(), timeout=30)


def test_a_session_quiet_for_the_idle_time_is_closed_and_freed(run):
    with LiveServer(idle_seconds=1.5, start_seconds=0.5) as server:
        async def scenario():
            async with Client.connect(server.ws_url) as quiet, \
                    Client.connect(server.ws_url) as talking:
                for c in (quiet, talking):
                    await c.recv()
                    await c.start(seed=2)  # started: the start limit no longer applies
                await asyncio.sleep(0.8)
                assert _sessions(server) == 2
                for _ in range(8):  # a learner who keeps using the page stays
                    await talking.send("speed", epochs_per_second=60)
                    await asyncio.sleep(0.3)
                code, reason = await _closed(quiet)
                assert (code, reason) == (4002, "idle: no message for 1.5 s")
                assert _sessions(server) == 1
                await talking.send("pause")
                await talking.expect("status", state="paused")
        run(scenario(), timeout=30)
