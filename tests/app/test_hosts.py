"""Which hosts and origins the server answers: DNS rebinding, a forged Host, the public
origin behind a TLS proxy, and the scheme in the WebSocket origin check (issue 11,
item 11)."""

from __future__ import annotations

import socket

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from tests.app.live import Client, LiveServer

PUBLIC = "https://nnlive.example.edu"


async def _opens(server, host: str | None = None, origin: str | None = None) -> bool:
    """Whether a socket opens when the page's address names ``host`` (the TCP
    connection goes to the test server whatever the name)."""
    sock = socket.create_connection(("127.0.0.1", server.port))
    url = f"ws://{host or f'127.0.0.1:{server.port}'}/ws/train"
    headers = {"Origin": origin} if origin else {}
    try:
        async with Client.connect(url, sock=sock, additional_headers=headers) as c:
            return (await c.recv())["type"] == "hello"
    except InvalidStatus as exc:
        assert exc.response.status_code == 403
        return False


@pytest.mark.parametrize("path", ["/", "/embed", "/lessons", "/api/presets",
                                  "/oembed?url=http://evil.test/", "/lessons/"])
def test_a_host_the_server_does_not_serve_gets_400(server, path):
    answer = httpx.get(server.url + path, headers={"host": "evil.test"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["code"], error["field"]) == ("host_not_allowed", "host")
    assert "evil.test" not in answer.headers.get("location", "")
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_dns_rebinding_cannot_open_a_socket(server, run):
    """A page on evil.test whose name now resolves to this server: the browser sends
    Host and Origin of evil.test, which agree with each other."""
    host = f"evil.test:{server.port}"
    assert not run(_opens(server, host, f"http://{host}"))
    assert run(_opens(server, None, f"http://127.0.0.1:{server.port}"))
    local = f"localhost:{server.port}"
    assert run(_opens(server, local, f"http://{local}"))


def test_the_origin_check_compares_the_scheme(server, run):
    assert not run(_opens(server, None, f"https://127.0.0.1:{server.port}"))


def test_behind_a_tls_proxy_the_public_origin_names_every_address(run):
    with LiveServer(public_origins=(PUBLIC,)) as server:
        host = {"host": "nnlive.example.edu"}
        oembed = httpx.get(f"{server.url}/oembed", headers=host,
                           params={"url": f"{PUBLIC}/?hidden=3"}).json()
        assert oembed["provider_url"] == f"{PUBLIC}/"
        assert f'src="{PUBLIC}/embed?hidden=3"' in oembed["html"]
        moved = httpx.get(f"{server.url}/lessons/", headers=host)
        assert moved.status_code in (307, 308)
        assert moved.headers["location"].startswith(f"{PUBLIC}/lessons")
        assert httpx.get(server.url + "/", headers={"host": "evil.test"}).status_code == 400
        assert httpx.get(server.url + "/healthz").status_code == 200  # probes by address
        assert run(_opens(server, "nnlive.example.edu", PUBLIC))
        assert not run(_opens(server, "nnlive.example.edu", "http://nnlive.example.edu"))
