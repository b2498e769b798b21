"""A learner whose epochs are long is trained in slices of mini-batches, so the
scheduler never holds the loop for a whole long epoch and other learners go on."""

import asyncio

from tests.app.live import Client, LiveServer

HEAVY = {"seed": 1, "n_points": 2000, "batch_size": 1, "hidden": [16] * 6, "train_ratio": 90}


def test_long_epochs_are_sliced_and_others_keep_training():
    with LiveServer() as server:
        async def scenario():
            async with Client.connect(server.ws_url) as heavy, \
                    Client.connect(server.ws_url) as light:
                token = (await heavy.recv())["session"]
                await light.recv()
                await heavy.start(**HEAVY)
                await light.start(seed=2)
                trainer = server.app.state.sessions.sessions[token].trainer
                seen_mid_epoch = False
                for _ in range(200):
                    await asyncio.sleep(0.02)
                    seen_mid_epoch |= server.call(lambda: trainer.mid_epoch)
                    if seen_mid_epoch:
                        break
                assert seen_mid_epoch  # the scheduler stopped inside an epoch
                first = (await light.frame()).header["epoch"]
                await light.frame(lambda f: f.header["epoch"] >= first + 10, timeout=20)
                await light.send("pause")
                await light.expect("status", state="paused")
                await heavy.frame(lambda f: f.header["epoch"] >= 1, timeout=30)
        asyncio.run(asyncio.wait_for(scenario(), 60))
