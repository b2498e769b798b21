"""Request bodies: JSON only, bounded while they stream, parsed off the event loop when
large, and every malformed one a 4xx naming the field (issue 11, items 1, 2 and 7)."""

from __future__ import annotations

import json
import socket
import threading

import httpx
import pytest

import app.bodies
from tests.app.live import LiveServer

LIMIT = 20_000  # small, so oversized bodies are cheap to send


@pytest.fixture(scope="module")
def server():
    with LiveServer(max_body_bytes=LIMIT) as live:
        yield live


def _post(server, path: str, content: bytes | str, content_type="application/json"):
    headers = {"content-type": content_type} if content_type else {}
    return httpx.post(server.url + path, content=content, headers=headers, timeout=30)


def _error(answer) -> dict:
    return answer.json()["error"]


@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
    None])
@pytest.mark.parametrize("path", ["/api/train", "/api/sweep"])
def test_a_body_that_a_form_can_send_starts_nothing(server, path, content_type):
    """A page elsewhere can make a browser send these without a CORS preflight."""
    body = json.dumps({"config": {}, "epochs": 1})
    answer = _post(server, path, body, content_type)
    assert answer.status_code == 415
    error = _error(answer)
    assert (error["code"], error["field"]) == ("unsupported_media_type", "content-type")
    assert "application/json" in error["message"]


def test_json_with_a_charset_is_accepted(server):
    answer = _post(server, "/api/train", json.dumps({"config": {"n_points": 20}, "epochs": 1}),
                   "application/json; charset=utf-8")
    assert answer.status_code == 200


def test_a_declared_oversized_body_is_refused_before_it_is_read(server):
    points = [[0.5, 0.5, i % 2] for i in range(2000)]
    body = json.dumps({"config": {"dataset": "custom", "points": points}, "epochs": 1})
    assert len(body) > LIMIT
    answer = _post(server, "/api/train", body)
    assert answer.status_code == 413
    error = _error(answer)
    assert (error["code"], error["field"]) == ("body_too_large", "body")
    assert f"{LIMIT:,}" in error["message"] and "NNLIVE_MAX_BODY_BYTES" in error["message"]


@pytest.mark.parametrize("framing, content_type", [
    (b"Transfer-Encoding: chunked", b"application/json"),   # no length: 411
    (b"Content-Length: 62914560", b"application/json"),     # refused from the header
    (b"Content-Length: 62914560", b"text/plain")])          # refused for its type
def test_a_refused_upload_is_answered_and_cut_off(server, framing, content_type):
    """The answer comes while the client is still sending, and the server closes the
    connection rather than read the rest (60 MB) to keep it alive."""
    chunked = b"chunked" in framing
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /api/train HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                     + content_type + b"\r\n" + framing + b"\r\n\r\n")
        piece = b"[" + b"0," * 8000
        data = b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece
        reply, sent, closed = b"", 0, False
        sock.settimeout(0.01)
        while sent < 4000:  # up to 64 MB offered
            try:
                sock.sendall(data)
                sent += 1
                reply += sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:  # reset: the server closed while we were sending
                closed = True
                break
    assert reply.startswith(b"HTTP/1.1 41"), reply[:200]
    assert reply.split(b" ")[1] == (b"411" if chunked else b"415" if b"text" in content_type
                                    else b"413")
    assert b"connection: close" in reply.lower()
    assert closed and sent < 400  # cut off long before 60 MB went in


def test_a_large_body_is_parsed_in_a_worker_thread(monkeypatch):
    threads = []
    parse = app.bodies.parse

    def recording(text, what):
        threads.append((len(text), threading.current_thread().name))
        return parse(text, what)

    monkeypatch.setattr(app.bodies, "parse", recording)
    small = json.dumps({"config": {"n_points": 20}, "epochs": 1})
    big = json.dumps({"config": {"n_points": 20}, "epochs": 1,
                      "pad": "x" * (app.bodies.OFF_LOOP_BYTES + 10)})
    with LiveServer(max_body_bytes=4 * app.bodies.OFF_LOOP_BYTES) as roomy:
        loop_thread = roomy.call(lambda: threading.current_thread().name)
        assert _post(roomy, "/api/train", small).status_code == 200
        answer = _post(roomy, "/api/train", big)
    assert answer.status_code == 422 and _error(answer)["field"] == "pad"  # parsed, refused
    (_, small_thread), (big_len, big_thread) = threads
    assert small_thread == loop_thread
    assert big_len > app.bodies.OFF_LOOP_BYTES and big_thread != loop_thread


BIG_INTEGER = "9" * 5000
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("path, body, field", [
    ("/api/train", '{"config": {"seed": ' + BIG_INTEGER + '}, "epochs": 1}', "config.seed"),
    ("/api/sweep", '{"config": {}, "epochs": 1, "vary": {"field": "learning_rate", '
     '"values": [0.1, ' + BIG_INTEGER + ']}}', "vary.values[1]"),
    ("/api/train", '{"config": {"hidden": ' + DEEP + '}, "epochs": 1}', "config"),
    ("/api/sweep", '{"config": {}, "epochs": 1, "vary": ' + DEEP + '}', "vary"),
    ("/api/train", '{"config": {"hidden": ' + "[" * 40 + "]" * 40 + '}, "epochs": 1}',
     "config"),
    ("/api/train", '{"config": {"learning_rate": NaN}, "epochs": 1}',
     "config.learning_rate"),
    ("/api/sweep", '{"config": {}, "epochs": Infinity}', "epochs"),
])
def test_malformed_json_is_400_naming_the_field(server, path, body, field):
    with LiveServer(max_body_bytes=1_000_000) as roomy:  # the deep body is 200 KB
        answer = _post(roomy, path, body)
    assert answer.status_code == 400, answer.text[:300]
    error = _error(answer)
    assert (error["code"], error["field"]) == ("bad_json", field)
    assert len(error["message"]) > 20


@pytest.mark.parametrize("config, field", [
    ('{"\\ud800": 1}', "\\ud800"),
    ('{"dataset": "\\ud800"}', "dataset"),
    ('{"features": ["x1", "\\udfff"]}', "features[1]"),
])
def test_a_lone_surrogate_is_a_4xx_naming_the_field(server, config, field):
    answer = _post(server, "/api/train", '{"config": ' + config + ', "epochs": 1}')
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["field"] == field and error["code"] == "invalid_config"


@pytest.mark.parametrize("query, field", [
    ("maxwidth=%C2%B2", "maxwidth"), (f"maxwidth={'9' * 5000}", "maxwidth"),
    ("maxheight=%D9%A3", "maxheight")])
def test_oembed_sizes_that_are_not_plain_digits_are_400(server, query, field):
    answer = httpx.get(f"{server.url}/oembed?url={server.url}/&{query}")
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == field


def test_an_unexpected_500_carries_the_security_headers():
    with LiveServer() as live:
        def boom():
            raise RuntimeError("a bug")
        live.app.add_api_route("/boom", boom)
        live.app.middleware_stack = None  # rebuilt with the route on the next request
        answer = httpx.get(live.url + "/boom")
    assert answer.status_code == 500
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
