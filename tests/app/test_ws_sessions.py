"""Session lifetime over real sockets: resume, grace, limits, slow readers, leaks, origin."""

import asyncio
import socket

import pytest
from websockets.exceptions import InvalidStatus

from tests.app.live import Client, LiveServer


def _sessions(server) -> int:
    return server.call(lambda: len(server.app.state.sessions.sessions))


def test_resume_after_abrupt_drop_same_epoch_and_weights(server, run):
    async def scenario():
        async with Client.connect(server.ws_url) as c:
            token = (await c.recv())["session"]
            await c.start(seed=21)
            await c.frame(lambda f: f.header["epoch"] >= 10)
            paused, before = await c.pause()
            c.ws.transport.abort()  # no close frame: a dropped connection
        async with Client.connect(f"{server.ws_url}?session={token}") as c:
            hello = await c.recv()
            assert hello["session"] == token and hello["resumed"] is True
            assert (await c.expect("dataset"))["config"]["seed"] == 21
            status = await c.expect("status")
            assert status["epoch"] == paused["epoch"] and status["state"] == "paused"
            after = await c.frame()
            assert after.header["epoch"] == paused["epoch"]
            assert after.header["weights"] == before.header["weights"]
            assert len(after.header["history"]) == paused["epoch"] + 1  # whole curve again
            await c.send("resume")
            await c.frame(lambda f: f.header["epoch"] > paused["epoch"])
    run(scenario())


def test_grace_period_frees_a_dropped_session():
    """Without a store (NNLIVE_STORE_PATH=none) the run is gone with its session."""
    with LiveServer(grace_seconds=0.2, store_path="none") as server:
        async def scenario():
            async with Client.connect(server.ws_url) as c:
                token = (await c.recv())["session"]
                await c.start(seed=1)
                c.ws.transport.abort()
            for _ in range(100):  # the reaper looks once a second
                if _sessions(server) == 0:
                    break
                await asyncio.sleep(0.05)
            assert _sessions(server) == 0
            async with Client.connect(f"{server.ws_url}?session={token}") as c:
                hello = await c.recv()
                assert hello["resumed"] is False and hello["session"] != token
                assert (await c.expect("error"))["code"] == "unknown_session"
        asyncio.run(asyncio.wait_for(scenario(), 30))


def test_after_the_grace_period_a_dropped_run_comes_back_from_the_store():
    """Freed from memory after the grace period, the run stays in the store: its token
    brings it back exactly as it was left (the laptop closed until the next lesson)."""
    with LiveServer(grace_seconds=0.2) as server:
        async def scenario():
            async with Client.connect(server.ws_url) as c:
                token = (await c.recv())["session"]
                await c.start(seed=1)
                paused, frame = await c.pause()
                c.ws.transport.abort()
            for _ in range(100):  # the reaper looks once a second
                if _sessions(server) == 0:
                    break
                await asyncio.sleep(0.05)
            assert _sessions(server) == 0
            async with Client.connect(f"{server.ws_url}?session={token}") as c:
                hello = await c.recv()
                assert (hello["session"], hello["resumed"]) == (token, True)
                assert hello["restored"]["epoch"] == paused["epoch"]
                status = await c.expect("status")
                assert (status["state"], status["epoch"], status["saving"]) == \
                    ("paused", paused["epoch"], "on")
                back = await c.frame()
                assert back.header["weights"] == frame.header["weights"]
        asyncio.run(asyncio.wait_for(scenario(), 30))


@pytest.mark.parametrize("limits, reason", [
    ({"max_sessions": 2, "max_sessions_per_client": 10}, "server full"),
    ({"max_sessions": 10, "max_sessions_per_client": 2}, "this address"),
])
def test_session_limits_close_1013_with_reason(limits, reason):
    with LiveServer(**limits) as server:
        async def scenario():
            async with Client.connect(server.ws_url) as a, Client.connect(server.ws_url) as b:
                await a.recv()
                await b.recv()
                async with Client.connect(server.ws_url) as c:
                    await c.ws.wait_closed()
                    assert c.ws.close_code == 1013 and reason in c.ws.close_reason
        asyncio.run(asyncio.wait_for(scenario(), 30))


def test_slow_reader_is_bounded_and_does_not_hold_others_back(server, run):
    async def scenario():
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", server.port))
        async with Client.connect(server.ws_url, sock=sock, max_queue=1) as slow, \
                Client.connect(server.ws_url) as other:
            token = (await slow.recv())["session"]
            await slow.start(seed=2, hidden=[16] * 6)  # ~70 KB frames fill the buffers fast
            await other.start(seed=3)
            session = server.app.state.sessions.sessions[token]
            waiting = 0
            for _ in range(30):  # slow stops reading for 3 s; the other one keeps working
                await asyncio.sleep(0.1)
                outbox = server.call(lambda: (len(session.outbox.texts),
                                              session.outbox.frame is not None))
                assert outbox[0] <= 2  # replies do not pile up
                waiting += outbox[1]
                await other.send("pause" if _ % 2 == 0 else "resume")
                await other.expect("status", timeout=2)
            assert waiting > 0  # backpressure reached the one-slot mailbox
            target = server.call(lambda: session.trainer.epoch)
            await slow.frame(lambda f: f.header["epoch"] > target)
            epochs = [h["epoch"] for f in slow.frames for h in f.header["history"]]
            assert epochs == list(range(epochs[-1] + 1))  # no history lost to dropped frames
    run(scenario(), timeout=60)


def test_hundred_connect_start_disconnect_cycles_leave_no_tasks(server, run):
    before, sessions_before = server.task_names(), _sessions(server)

    async def scenario():
        for i in range(100):
            async with Client.connect(server.ws_url) as c:
                await c.recv()
                await c.start(seed=i)
        for _ in range(200):
            if server.task_names() == before and _sessions(server) == sessions_before:
                return
            await asyncio.sleep(0.02)

    run(scenario(), timeout=60)
    assert server.task_names() == before
    assert _sessions(server) == sessions_before


def test_origin_checked(server, run):
    async def scenario():
        with pytest.raises(InvalidStatus) as refused:
            async with Client.connect(server.ws_url, origin="http://evil.example"):
                pass
        assert refused.value.response.status_code == 403
        own = f"http://127.0.0.1:{server.port}"
        async with Client.connect(server.ws_url, origin=own) as c:
            assert (await c.recv())["type"] == "hello"
    run(scenario())


def test_allowed_origins_setting():
    with LiveServer(allowed_origins=("https://course.example.org",)) as server:
        async def scenario():
            async with Client.connect(server.ws_url, origin="https://course.example.org") as c:
                assert (await c.recv())["type"] == "hello"
        asyncio.run(asyncio.wait_for(scenario(), 10))
