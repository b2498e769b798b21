"""Connection faults: drops mid-frame, reconnect storms, clients that never read, and
hundreds of connect/disconnect cycles. The server stays up with a clean log, memory
stays bounded, and the other learners keep training and getting answers."""

from __future__ import annotations

import asyncio
import gc
import socket
import struct
import time
import tracemalloc

from tests.app.live import Client, LiveServer
from tests.serve import ServerProcess

BIG = {"hidden": [16] * 6}  # ~70 KB frames: the socket buffers fill within a second


def _small_buffer_socket(port: int) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    return sock


def _reset(c: Client) -> None:
    """Drop the connection with a TCP reset: no close frame, maybe mid-frame."""
    sock = c.ws.transport.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.ws.transport.abort()


async def _round_trips(c: Client, n: int) -> list[float]:
    """pause/resume n times; each answer's delay in seconds."""
    delays = []
    for i in range(n):
        begin = time.monotonic()
        await c.send("pause" if i % 2 == 0 else "resume")
        await c.expect("status", timeout=5)
        delays.append(time.monotonic() - begin)
    return delays


def test_drops_mid_frame_and_half_sent_messages_then_resume(run):
    with ServerProcess(NNLIVE_GRACE_SECONDS="30") as srv:
        async def scenario():
            async with Client.connect(srv.ws_url) as c:
                token = (await c.recv())["session"]
                await c.start(seed=4, **BIG)
                await c.send("speed", epochs_per_second=0)
                _reset(c)
            epochs = []
            for i in range(20):
                sock = _small_buffer_socket(srv.port)
                async with Client.connect(f"{srv.ws_url}?session={token}", sock=sock,
                                          max_queue=1) as c:
                    hello = await c.recv()
                    assert hello["resumed"] is True and hello["session"] == token
                    status = await c.expect("status", resumed=True)
                    epochs.append(status["epoch"])
                    if i % 2:  # half a client frame: a masked text header, no payload
                        c.ws.transport.write(b"\x81\xfe\x10\x00")
                    await c.send("resume")
                    await asyncio.sleep(0.1)  # the server is writing a 70 KB frame now
                    _reset(c)
            assert epochs == sorted(epochs)  # resumed where it was, never behind
            async with Client.connect(f"{srv.ws_url}?session={token}") as c:
                await c.expect("status", resumed=True)
                first = await c.frame()
                assert first.header["epoch"] >= epochs[-1]
                assert len(first.header["history"]) == first.header["epoch"] + 1
                await c.send("resume")
                await c.frame(lambda f: f.header["epoch"] > first.header["epoch"])
            assert srv.health()["sessions"] == 0  # the normal close freed it
        run(scenario(), timeout=60)
        srv.assert_alive_and_clean()


def test_reconnect_storm_leaves_one_socket_and_the_same_run(run):
    with ServerProcess(NNLIVE_GRACE_SECONDS="30") as srv:
        async def scenario():
            async with Client.connect(srv.ws_url) as c:
                token = (await c.recv())["session"]
                await c.start(seed=9)
                await c.frame(lambda f: f.header["epoch"] >= 5)
                paused, frame = await c.pause()
                weights = frame.header["weights"]
                _reset(c)
            url = f"{srv.ws_url}?session={token}"
            clients = [await Client.connect(url).__aenter__() for _ in range(30)]
            hellos = await asyncio.gather(*(c.recv() for c in clients))
            assert all(h["resumed"] and h["session"] == token for h in hellos)
            *replaced, last = clients
            for c in replaced:  # each newer socket took the session over: 4001
                await asyncio.wait_for(c.ws.wait_closed(), 10)
                assert c.ws.close_code == 4001
            assert srv.health() == {"status": "ok", "sessions": 1, "attached": 1}
            status = await last.expect("status", resumed=True)
            assert status["epoch"] == paused["epoch"] and status["state"] == "paused"
            frame = await last.frame()
            assert frame.header["weights"] == weights
            await last.send("resume")
            await last.frame(lambda f: f.header["epoch"] > paused["epoch"] + 5)
            await last.ws.close()
        run(scenario(), timeout=60)
        srv.assert_alive_and_clean()


