"""The server-wide sweep budget, for live sweeps and ``POST /api/sweep`` alike, and the
memory a sweep held given back when it goes (issue 11, item 3)."""

from __future__ import annotations

import time

import httpx

from core import cost
from core.config import validate_config
from tests.app.live import Client, LiveServer

RATES = [0.01, 0.02, 0.03, 0.04]
LONG = 2000  # epochs: a sweep that outlasts the test unless stopped


def _sweep_message(values=RATES, epochs=LONG) -> dict:
    return {"vary": {"field": "learning_rate", "values": values}, "epochs": epochs}


def test_at_the_count_limit_a_sweep_waits_until_another_stops(run):
    with LiveServer(max_sweeps=1) as server:
        async def scenario():
            async with Client.connect(server.ws_url) as a, Client.connect(server.ws_url) as b:
                for c in (a, b):
                    await c.recv()
                    await c.start(seed=4)
                await a.send("sweep", **_sweep_message())
                await a.expect("sweep_started")
                await b.send("sweep", **_sweep_message())
                refused = await b.expect("error")
                assert refused["code"] == "busy" and "try again" in refused["message"]
                api = httpx.post(server.url + "/api/sweep", timeout=30, json={
                    "config": {"n_points": 50}, "epochs": 2,
                    "vary": {"field": "learning_rate", "values": RATES}})
                assert api.status_code == 503 and api.headers["retry-after"]
                assert api.json()["error"]["code"] == "busy"
                await a.send("sweep_stop")
                await a.expect("sweep_done")
                await b.send("sweep", **_sweep_message())
                await b.expect("sweep_started")
        run(scenario(), timeout=60)


def test_a_sweep_larger_than_the_whole_budget_is_refused_saying_what_to_lower(run):
    big = {"n_points": 2000, "train_ratio": 90, "batch_size": 1, "hidden": [16] * 6}
    configs = [validate_config({**big, "learning_rate": r}) for r in RATES]
    assert cost.sweep_bytes(configs) > 16 * 2**20
    with LiveServer(sweep_memory_mb=16) as server:
        async def scenario():
            async with Client.connect(server.ws_url) as c:
                await c.recv()
                await c.start(seed=4, **big)
                await c.send("sweep", **_sweep_message())
                refused = await c.expect("error")
                assert (refused["code"], refused["field"]) == ("too_costly", "vary.values")
                for word in ("16 MB", "n_points", "hidden", "batch_size"):
                    assert word in refused["message"]
                await c.send("sweep", **_sweep_message(values=[0.1, 0.2], epochs=1))
                assert (await c.expect("error"))["code"] == "too_costly"
        run(scenario(), timeout=60)
        api = httpx.post(server.url + "/api/sweep", timeout=30, json={
            "config": big, "epochs": 1, "vary": {"field": "learning_rate", "values": RATES}})
        assert api.status_code == 422 and api.json()["error"]["code"] == "too_costly"
        assert not server.app.state.sessions.sweep_budget.leases


def test_a_sweep_that_goes_gives_its_memory_back(run):
    """Replaced by another, then its socket closed: each time the lease ends and the
    housekeeping collects garbage and hands freed heap pages back (``malloc_trim``), so
    rounds of sweeps do not grow the process (bench/sweep_memory.py measures it)."""
    with LiveServer() as server:
        sessions = server.app.state.sessions
        janitor = sessions.janitor
        trims = []
        janitor.trim = trims.append  # what malloc_trim(0) is called with, in a thread

        def tidied_after(before: int) -> bool:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if server.call(lambda: janitor.tidied) > before:
                    return True
                time.sleep(0.05)
            return False

        async def scenario():
            async with Client.connect(server.ws_url) as c:
                await c.recv()
                await c.start(seed=4)
                await c.send("sweep", **_sweep_message())
                await c.expect("sweep_started")
                before = server.call(lambda: janitor.tidied)
                await c.send("sweep", **_sweep_message(values=[0.5, 0.6]))  # replaces it
                await c.expect("sweep_started")
                assert tidied_after(before)
                assert server.call(lambda: len(sessions.sweep_budget.leases)) == 1
                return server.call(lambda: janitor.tidied)
        before = run(scenario(), timeout=60)
        assert tidied_after(before)  # the socket closed: session freed, its sweep too
        assert server.call(lambda: sessions.sweep_budget.leases) == []
        assert trims and set(trims) == {0}
