"""The classroom's contract over a real server: open a class, join it over real sockets,
see every learner, push and lock a configuration, command the whole class."""

from __future__ import annotations

import asyncio
import base64

import httpx
import numpy as np
import pytest

from app.classroom.codes import ALPHABET, CODE_LENGTH
from app.protocol import decode_frame
from tests.app.live import Client, LiveServer


def _open(server, **body) -> dict:
    answer = httpx.post(f"{server.url}/api/classes", json=body, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _get(server, path: str, key: str | None, **kwargs) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    return httpx.get(f"{server.url}{path}", headers=headers, timeout=5, **kwargs)


def _post(server, path: str, key: str | None, body: dict) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    return httpx.post(f"{server.url}{path}", json=body, headers=headers, timeout=5)


async def _poll(fn, until, timeout: float = 5.0):
    """``fn()`` again (in a thread) until ``until(result)``; the last result."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await asyncio.to_thread(fn)
        if until(result) or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.05)


async def _join(server, code: str, name: str) -> tuple[Client, dict, dict]:
    """A learner on the class: (client, hello, class message)."""
    cm = Client.connect(f"{server.ws_url}?class={code}&name={name}")
    client = await cm.__aenter__()
    client.cm = cm
    hello = await client.recv()
    joined = await client.expect("class")
    return client, hello, joined


def test_a_class_opens_with_a_short_code_a_long_key_and_its_addresses(server):
    opened = _open(server, title="Period 3")
    code, key = opened["code"], opened["key"]
    assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)
    assert not set(code) & set("0O1IL")
    assert len(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))) * 8 >= 128
    assert opened["join_url"] == f"{server.url}/?class={code}"
    assert opened["teacher_url"] == f"{server.url}/teach/{code}#key={key}"
    assert opened["title"] == "Period 3"
    assert _open(server)["code"] != code
    empty = _get(server, f"/api/classes/{code}", key).json()
    assert empty["code"] == code and empty["title"] == "Period 3" and empty["learners"] == []


def test_a_class_answers_only_its_key_and_an_unknown_code_is_404(server):
    opened = _open(server)
    code = opened["code"]
    for key in (None, "x" * 32, opened["key"][:-1] + "A", _open(server)["key"]):
        answer = _get(server, f"/api/classes/{code}", key)
        assert answer.status_code == 403, key
        assert answer.json()["error"]["code"] == "forbidden"
    missing = "".join(ALPHABET[(ALPHABET.index(c) + 1) % len(ALPHABET)] for c in code)
    answer = _get(server, f"/api/classes/{missing}", opened["key"])
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "unknown_class"
    assert _get(server, f"/api/classes/{code.lower()}", opened["key"]).status_code == 200


def test_learners_join_by_code_and_name_and_the_teacher_sees_each(server, run):
    opened = _open(server)
    code, key = opened["code"], opened["key"]

    async def scenario():
        ann, hello, joined = await _join(server, code, "Ann")
        bo, _, _ = await _join(server, code.lower(), "Bo%20Li")  # as typed
        assert joined == {"type": "class", "code": code, "name": "Ann",
                          "id": hello["session"][:6], "locks": [], "challenge": None}
        await ann.start(seed=4, hidden=[3])
        await ann.frame(lambda f: f.header["epoch"] >= 5)
        seen = await _poll(lambda: _get(server, f"/api/classes/{code}", key).json(),
                           lambda a: any(x["epoch"] >= 5 for x in a["learners"]))
        by_name = {x["name"]: x for x in seen["learners"]}
        assert set(by_name) == {"Ann", "Bo Li"}
        assert by_name["Ann"]["session_prefix"] == hello["session"][:6]
        assert by_name["Ann"]["state"] == "running" and by_name["Ann"]["config"]["seed"] == 4
        assert by_name["Ann"]["config"]["hidden"] == [3]
        assert by_name["Ann"]["train_loss"] > 0 and by_name["Ann"]["test_loss"] > 0
        assert by_name["Bo Li"]["state"] == "idle" and by_name["Bo Li"]["config"] is None
        for c in (ann, bo):
            await c.cm.__aexit__(None, None, None)
    run(scenario())


def test_the_thumbnail_is_the_learners_own_frame_grid_picked(server, run):
    opened = _open(server)
    code, key = opened["code"], opened["key"]

    async def scenario():
        ann, _, _ = await _join(server, code, "Ann")
        await ann.start(seed=9)
        await ann.frame(lambda f: f.header["epoch"] >= 3)
        paused, frame = await ann.pause()
        wall = await _poll(lambda: _get(server, f"/api/classes/{code}/wall", key).json(),
                           lambda w: w["learners"][0]["epoch"] == paused["epoch"]
                           and w["learners"][0]["state"] == "paused")
        tile = wall["learners"][0]
        assert tile["epoch"] == paused["epoch"] and tile["state"] == "paused"
        full = np.frombuffer(frame.grid(), np.uint8).reshape(frame.header["grid"]["shape"])
        small = np.frombuffer(base64.b64decode(tile["grid"]["bytes"]), np.uint8)
        assert tile["grid"]["shape"] == [25, 25] and tile["grid"]["range"] == [0, 1]
        np.testing.assert_array_equal(small.reshape(25, 25), full[1::2, 1::2])
        assert wall["counts"] == {"running": 0, "paused": 1, "diverged": 0, "idle": 0,
                                  "away": 0}
        await ann.cm.__aexit__(None, None, None)
    run(scenario())


def test_a_pushed_and_locked_config_reaches_every_learner(server, run):
    opened = _open(server)
    code, key = opened["code"], opened["key"]

    async def scenario():
        learners = [await _join(server, code, name) for name in ("Ann", "Bo", "Cy")]
        for i, (c, _, _) in enumerate(learners):
            await c.start(seed=i, hidden=[2])
        pushed = _post(server, f"/api/classes/{code}/config", key,
                       {"config": {"dataset": "xor", "hidden": [5], "learning_rate": 0.1},
                        "lock": ["dataset", "learning_rate"]})
        assert pushed.status_code == 200, pushed.text
        config = pushed.json()["config"]
        assert config["dataset"] == "xor" and isinstance(config["seed"], int)
        rows = []
        for c, _, _ in learners:
            rows.append((await c.expect("dataset", config=config))["train"])  # one seed
            status = await c.expect("status", reset=True)
            assert status["by"] == "class"
            message = await c.expect("class")
            assert message["locks"] == ["dataset", "learning_rate"]
            await c.send("update", config={"learning_rate": 0.5})
            refused = await c.expect("error")
            assert refused["code"] == "locked" and refused["field"] == "learning_rate"
            await c.send("update", config={"reg_rate": 0.01})  # not locked
            assert (await c.expect("status"))["updated"] == ["reg_rate"]
        assert rows[0] == rows[1] == rows[2]
        unlocked = _post(server, f"/api/classes/{code}/config", key, {"lock": []})
        assert unlocked.json()["locks"] == []
        c = learners[0][0]
        assert (await c.expect("class"))["locks"] == []
        await c.send("update", config={"learning_rate": 0.5})
        assert (await c.expect("status"))["updated"] == ["learning_rate"]
        for c, _, _ in learners:
            await c.cm.__aexit__(None, None, None)
    run(scenario())


def test_a_learner_who_joins_later_starts_on_the_class_config(server, run):
    opened = _open(server)
    code, key = opened["code"], opened["key"]
    pushed = _post(server, f"/api/classes/{code}/config", key,
                   {"config": {"dataset": "spiral", "hidden": [6]}, "lock": ["hidden"]})
    config = pushed.json()["config"]

    async def scenario():
        late, _, joined = await _join(server, code, "Late")
        assert joined["locks"] == ["hidden"]
        dataset, _ = await late.start(dataset="circle", hidden=[1])
        assert dataset["config"] == config
        await late.cm.__aexit__(None, None, None)
    run(scenario())


def test_pause_resume_and_reset_all_reach_every_learner(server, run):
    opened = _open(server)
    code, key = opened["code"], opened["key"]

    async def scenario():
        learners = [(await _join(server, code, n))[0] for n in ("A", "B")]
        for c in learners:
            await c.start(seed=1)
        assert _post(server, f"/api/classes/{code}/pause", key, {}).status_code == 200
        for c in learners:
            await c.expect("status", state="paused")
        assert _post(server, f"/api/classes/{code}/reset", key, {}).status_code == 200
        for c in learners:
            await c.expect("status", reset=True, state="paused", epoch=0)
        assert _post(server, f"/api/classes/{code}/resume", key, {}).status_code == 200
        for c in learners:
            await c.expect("status", state="running")
            await c.frame(lambda f: f.header["epoch"] >= 2)
        for c in learners:
            await c.ws.close()
    run(scenario())


def test_an_unknown_code_or_a_bad_name_is_refused_and_the_socket_closes(server, run):
    code = _open(server)["code"]

    async def refused(query: str) -> tuple[dict, int]:
        async with Client.connect(f"{server.ws_url}?{query}") as c:
            assert (await c.recv())["type"] == "hello"
            error = await c.expect("error")
            await c.ws.wait_closed()
            return error, c.ws.close_code

    async def scenario():
        error, closed = await refused("class=ZZZZZZ&name=Ann")
        assert (error["code"], error["field"], closed) == ("unknown_class", "class", 4003)
        for name in ("", "%20%20", "x" * 25, "a%07b"):
            error, closed = await refused(f"class={code}&name={name}")
            assert (error["code"], error["field"], closed) == ("invalid_field", "name", 4003)
    run(scenario())


def test_wrong_codes_and_keys_from_one_address_are_limited():
    with LiveServer(class_attempt_burst=3, class_attempt_rate=0.001) as server:
        opened = _open(server)
        code, key = opened["code"], opened["key"]
        assert [_get(server, f"/api/classes/{code}", "wrong").status_code
                for _ in range(3)] == [403] * 3
        limited = _get(server, f"/api/classes/{code}", key)  # even with the right key now
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "too_many_attempts"
        assert limited.headers["retry-after"]

        async def scenario():
            async with Client.connect(f"{server.ws_url}?class={code}&name=Ann") as c:
                await c.recv()
                assert (await c.expect("error"))["code"] == "too_many_attempts"
        asyncio.run(asyncio.wait_for(scenario(), 20))


def test_a_class_expires_after_its_retention_and_its_learners_train_on():
    with LiveServer(class_retention_seconds=1.0) as server:
        opened = _open(server)
        code, key = opened["code"], opened["key"]

        async def scenario():
            ann, _, _ = await _join(server, code, "Ann")
            await ann.start(seed=2)
            ended = await ann.expect("class", timeout=5)
            assert ended["ended"] is True and ended["locks"] == []
            await ann.frame(lambda f: f.header["epoch"] >= 3)
            await ann.ws.close()
        asyncio.run(asyncio.wait_for(scenario(), 20))
        assert _get(server, f"/api/classes/{code}", key).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"config": {"hidden": [99]}}, "hidden[0]"),
    ({"config": {}, "lock": ["colour"]}, "lock[0]"),
    ({"config": {}, "lock": "dataset"}, "lock"),
    ({"lock": ["dataset"]}, "lock"),  # nothing to lock to yet
    ({"challenge": {"max_neurons": 8}}, "config"),
    ({"config": {}, "challenge": {"max_neurons": 0}}, "challenge.max_neurons"),
    ({"config": {}, "extra": 1}, "extra"),
    ({}, "config"),
])
def test_a_refused_push_names_the_field_and_changes_nothing(server, body, field):
    opened = _open(server)
    answer = _post(server, f"/api/classes/{opened['code']}/config", opened["key"], body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field
    after = _get(server, f"/api/classes/{opened['code']}", opened["key"]).json()
    assert after["config"] is None and after["locks"] == []


def test_teacher_bodies_are_json_and_bounded(server):
    opened = _open(server)
    path = f"{server.url}/api/classes/{opened['code']}/pause"
    auth = {"Authorization": f"Bearer {opened['key']}"}
    form = httpx.post(path, content=b"{}", headers={**auth, "Content-Type": "text/plain"})
    assert form.status_code == 415
    big = httpx.post(f"{server.url}/api/classes", content=b"{" + b" " * 2_000_000 + b"}",
                     headers={"Content-Type": "application/json"})
    assert big.status_code == 413
    assert _post(server, "/api/classes", None, {"title": "x" * 81}).status_code == 422


def test_a_challenge_ranks_on_validation_loss_and_checks_its_limits(server, run):
    opened = _open(server)
    code, key = opened["code"], opened["key"]
    pushed = _post(server, f"/api/classes/{code}/config", key,
                   {"config": {"dataset": "spiral", "hidden": [4]},
                    "challenge": {"max_neurons": 8}})
    assert pushed.status_code == 200, pushed.text
    config, locks = pushed.json()["config"], pushed.json()["locks"]
    assert config["validation_ratio"] == 20  # held out, as a sweep does
    assert set(locks) == {"dataset", "n_points", "noise", "train_ratio", "validation_ratio",
                          "points", "seed"}

    async def scenario():
        within, _, joined = await _join(server, code, "Within")
        assert joined["challenge"]["max_neurons"] == 8
        outside, _, _ = await _join(server, code, "Outside")
        for c in (within, outside):
            await c.start()
        await outside.send("update", config={"hidden": [9]})  # more than 8: allowed, unranked
        await outside.expect("dataset")
        await outside.send("update", config={"seed": 1})
        assert (await outside.expect("error"))["code"] == "locked"
        for c in (within, outside):
            await c.frame(lambda f: f.header["epoch"] >= 5)
        wall = await _poll(lambda: _get(server, f"/api/classes/{code}/wall", key).json(),
                           lambda w: all(x["epoch"] >= 5 for x in w["learners"]))
        board = wall["leaderboard"]
        by_name = {x["name"]: x for x in wall["learners"]}
        assert [r["id"] for r in board] == [by_name["Within"]["session_prefix"],
                                            by_name["Outside"]["session_prefix"]]
        assert board[0]["rank"] == 1 and board[0]["violations"] == []
        assert board[0]["loss"] == by_name["Within"]["validation_loss"]
        assert board[1]["rank"] is None and board[1]["violations"] == ["max_neurons"]
        assert by_name["Outside"]["rank"] is None
        ended = _post(server, f"/api/classes/{code}/config", key, {"challenge": None})
        assert ended.json()["challenge"] is None
        assert _get(server, f"/api/classes/{code}/wall", key).json()["leaderboard"] is None
        for c in (within, outside):
            await c.cm.__aexit__(None, None, None)
    run(scenario())


def test_the_spotlight_is_the_learners_frame_with_its_whole_history(server, run):
    opened = _open(server)
    code, key = opened["code"], opened["key"]

    async def scenario():
        ann, hello, _ = await _join(server, code, "Ann")
        ann.dataset, _ = await ann.start(seed=6, validation_ratio=20)
        await ann.frame(lambda f: f.header["epoch"] >= 4)
        paused, frame = await ann.pause()
        assert _get(server, f"/api/classes/{code}/spotlight", key).status_code == 204
        me = hello["session"][:6]
        assert _post(server, f"/api/classes/{code}/spotlight", key,
                     {"learner": me}).json()["spotlight"] == me
        answer = await _poll(lambda: _get(server, f"/api/classes/{code}/spotlight", key),
                             lambda r: r.status_code == 200)
        header, payload = decode_frame(answer.content)
        assert (header["id"], header["name"], header["epoch"]) == (me, "Ann", paused["epoch"])
        assert header["weights"] == frame.header["weights"]
        assert [e["epoch"] for e in header["history"]] == list(range(paused["epoch"] + 1))
        assert header["history"][-1]["validation_loss"] is not None
        assert payload[:header["grid"]["length"]] == frame.grid()
        data = _get(server, f"/api/classes/{code}/learners/{me}/data", key).json()
        assert data["key"] == header["data"]
        assert (data["train"], data["validation"]) == (ann.dataset["train"],
                                                        ann.dataset["validation"])
        await ann.cm.__aexit__(None, None, None)
    run(scenario())


@pytest.mark.parametrize("fields", [{}, {"dataset": "three_blobs"}, {"dataset": "plane"},
                                    {"loss": "hinge", "hidden": []}])
def test_a_glance_at_a_frame_reads_what_the_whole_header_says(fields):
    from app.live.frames import build_frame
    from app.protocol import peek_frame
    from core.config import validate_config
    from core.trainer import Trainer

    trainer = Trainer(validate_config({"seed": 3, **fields}))
    trainer.train_epochs(4)
    frame = build_frame(trainer, generation=7, state="paused", history_from=0,
                        resolution=50, neuron_resolution=12)
    glance, body = peek_frame(frame)
    header, payload = decode_frame(frame)
    assert glance == {k: header[k] for k in ("epoch", "generation", "state", "grid")}
    assert body == payload and glance["epoch"] == 4 and glance["state"] == "paused"
