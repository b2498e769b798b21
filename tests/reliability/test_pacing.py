"""A client flooding costly messages is read more slowly (``app.routes.ws.Pacer``); every
message is still answered, and the others are answered meanwhile."""

from __future__ import annotations

from app.routes.ws import Pacer
from tests.app.live import Client


def test_pacer_lets_a_burst_through_then_spaces_messages_by_their_cost():
    pacer = Pacer(share=0.05, burst=0.25)
    assert pacer.charge(0.1) == 0.0 and pacer.charge(0.1) == 0.0  # within the burst
    wait = pacer.charge(0.1)  # 0.05 s over (plus a hair of credit earned meanwhile)
    assert 0.9 < wait <= 1.0  # 0.05 s of debt at a 5 % share: about a second
    assert pacer.charge(0.0) > 0  # still in debt until the wait has passed


def test_a_flood_of_costly_starts_is_all_answered_and_others_still_served(server, run):
    async def scenario():
        async with Client.connect(server.ws_url) as flood, Client.connect(server.ws_url) as c:
            await c.start(seed=1)
            await flood.recv()
            for i in range(12):
                await flood.send("start", config={"seed": i, "n_points": 2000,
                                                  "hidden": [16] * 6})
            answered = 0
            for _ in range(12):  # the other learner is answered while the flood is paced
                await c.send("speed", epochs_per_second=60)
                await c.expect("status")
            while answered < 12:
                status = await flood.expect("status", timeout=30)
                answered += status["state"] == "running"
            assert status["generation"] == 12  # every start was taken, none refused
    run(scenario(), timeout=60)