def test_clients_that_never_read_are_bounded_and_others_unaffected(run):
    with ServerProcess() as srv:
        async def scenario():
            async with Client.connect(srv.ws_url) as other:
                await other.start(seed=1)
                await _round_trips(other, 4)
                rss_before = srv.rss()
                deaf, socks = [], []
                for i in range(6):
                    socks.append(_small_buffer_socket(srv.port))
                    c = await Client.connect(srv.ws_url, sock=socks[-1],
                                             max_queue=1).__aenter__()
                    await c.send("start", config={"seed": i, **BIG})
                    await c.send("speed", epochs_per_second=0)
                    deaf.append(c)
                await asyncio.sleep(1.5)  # their socket buffers fill up
                rss_peak = srv.rss()
                for c in deaf:  # requests whose replies are never read: > 256 owed
                    for _ in range(300):
                        await c.send("probe", x=[1, 2], label=1)
                during = await _round_trips(other, 10)
                for _ in range(200):  # the deaf sessions are let go (the close frame waits
                    rss_peak = max(rss_peak, srv.rss())  # for websockets' close timeouts)
                    if srv.health()["attached"] == 1:
                        break
                    await other.frame()  # keep reading: `other` is no deaf client
                assert srv.health()["attached"] == 1
                now = (await other.frame()).header["epoch"]
                await other.send("resume")
                await other.frame(lambda f: f.header["epoch"] > now + 10)
                for c, sock in zip(deaf, socks):
                    c.ws.transport.abort()
                    sock.close()
                assert len(during) == 10  # each answered within expect's 5 s
                assert rss_peak - rss_before < 80 * 2**20
        run(scenario(), timeout=90)
        srv.assert_alive_and_clean()


def test_scheduler_survives_an_overflow_it_causes():
    """A deaf client's 256 owed replies, then a step: the step's status comes from the
    scheduler, which must close that socket, not crash (training for all would stop)."""
    with LiveServer() as server:
        async def scenario():
            async with Client.connect(server.ws_url) as other:
                await other.start(seed=1)
                sock = _small_buffer_socket(server.port)
                deaf = await Client.connect(server.ws_url, sock=sock, max_queue=1).__aenter__()
                token = (await deaf.recv())["session"]
                await deaf.start(seed=2, **BIG)
                outbox = server.app.state.sessions.sessions[token].outbox
                for _ in range(100):  # until the sender is stuck on a frame
                    if server.call(lambda: outbox.in_flight and outbox.frame is not None):
                        break
                    await asyncio.sleep(0.05)
                await deaf.send("pause")
                for _ in range(255):
                    await deaf.send("probe", x=[0, 0])
                for _ in range(100):
                    if server.call(lambda: len(outbox.texts)) == outbox.max_texts:
                        break
                    await asyncio.sleep(0.02)
                assert server.call(lambda: len(outbox.texts)) == outbox.max_texts
                await deaf.send("step", epochs=1)
                for _ in range(100):
                    if server.call(lambda: outbox.overflow is not None):
                        break
                    await asyncio.sleep(0.02)
                now = (await other.frame()).header["epoch"]
                await other.frame(lambda f: f.header["epoch"] > now + 10)
                assert not server.app.state.scheduler.task.done()
                assert "waiting to be read" in outbox.overflow
                deaf.ws.transport.abort()
                sock.close()
        asyncio.run(asyncio.wait_for(scenario(), 60))


def test_two_hundred_connect_disconnect_cycles_leave_nothing_behind():
    with LiveServer(grace_seconds=0.2) as server:
        def sessions():
            return server.call(lambda: len(server.app.state.sessions.sessions))

        async def cycle(i: int) -> None:
            async with Client.connect(server.ws_url) as c:
                token = (await c.recv())["session"]
                await c.start(seed=i)
                if i % 3 == 0:
                    return  # a normal close: freed at once
                _reset(c)
            if i % 3 == 2:  # dropped, then resumed and closed normally
                async with Client.connect(f"{server.ws_url}?session={token}") as c:
                    await c.expect("status", resumed=True)

        async def settle(before: list[str]) -> None:
            for _ in range(300):  # the reaper frees dropped sessions after the grace
                if sessions() == 0 and server.task_names() == before:
                    return
                await asyncio.sleep(0.02)

        async def scenario():
            before = server.task_names()
            for i in range(40):  # warm up: caches, lazy imports, allocator pools
                await cycle(i)
            await settle(before)
            gc.collect()
            warm = tracemalloc.get_traced_memory()[0]
            for i in range(40, 200):
                await cycle(i)
            await settle(before)
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - warm
            assert sessions() == 0 and server.task_names() == before
            assert grown < 2 * 2**20, f"{grown} bytes still held after 160 more cycles"

        tracemalloc.start()
        try:
            asyncio.run(asyncio.wait_for(scenario(), 80))
        finally:
            tracemalloc.stop()
