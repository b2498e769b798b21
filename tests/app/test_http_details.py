"""HEAD for monitors, versioned static files cached long, the NaN message, and session
tokens kept out of the logs (issue 11, items 9 and 12)."""

from __future__ import annotations

import asyncio
import re
import time
from urllib.parse import quote

import httpx
import pytest

from app.logs import redact
from app.static_files import tree_version
from tests.app.live import Client
from tests.serve import ServerProcess


@pytest.mark.parametrize("path", ["/", "/embed", "/healthz", "/metrics", "/lessons",
                                  "/api/presets"])
def test_head_answers_like_get_without_a_body(server, path):
    get = httpx.get(server.url + path)
    head = httpx.head(server.url + path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["x-content-type-options"] == "nosniff"


def test_pages_load_versioned_modules_that_are_cached_long(server):
    page = httpx.get(server.url + "/").text
    scripts = re.findall(r'src="(/static/v/([0-9a-f]{12})/js/[^"]+)"', page)
    styles = re.findall(r'href="(/static/v/[0-9a-f]{12}/css/[^"]+)"', page)
    assert scripts and styles and len({v for _, v in scripts}) == 1
    version = scripts[0][1]
    assert "/static/js/" not in page  # every module link carries the version
    for path in [s for s, _ in scripts] + styles + [f"/static/v/{version}/js/protocol.js"]:
        answer = httpx.get(server.url + path)
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    plain = httpx.get(server.url + "/static/js/main.js")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "no-cache"
    old = httpx.get(server.url + "/static/v/000000000000/js/main.js")
    assert old.status_code == 200 and old.headers["cache-control"] == "no-cache"
    again = httpx.get(server.url + "/static/js/main.js",
                      headers={"if-none-match": plain.headers["etag"]})
    assert again.status_code == 304
    assert httpx.get(server.url + f"/static/v/{version}/js/nope.js").status_code == 404


def test_the_version_follows_the_files(tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("export const a = 1;\n")
    first = tree_version(tmp_path)
    assert tree_version(tmp_path) == first
    (tmp_path / "js" / "a.js").write_text("export const a = 2;\n")
    second = tree_version(tmp_path)
    (tmp_path / "js" / "b.js").write_text("")
    assert len({first, second, tree_version(tmp_path)}) == 3


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_a_non_finite_number_is_named_as_such(server, run, constant):
    async def scenario():
        async with Client.connect(server.ws_url) as c:
            await c.recv()
            await c.ws.send('{"type": "speed", "epochs_per_second": ' + constant + "}")
            return await c.expect("error")
    error = run(scenario())
    assert (error["code"], error["field"]) == ("bad_json", "epochs_per_second")
    assert constant.lstrip("-") in error["message"] and "finite" in error["message"]
    assert "digits" not in error["message"]


@pytest.mark.parametrize("text", [
    "/ws/train?session={t}", "/ws/train?session={q}&x=1", "/ws/train?x=1&session={qq}",
    '"GET /ws/train?session%3D{q} HTTP/1.1"'])
def test_redaction_cuts_every_spelling_of_a_token(text):
    token = "Pp-i7xYzAbCdEfGhIjKlMn"
    line = redact(text.format(t=token, q=quote(token, safe=""),
                              qq=quote(quote(token, safe=""), safe="")))
    assert "Pp-i7x…" in line
    assert "YzAbCd" not in line and "xYz" not in line


def test_a_percent_encoded_token_never_reaches_the_server_log(run):
    with ServerProcess() as server:
        async def scenario():
            async with Client.connect(server.ws_url) as c:
                token = (await c.recv())["session"]
                c.ws.transport.abort()  # dropped, not closed: the session waits
            await asyncio.sleep(0.3)
            encoded = "".join(f"%{b:02X}" if ch in "-_" or i % 3 == 0 else ch
                              for i, (ch, b) in enumerate(zip(token, token.encode())))
            async with Client.connect(f"{server.ws_url}?session={encoded}") as c:
                assert (await c.recv())["resumed"] is True
            return token
        token = run(scenario())
        time.sleep(0.3)
        log = server.log()
    assert "/ws/train?session=" in log  # uvicorn's lines are there, cut
    assert token not in log and token[6:] not in log
    assert not any(token[i:i + 8] in log for i in range(6, len(token) - 8))
