"""``GET /metrics`` counts what happened on a real server; structured log lines."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
from prometheus_client.parser import text_string_to_metric_families

from app.live.outbox import Outbox
from app.live.run import RunState
from app.live.session import Session
from app.logs import JsonFormatter, TextFormatter, redact
from app.main import create_app
from app.metrics import Metrics
from app.settings import load_settings
from core.config import validate_config
from tests.app.live import Client, LiveServer


def scrape(server) -> dict:
    """{(sample name, frozenset(labels)): value} from the server's /metrics."""
    answer = httpx.get(f"{server.url}/metrics", timeout=5)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(answer.text)
            for s in family.samples}


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_count_sessions_frames_epochs_errors_refusals_and_lag(run, caplog):
    caplog.set_level(logging.INFO, logger="nnlive")
    with LiveServer(max_sessions=1) as server:
        async def scenario():
            async with Client.connect(server.ws_url) as c:
                token = (await c.recv())["session"]
                await c.start(seed=4)
                await c.frame(lambda f: f.header["epoch"] >= 20)
                await c.send("fly")
                assert (await c.expect("error"))["code"] == "unknown_type"
                async with Client.connect(server.ws_url) as refused:
                    await refused.ws.wait_closed()
                    assert refused.ws.close_code == 1013
                epoch = c.frames[-1].header["epoch"]
                live = await asyncio.to_thread(scrape, server)
                c.ws.transport.abort()
            for _ in range(100):  # the server notices the drop
                dropped = await asyncio.to_thread(scrape, server)
                if value(dropped, "nnlive_sessions", state="detached") == 1:
                    break
                await asyncio.sleep(0.05)
            return token, epoch, len(c.frames), live, dropped

        token, epoch, received, live, dropped = run(scenario())
    assert value(live, "nnlive_sessions", state="attached") == 1
    assert value(live, "nnlive_sessions", state="detached") == 0
    assert value(live, "nnlive_frames_sent_total") >= received
    assert value(live, "nnlive_epochs_trained_total") >= epoch >= 20
    assert value(live, "nnlive_errors_total", code="unknown_type") == 1
    assert value(live, "nnlive_sessions_refused_total", reason="server_full") == 1
    assert value(live, "nnlive_sessions_opened_total", kind="new") == 1
    assert value(live, "nnlive_event_loop_lag_seconds_count") > 0
    assert value(dropped, "nnlive_sessions", state="attached") == 0
    assert value(dropped, "nnlive_sessions", state="detached") == 1

    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records
             if r.name.startswith("nnlive")]
    events = {line["event"] for line in lines if line["logger"] == "nnlive.session"}
    assert {"opened", "refused", "detached"} <= events
    opened = next(line for line in lines if line["event"] == "opened")
    assert opened["session"] == token[:6] and opened["client"] == "127.0.0.1"
    assert all(token not in json.dumps(line) for line in lines)
    access = [line for line in lines if line["logger"] == "nnlive.access"]
    assert any(a["path"] == "/metrics" and a["status"] == 200 and a["bytes"] > 0
               for a in access)


def test_each_app_has_its_own_registry():
    first, second = create_app(load_settings({})), create_app(load_settings({}))
    first.state.metrics.epochs.inc(5)
    assert first.state.metrics.registry is not second.state.metrics.registry
    assert b"nnlive_epochs_trained_total 5.0" in first.state.metrics.exposition()
    assert b"nnlive_epochs_trained_total 0.0" in second.state.metrics.exposition()


def test_an_unsent_frame_replaced_by_a_newer_one_counts_as_dropped(run):
    async def scenario():
        metrics = Metrics()
        session = Session("t" * 22, "127.0.0.1", load_settings({}), metrics)
        session.attach(Outbox())  # nobody drains it: the epoch-0 frame stays unsent
        session.new_run(validate_config({"seed": 1}), state=RunState.RUNNING)
        session.train(3)
        session.push_frame(1e9)
        return metrics
    metrics = run(scenario())
    assert metrics.registry.get_sample_value("nnlive_frames_dropped_total") == 1
    assert metrics.registry.get_sample_value("nnlive_epochs_trained_total") == 3


def test_log_lines_cut_tokens_in_urls_and_carry_fields():
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1,
                               '%s - "WebSocket %s" [accepted]',
                               ("127.0.0.1:5", "/ws/train?session=abcdefghijklmnop"), None)
    record.fields = {"epoch": 3}
    line = json.loads(JsonFormatter().format(record))
    assert "abcdefghij" not in line["event"] and "session=abcdef…" in line["event"]
    assert line["epoch"] == 3 and line["level"] == "info"
    assert TextFormatter().format(record).endswith("epoch=3")
    assert redact("no token here") == "no token here"
