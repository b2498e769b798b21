"""Embedding over real HTTP: framing headers of /embed vs the other pages, the embed
page's options and their errors, oEmbed and its discovery link, the WebSocket origin
check for course sites, and NNLIVE_EMBED_ORIGINS."""

from __future__ import annotations

import html
import json
import re

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from app.settings import SettingsError, load_settings
from tests.app.live import Client, LiveServer

COURSE = "https://course.example.org"


def frame_ancestors(response: httpx.Response) -> str:
    policy = response.headers["content-security-policy"]
    return re.search(r"frame-ancestors ([^;]+)", policy).group(1)


def test_embed_may_be_framed_anywhere_other_pages_only_by_themselves(server):
    embed = httpx.get(server.url + "/embed?preset=l1")
    assert embed.status_code == 200
    assert frame_ancestors(embed) == "*"
    assert "x-frame-options" not in embed.headers
    assert "set-cookie" not in embed.headers
    for path in ("/", "/lessons/neurons", "/api/presets"):
        other = httpx.get(server.url + path)
        assert frame_ancestors(other) == "'self'", path
        assert "set-cookie" not in other.headers


def test_embed_origins_setting_limits_framing_not_the_websocket(run):
    with LiveServer(embed_origins=(COURSE,)) as live:
        assert frame_ancestors(httpx.get(live.url + "/embed")) == f"'self' {COURSE}"
        assert frame_ancestors(httpx.get(live.url + "/")) == "'self'"
        page = httpx.get(live.url + "/embed?parent_origin=https://other.example").text
        assert "parent_origin must be one of the embed origins" in html.unescape(page)

        async def scenario():
            # the frame's page connects from nnlive's own origin; the course site may not
            with pytest.raises(InvalidStatus) as refused:
                async with Client.connect(live.ws_url, origin=COURSE):
                    pass
            assert refused.value.response.status_code == 403
            async with Client.connect(live.ws_url, origin=live.url) as c:
                assert (await c.recv())["type"] == "hello"
        run(scenario())


def test_embed_origins_are_validated():
    settings = load_settings({"NNLIVE_EMBED_ORIGINS": f"{COURSE}, https://b.example/"})
    assert settings.embed_origins == (COURSE, "https://b.example")
    with pytest.raises(SettingsError) as error:
        load_settings({"NNLIVE_EMBED_ORIGINS": "course.example.org"})
    assert error.value.name == "NNLIVE_EMBED_ORIGINS"
    assert "origins" in str(error.value) and "course.example.org" in str(error.value)


def page_data(text: str) -> dict:
    match = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', text, re.S)
    return json.loads(match.group(1))


def test_embed_options_and_their_errors(server):
    ok = page_data(httpx.get(server.url + "/embed?preset=l2&reg_rate=0.5&controls=reg_rate,"
                             "hidden&lock=regularization&autoplay=0&theme=dark&lang=zh").text)
    assert ok["config"]["regularization"] == "l2" and ok["config"]["reg_rate"] == 0.5
    assert ok["config"]["hidden"] == [6]  # from the preset
    embed = ok["embed"]
    assert (embed["controls"], embed["lock"], embed["autoplay"], embed["theme"]) == \
        (["reg_rate", "hidden"], ["regularization"], False, "dark")
    assert embed["errors"] == [] and embed["origins"] == [] and ok["lang"] == "zh"
    bad = httpx.get(server.url + "/embed?preset=nope&controls=reg_rate,wings&lock=seed,fins"
                    "&autoplay=2&theme=pink&parent_origin=javascript:x")
    assert bad.status_code == 200
    errors = {e["field"]: e["message"] for e in page_data(bad.text)["embed"]["errors"]}
    assert set(errors) == {"preset", "controls", "lock", "autoplay", "theme", "parent_origin"}
    assert "'wings'" in errors["controls"] and "reg_rate" in errors["controls"]
    assert "one_neuron" in errors["preset"] and "'pink'" in errors["theme"]
    shown = html.unescape(bad.text)
    assert all(message in shown for message in errors.values())  # visible on the page
    assert page_data(bad.text)["embed"]["controls"] == ["reg_rate"]


def test_oembed_rich_json(server):
    page = server.url + "/embed?preset=l1&lang=zh"
    answer = httpx.get(server.url + "/oembed", params={"url": page, "format": "json"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["version"], body["type"], body["provider_name"]) == ("1.0", "rich", "nnlive")
    assert body["width"] > 0 and body["height"] > 0 and body["title"]
    src = html.unescape(re.search(r'src="([^"]+)"', body["html"]).group(1))
    assert src == page and body["html"].startswith("<iframe ")
    lesson = httpx.get(server.url + "/oembed", params={
        "url": server.url + "/lessons/regularization?lang=en", "maxwidth": "400"}).json()
    assert lesson["width"] == 400 and "Regularization" in lesson["title"]
    assert "regularization=l1" in lesson["html"] and "/embed?" in lesson["html"]
    assert httpx.get(server.url + "/embed?" + html.unescape(
        re.search(r'src="[^"]*/embed\?([^"]+)"', lesson["html"]).group(1))).status_code == 200


@pytest.mark.parametrize("params, status, field", [
    ({"url": "https://elsewhere.example/embed"}, 404, "url"),
    ({"url": "{base}/api/presets"}, 404, "url"),
    ({"url": "{base}/lessons/no-such-lesson"}, 404, "url"),
    ({"url": "{base}/embed", "format": "xml"}, 501, "format"),
    ({}, 400, "url"),
    ({"url": "{base}/embed", "maxwidth": "-3"}, 400, "maxwidth"),
])
def test_oembed_refusals(server, params, status, field):
    params = {k: v.format(base=server.url) for k, v in params.items()}
    answer = httpx.get(server.url + "/oembed", params=params)
    assert answer.status_code == status
    error = answer.json()["error"]
    assert error["field"] == field and field in error["message"]


@pytest.mark.parametrize("path", ["/?dataset=xor", "/embed?preset=l2", "/lessons/neurons"])
def test_discovery_link_leads_to_the_oembed_answer(server, path):
    text = httpx.get(server.url + path).text
    link = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"',
                     text)
    assert link, path
    answer = httpx.get(html.unescape(link.group(1)))
    assert answer.status_code == 200 and answer.json()["type"] == "rich"


def test_no_discovery_link_where_there_is_nothing_to_embed(server):
    assert "json+oembed" not in httpx.get(server.url + "/lessons").text
