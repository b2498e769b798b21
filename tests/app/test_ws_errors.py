"""Every kind of bad input gets an error naming what is wrong; the run keeps going."""

from app.cli import ws_max_size
from tests.app.live import Client, LiveServer

BAD_TEXTS = [
    ("{not json", "bad_json", None),
    ("[1, 2]", "not_an_object", None),
    ('"pause"', "not_an_object", None),
    ('{"type": "fly"}', "unknown_type", "type"),
    ('{"no_type": 1}', "unknown_type", "type"),
    ('{"type": "update", "config": {"learning_rate": NaN}}', "bad_json",
     "config.learning_rate"),
    ('{"type": "update", "config": {"learning_rate": 99}}', "invalid_config", "learning_rate"),
    ('{"type": "update", "config": {"hidden": [4, 99]}}', "invalid_config", "hidden[1]"),
    ('{"type": "update", "config": {"colour": "red"}}', "invalid_config", "colour"),
    ('{"type": "update", "config": 5}', "invalid_field", "config"),
    ('{"type": "speed"}', "invalid_field", "epochs_per_second"),
    ('{"type": "speed", "epochs_per_second": 0.5}', "invalid_field", "epochs_per_second"),
    ('{"type": "speed", "epochs_per_second": 20000}', "invalid_field", "epochs_per_second"),
    ('{"type": "step", "epochs": 3}', "not_paused", None),
    ('{"type": "probe", "x": [1, 99]}', "invalid_field", "x"),
    ('{"type": "probe", "x": [1, 1], "label": 7}', "invalid_field", "label"),
    ('{"type": "restore", "epoch": -1}', "invalid_field", "epoch"),
    ('{"type": "pause", "extra": 1}', "invalid_field", "extra"),
]


def test_every_bad_message_is_answered_and_training_goes_on(server, run):
    async def scenario():
        async with Client.connect(server.ws_url) as c:
            await c.start(seed=11)
            for text, code, field in BAD_TEXTS:
                await c.ws.send(text)
                error = await c.expect("error")
                assert error["code"] == code, text
                assert error.get("field") == field, text
                assert len(error["message"]) > 20
            await c.ws.send(b"\x00\x01binary")
            assert (await c.expect("error"))["code"] == "binary_not_supported"
            await c.ws.send('{"type": "pause", "pad": "' + "x" * 300_000 + '"}')
            assert (await c.expect("error"))["code"] == "message_too_big"
            # still the same run, still training, nothing lost
            now = (await c.frame()).header
            later = await c.frame(lambda f: f.header["epoch"] > now["epoch"] + 10)
            assert later.header["generation"] == 1
    run(scenario())


def test_messages_before_start_that_need_a_run(server, run):
    async def scenario():
        async with Client.connect(server.ws_url) as c:
            await c.recv()  # hello
            for kind in ("pause", "resume", "reset", "update", "probe"):
                await c.send(kind)
                error = await c.expect("error")
                assert error["code"] == "no_run" and "start" in error["message"]
            await c.send("start", config={"n_points": 5})
            error = await c.expect("error")
            assert error["field"] == "n_points" and "10" in error["message"]
            dataset, first = await c.start(seed=1)
            assert first.header["epoch"] == 0
    run(scenario())


def test_oversized_beyond_transport_limit_closes_1009(run):
    # run files are kept small here, so the transport limit is 4 × the message limit
    with LiveServer(max_run_bytes=65_536) as server:
        async def scenario():
            async with Client.connect(server.ws_url) as c:
                await c.recv()
                await c.ws.send("x" * (ws_max_size(server.settings) + 10))
                await c.ws.wait_closed()
                assert c.ws.close_code == 1009
        run(scenario())
