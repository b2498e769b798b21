"""``bench/load.py --faults``: attacks on a server while 50 learners train, one after another.

    .venv/bin/python bench/load.py --faults [--learners 50] [--seconds 10]

One ``nnlive serve`` with default settings, but for four: it believes X-Forwarded-For
from 127.0.0.1 (so every learner, and every attacker, has an address of its own, as
behind a proxy), ``NNLIVE_API_TIME_LIMIT=2`` (as in the issue's report), the server cap
raised by what the attackers hold, and a 10 s grace period (the end waits until every
session is gone). The learners (default configuration, pause and
resume every ~3 s) stay connected throughout; each phase runs one attack, from its own
address, for its warm-up and ``--seconds`` measured:

1. none (the baseline);
2. oversized bodies: 4 clients posting 60 MB to ``/api/train`` (declared, and chunked
   without a length);
3. abandoned API sweeps: 3 clients posting sweeps that fit their cost estimate but not
   the time limit (the deadline stops them), each abandoned after 0.5 s, and one
   repeating the issue's request (16 variants of the heaviest configuration for 10,000
   epochs: refused before it starts);
4. abandoned live sweeps: 3 sockets at a time starting the heaviest configuration and a
   16-variant sweep, then closing after 2 s;
5. idle sockets: up to 200 sockets that say nothing after ``hello``;
6. one-address flood: sessions opened as fast as one client can, a run started in each;
7. a heavy learner (2,000 points, batch 1, 6 × 16);
8. 4 sockets flooding restarting updates (this and 7 were the earlier ``--faults``).

Per phase: the learners' frames/s (p10, p50), epochs/s, control round trip, errors, the
server's CPU and RSS at the phase's start and end, the attacking process's own CPU (on
a 2-core machine it competes with the server and the learners: a real attacker's would
not), and what the attacker was answered.
A last phase without attack, once the attackers' sessions are gone (10 s grace): the
learners' RSS then against theirs before the attacks (target: within 1.5 ×); then RSS
once every session is gone against the idle server's, and the log's tracebacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import tempfile
import time
from collections import Counter

import httpx
import psutil
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from app.training import DUTY
from bench.load import (
    WARMUP,
    _drain,
    _misbehaving,
    client_process,
    collect_windows,
    stop_server,
    summarize,
)
from bench.server import free_port, start_server
from core import cost
from core.config import validate_config

F7 = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
HEAVIEST = {"n_points": 2000, "train_ratio": 90, "batch_size": 1, "hidden": [16] * 6,
            "features": F7, "optimizer": "adam", "activation": "relu"}
# fits a 2 s limit by its estimate, takes far longer: the deadline must stop it
SLOW = {"n_points": 2000, "train_ratio": 90, "batch_size": 10, "hidden": [16] * 6,
        "features": F7}
RATES = [round(0.001 * (i + 1), 3) for i in range(16)]
ATTACKER_SESSIONS = 200 + 150  # idle sockets and the flood may hold up to this many
API_TIME_LIMIT = 2.0  # as in the report
GRACE = 10  # seconds a dropped session waits (60 by default)


def _from(address: str) -> dict:
    return {"X-Forwarded-For": address}


# --- the attacks: each runs until ``stop`` and counts what it was answered -----------------
async def oversized_bodies(base: str, stop: asyncio.Event, seen: Counter) -> None:
    async def chunks():
        for _ in range(60 * 16):  # 60 MB in 64 KB chunks
            yield b"[" + b"0," * 32_000
            await asyncio.sleep(0)

    async def one(i: int):
        async with httpx.AsyncClient(timeout=30, headers=_from("198.18.1.1")) as client:
            while not stop.is_set():
                headers = {"content-type": "application/json"}
                if i % 2:  # a declared length
                    headers["content-length"] = str(60 * 2**20)
                try:
                    answer = await client.post(f"{base}/api/train", content=chunks(),
                                               headers=headers)
                    seen[f"HTTP {answer.status_code}"] += 1
                except Exception as exc:  # the server cut the upload short: an answer too
                    seen[type(exc).__name__] += 1
    await asyncio.gather(*(one(i) for i in range(4)))


def epochs_that_pass_the_estimate(limit: float) -> int:
    """Epochs of the SLOW sweep whose cost estimate fits ``limit`` with learners on the
    server (API work then computes DUTY of the time): the deadline has to stop them."""
    configs = [validate_config({**SLOW, "learning_rate": r}) for r in RATES]
    return max(2, int(0.9 * cost.epochs_within(configs, limit * DUTY)))


async def abandoned_api_sweeps(base: str, stop: asyncio.Event, seen: Counter) -> None:
    sweep = {"config": SLOW, "epochs": epochs_that_pass_the_estimate(API_TIME_LIMIT),
             "vary": {"field": "learning_rate", "values": RATES}}
    costly = {"config": HEAVIEST, "epochs": 10_000,
              "vary": {"field": "learning_rate", "values": RATES}}

    async def one(i: int):
        async with httpx.AsyncClient(timeout=30, headers=_from("198.18.2.1")) as client:
            while not stop.is_set():
                body = costly if i == 0 else sweep
                try:
                    answer = await asyncio.wait_for(
                        client.post(f"{base}/api/sweep", json=body), 0.5 if i else 30)
                    seen[f"HTTP {answer.status_code} {answer.json()['error']['code']}"] += 1
                except TimeoutError:
                    seen["abandoned after 0.5 s"] += 1
                except httpx.HTTPError as exc:
                    seen[type(exc).__name__] += 1
    await asyncio.gather(*(one(i) for i in range(4)))


async def abandoned_live_sweeps(url: str, stop: asyncio.Event, seen: Counter) -> None:
    async def one():
        while not stop.is_set():
            try:
                async with connect(url, max_size=None, compression=None,
                                   additional_headers=_from("198.18.3.1")) as ws:
                    await ws.send(json.dumps({"type": "start", "config": HEAVIEST}))
                    await ws.send(json.dumps({"type": "sweep", "epochs": 2000, "vary": {
                        "field": "learning_rate", "values": RATES}}))
                    until = time.monotonic() + 2.0
                    while time.monotonic() < until:
                        with contextlib.suppress(TimeoutError):
                            data = await asyncio.wait_for(ws.recv(), until - time.monotonic())
                            if isinstance(data, str) and '"sweep_started"' in data:
                                seen["sweep started"] += 1
                            elif isinstance(data, str) and data.startswith('{"type":"error"'):
                                seen[f"error {json.loads(data)['code']}"] += 1
            except (ConnectionClosed, InvalidStatus, OSError) as exc:
                seen[type(exc).__name__] += 1
                await asyncio.sleep(0.2)
    await asyncio.gather(*(one() for _ in range(3)))


async def idle_sockets(url: str, stop: asyncio.Event, seen: Counter) -> None:
    held = []
    try:
        for _ in range(200):
            if stop.is_set():
                break
            try:
                ws = await connect(url, additional_headers=_from("198.18.4.1"))
                await ws.recv()
                held.append(ws)
                seen["idle socket admitted"] += 1
            except InvalidStatus as exc:
                seen[f"refused HTTP {exc.response.status_code}"] += 1
                await asyncio.sleep(0.05)
            except ConnectionClosed as exc:
                seen[f"closed {exc.rcvd.code if exc.rcvd else ''}"] += 1
        await stop.wait()
        newcomer = await connect(url, additional_headers=_from("198.18.4.99"))
        seen["a newcomer elsewhere got " + json.loads(await newcomer.recv())["type"]] += 1
        await newcomer.close()
    finally:
        for ws in held:
            ws.transport.abort()


async def one_address_flood(url: str, stop: asyncio.Event, seen: Counter) -> None:
    held, readers = [], []
    try:
        while not stop.is_set():
            try:
                ws = await connect(url, max_size=None, compression=None,
                                   additional_headers=_from("198.18.5.1"))
                await ws.recv()
                await ws.send(json.dumps({"type": "start", "config": {"seed": len(held)}}))
                held.append(ws)
                readers.append(asyncio.create_task(_drain(ws)))
                seen["session"] += 1
            except InvalidStatus as exc:
                seen[f"refused HTTP {exc.response.status_code}"] += 1
            except ConnectionClosed as exc:
                seen[f"closed {exc.rcvd.code if exc.rcvd else ''}"] += 1
    finally:
        for task in readers:
            task.cancel()
        for ws in held:
            ws.transport.abort()


async def heavy_learner(url: str, stop: asyncio.Event, seen: Counter) -> None:
    await _misbehaving(url, "heavy", stop)
    seen["heavy learner ran"] += 1


async def update_flood(url: str, stop: asyncio.Event, seen: Counter) -> None:
    sent = await asyncio.gather(*(_misbehaving(url, "flood", stop) for _ in range(4)),
                                return_exceptions=True)
    seen.update({"restarting updates sent": sum(s for s in sent if isinstance(s, int))})
    seen.update(f"{type(s).__name__} {getattr(getattr(s, 'rcvd', None), 'code', '')}"
                for s in sent if not isinstance(s, int))


PHASES = [("no attack", None), ("oversized bodies", oversized_bodies),
          ("abandoned API sweeps", abandoned_api_sweeps),
          ("abandoned live sweeps", abandoned_live_sweeps), ("idle sockets", idle_sockets),
          ("one-address flood", one_address_flood), ("a heavy learner", heavy_learner),
          ("4 sockets flooding updates", update_flood), ("no attack, after", None)]
HTTP_ATTACKS = (oversized_bodies, abandoned_api_sweeps)


async def run_phase(attack, base: str, url: str, step: dict, proc: psutil.Process) -> dict:
    await asyncio.sleep(max(0.0, step["begin"] - time.monotonic()))
    rss_before, seen, stop = proc.memory_info().rss, Counter(), asyncio.Event()
    task = None
    if attack is not None:
        target = base if attack in HTTP_ATTACKS else url
        task = asyncio.create_task(attack(target, stop, seen))
    await asyncio.sleep(max(0.0, step["measure"] - time.monotonic()))
    me = psutil.Process()
    proc.cpu_percent()
    me.cpu_percent()
    await asyncio.sleep(max(0.0, step["end"] - time.monotonic()))
    cpu, attacker_cpu = proc.cpu_percent(), me.cpu_percent()
    stop.set()
    if task is not None:
        try:
            await asyncio.wait_for(task, 20)
        except Exception as exc:  # a benchmark reports what happened, whatever it was
            seen[f"attacker ended: {type(exc).__name__}"] += 1
    return {"cpu": cpu, "attacker_cpu": attacker_cpu, "rss_before": rss_before / 2**20,
            "rss_after": proc.memory_info().rss / 2**20, "seen": dict(seen)}


def main(learners: int = 50, seconds: float = 10.0, workers: int = 2,
         only: str | None = None) -> None:
    global PHASES
    if only:  # the baselines and the phases whose names contain ``only``
        PHASES = [PHASES[0]] + [p for p in PHASES[1:-1] if only in p[0]] + [PHASES[-1]]
    port = free_port()
    base, url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws/train"
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    env = {"NNLIVE_FORWARDED_ALLOW_IPS": "127.0.0.1", "NNLIVE_API_TIME_LIMIT": str(API_TIME_LIMIT),
           "NNLIVE_MAX_SESSIONS": str(learners + ATTACKER_SESSIONS),
           "NNLIVE_GRACE_SECONDS": str(GRACE),  # dropped attackers' sessions go sooner
           # the defaults of the per-address limits, which bench/server.py lifts
           "NNLIVE_MAX_SESSIONS_PER_CLIENT": "150", "NNLIVE_SESSION_RATE": "5",
           "NNLIVE_SESSION_BURST": "60"}
    server = start_server(port, env, log)
    try:
        proc = psutil.Process(server.pid)
        print(f"load average at start: {os.getloadavg()}; {os.cpu_count()} cores; "
              f"{learners} learners; {seconds:g} s measured per phase after {WARMUP:g} s")
        t, plan = time.monotonic() + 4.0, []
        for i, _ in enumerate(PHASES):
            if i == len(PHASES) - 1:
                t += GRACE + 2.0  # the attackers' dropped sessions are freed before the last
            plan.append({"learners": learners, "begin": t, "measure": t + WARMUP,
                         "end": t + WARMUP + seconds})
            t += WARMUP + seconds + 2.0  # 2 s between phases: the attacker's leftovers go
        out = mp.Queue()
        procs = [mp.Process(target=client_process, args=(url, plan, w, workers, out, True))
                 for w in range(workers)]
        for p in procs:
            p.start()

        async def phases():
            idle = proc.memory_info().rss / 2**20
            results = [await run_phase(attack, base, url, step, proc)
                       for (_, attack), step in zip(PHASES, plan)]
            gone = await all_sessions_gone(base)
            await asyncio.sleep(3.0)  # the housekeeping tidies up within 2 s
            return idle, results, proc.memory_info().rss / 2**20, gone

        idle, results, final, gone = asyncio.run(phases())
        report(plan, results, out, procs, idle, final, log, gone)
    finally:
        stop_server(server)
        os.unlink(log.name)


async def all_sessions_gone(base: str, timeout: float = 90.0) -> float:
    """Seconds until the server holds no session (dropped ones wait out their grace)."""
    began = time.monotonic()
    async with httpx.AsyncClient(timeout=5) as client:
        while time.monotonic() - began < timeout:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{base}/healthz")).json()["sessions"] == 0:
                    break
            await asyncio.sleep(0.5)
    return time.monotonic() - began


def report(plan, results, out, procs, idle: float, final: float, log, gone: float) -> None:
    windows = collect_windows(out, procs, len(plan))
    print(f"{'phase':30s} {'fps p10':>7s} {'p50':>5s} {'ep/s':>5s} {'rtt p95':>7s} "
          f"{'CPU%':>5s} {'att.%':>5s} {'RSS MB':>13s}  learners' errors; attacker answered")
    for (name, _), step, result, per in zip(PHASES, plan, results, windows):
        r = summarize(step, per, step["end"] - step["measure"])
        print(f"{name:30s} {r['fps_p10']:7.1f} {r['fps_p50']:5.1f} {r['eps_p50']:5.1f} "
              f"{r['rtt_p95']:7.1f} {result['cpu']:5.0f} {result['attacker_cpu']:5.0f} "
              f"{result['rss_before']:6.0f}→{result['rss_after']:<6.0f} "
              f"{r['errors'] or '-'} {len(r['disconnects'])} dropped; {result['seen']}",
              flush=True)
    log.seek(0)
    text = log.read()
    joined, after = results[0]["rss_after"], results[-1]["rss_after"]
    print(f"RSS with the learners alone: {joined:.0f} MB before the attacks, {after:.0f} MB "
          f"after them ({after / joined:.2f} ×); idle at start {idle:.0f} MB, once every "
          f"session was gone {final:.0f} MB ({final / idle:.2f} ×, {gone:.0f} s after the "
          f"last phase); server log: {text.count('Traceback')} tracebacks, "
          f"{sum('ERROR' in line for line in text.splitlines())} ERROR lines; "
          f"load average at end: {os.getloadavg()}")
