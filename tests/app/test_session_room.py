"""At a cap, a session waiting for its reconnect gives way to a learner who is here."""

import asyncio

from tests.app.live import Client, LiveServer


def test_a_detached_session_makes_room_for_a_new_learner_at_the_per_address_cap():
    with LiveServer(max_sessions=10, max_sessions_per_client=2, grace_seconds=60) as server:
        async def scenario():
            async with Client.connect(server.ws_url) as stays:
                await stays.recv()
                gone = await Client.connect(server.ws_url).__aenter__()
                old_token = (await gone.recv())["session"]
                gone.ws.transport.abort()  # a reload: the socket vanishes, the session waits
                await asyncio.sleep(0.3)
                async with Client.connect(server.ws_url) as new:
                    hello = await new.recv()
                    assert hello["type"] == "hello" and hello["session"] != old_token
                    await new.start(seed=1)
                    await new.frame(lambda f: f.header["epoch"] >= 3)
                assert old_token not in server.app.state.sessions.sessions
                await stays.send("start", config={"seed": 2})
                await stays.expect("dataset")
        asyncio.run(asyncio.wait_for(scenario(), 30))


def test_attached_learners_are_never_pushed_out():
    with LiveServer(max_sessions=10, max_sessions_per_client=2) as server:
        async def scenario():
            async with Client.connect(server.ws_url) as a, Client.connect(server.ws_url) as b:
                await a.recv()
                await b.recv()
                async with Client.connect(server.ws_url) as c:
                    await c.ws.wait_closed()
                    assert c.ws.close_code == 1013
                await a.send("start", config={"seed": 3})
                await a.expect("dataset")
        asyncio.run(asyncio.wait_for(scenario(), 30))
