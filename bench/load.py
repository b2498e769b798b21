"""Load ramp: 10 → 50 → 100 → 200 concurrent learners against one server on loopback,
then a step over the session cap.

    .venv/bin/python bench/load.py [--steps 10,50,100,200] [--seconds 10] [--workers 2]
    .venv/bin/python bench/load.py --faults   # attacks beside 50 learners (bench/faults.py)
    .venv/bin/python bench/load.py --wall     # a class of 100 with the wall open (bench/wall.py)

The server runs in a subprocess (``nnlive serve``, default settings but the per-address
cap, since every learner here comes from 127.0.0.1). The learners run in ``--workers``
client processes, so the driver's own work never slows them. Each learner starts the
default configuration, reads every frame (header prefix only: epoch, generation, first
history epoch; never the grids) and every ~3 s sends pause, waits for its status, sends
resume and waits again: the control round trip. Learners stay connected as the ramp
grows; each step warms up for 3 s, then measures for ``--seconds``.

Per step it prints: delivered frames/s per learner (p10, p50), epochs/s per learner
(p50), frame shortfall (frames not delivered against min(max_fps, epochs/s): the
frames the server dropped or never built), history gaps (must be 0), control round trip
p50/p95/p99, errors by code, disconnects, server CPU (% of one core) and RSS, and the
client processes' CPU. Then the cap step: ``--over`` more learners than
``NNLIVE_MAX_SESSIONS`` try to join; each must be refused with close 1013 and a reason,
and nobody connected may be dropped. Finally: the first step where p10 frames/s falls
under 20 or p95 round trip exceeds 100 ms, and the count of tracebacks in the server log.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import random
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import free_port, pct, start_server  # noqa: E402

HEAD = re.compile(rb'\{"epoch":(\d+),"generation":(\d+)')
HISTORY = re.compile(rb'"history":\[\{"epoch":(\d+)')
WARMUP, CONTROL_EVERY, MAX_FPS = 3.0, 3.0, 30.0


# --- one learner (in a client process) -----------------------------------------------
class Learner:
    def __init__(self, seed: int, windows: list[tuple[float, float]], address: str | None = None):
        self.seed, self.windows = seed, windows
        # behind a trusted proxy (``--faults``) each learner has an address of its own
        self.headers = {"X-Forwarded-For": address} if address else None
        self.stats = [{"frames": 0, "epochs": [], "rtts": [], "errors": Counter(), "gaps": 0,
                       "disconnects": []} for _ in windows]
        self.prev = (None, None)  # (generation, epoch) of the last frame with history
        self.waiter: asyncio.Future | None = None

    def window(self, now: float) -> dict | None:
        for (begin, end), stats in zip(self.windows, self.stats):
            if begin <= now < end:
                return stats
        return None

    async def run(self, url: str, until: float) -> None:
        try:
            async with connect(url, max_size=None, compression=None, open_timeout=30,
                               additional_headers=self.headers) as ws:
                await ws.send(json.dumps({"type": "start", "config": {"seed": self.seed}}))
                control = asyncio.create_task(self.control(ws, until))
                try:
                    await asyncio.wait_for(self.read(ws), max(0.1, until - time.monotonic()))
                    self.disconnected(f"closed by the server {ws.close_code}")
                except TimeoutError:
                    pass  # the plan is over: a normal close
                finally:
                    control.cancel()
                    with contextlib.suppress(BaseException):
                        await control
        except (ConnectionClosed, OSError) as exc:
            code = getattr(getattr(exc, "rcvd", None), "code", "")
            self.disconnected(f"{type(exc).__name__} {code}".strip())

    def disconnected(self, why: str) -> None:
        (self.window(time.monotonic()) or self.stats[-1])["disconnects"].append(why)

    async def read(self, ws) -> None:
        async for data in ws:
            now = time.monotonic()
            stats = self.window(now)
            if isinstance(data, bytes):
                self.frame(data, now, stats)
            elif data.startswith('{"type":"status"'):
                if self.waiter is not None and not self.waiter.done():
                    self.waiter.set_result(now)
            elif data.startswith('{"type":"error"') and stats is not None:
                stats["errors"][json.loads(data)["code"]] += 1

    def frame(self, data: bytes, now: float, stats: dict | None) -> None:
        (n,) = struct.unpack_from("<I", data)
        head = data[4 : 4 + n]
        epoch, generation = map(int, HEAD.match(head).groups())
        first = HISTORY.search(head)
        if stats is not None:
            stats["frames"] += 1
            stats["epochs"].append((now, epoch))
            if first and self.prev[0] == generation and int(first[1]) != self.prev[1] + 1:
                stats["gaps"] += 1
        if first:
            self.prev = (generation, epoch)

    async def control(self, ws, until: float) -> None:
        await asyncio.sleep(random.uniform(0.5, CONTROL_EVERY))
        while time.monotonic() < until - CONTROL_EVERY:
            for kind in ("pause", "resume"):
                self.waiter = asyncio.get_running_loop().create_future()
                sent = time.monotonic()
                await ws.send(json.dumps({"type": kind}))
                try:
                    got = await asyncio.wait_for(self.waiter, 5)
                except TimeoutError:
                    got = sent + 5
                stats = self.window(sent)
                if stats is not None:
                    stats["rtts"].append(got - sent)
            await asyncio.sleep(CONTROL_EVERY)


def learner_address(seed: int) -> str:
    return f"10.{seed // 65536 % 256}.{seed // 256 % 256}.{seed % 256}"


def client_process(url: str, plan: list[dict], worker: int, workers: int, out,
                   distinct: bool = False) -> None:
    """Run this worker's share of learners through the whole plan; send back stats.
    ``distinct``: each learner claims its own address (X-Forwarded-For)."""
    async def main():
        windows = [(s["measure"], s["end"]) for s in plan]
        until, tasks, learners, started = plan[-1]["end"], [], [], 0
        for step in plan:
            await asyncio.sleep(max(0.0, step["begin"] - time.monotonic()))
            for seed in range(started, step["learners"]):
                if seed % workers == worker:
                    address = learner_address(seed) if distinct else None
                    learners.append(Learner(seed, windows, address))
                    tasks.append(asyncio.create_task(learners[-1].run(url, until)))
            started = step["learners"]
        await asyncio.gather(*tasks)
        return [(lr.seed, lr.stats) for lr in learners]

    out.put((worker, asyncio.run(main())))


# --- the driver ------------------------------------------------------------------------
def summarize(step: dict, per_learner: list[dict], seconds: float) -> dict:
    fps = [s["frames"] / seconds for s in per_learner]
    eps, shortfall = [], []
    for s in per_learner:
        if len(s["epochs"]) > 1 and s["epochs"][-1][0] > s["epochs"][0][0]:
            (t0, e0), (t1, e1) = s["epochs"][0], s["epochs"][-1]
            rate = (e1 - e0) / (t1 - t0)
            eps.append(rate)
            expected = min(MAX_FPS, rate) * seconds
            shortfall.append(max(0.0, expected - s["frames"]) / max(expected, 1e-9))
    rtts = [r for s in per_learner for r in s["rtts"]]
    errors = sum((s["errors"] for s in per_learner), Counter())
    disconnects = [d for s in per_learner for d in s["disconnects"]]
    return {"learners": step["learners"], "fps_p10": pct(fps, 10), "fps_p50": pct(fps, 50),
            "eps_p50": pct(eps, 50), "shortfall": 100 * sum(shortfall) / max(1, len(shortfall)),
            "gaps": sum(s["gaps"] for s in per_learner), "rtt_p50": 1000 * pct(rtts, 50),
            "rtt_p95": 1000 * pct(rtts, 95), "rtt_p99": 1000 * pct(rtts, 99),
            "errors": dict(errors), "disconnects": disconnects}


async def over_cap(url: str, extra: int) -> Counter:
    """``extra`` learners past the cap: how each was answered."""
    async def one():
        try:
            async with connect(url, open_timeout=30) as ws:
                async for data in ws:
                    if '"hello"' in data:
                        return "admitted"
        except ConnectionClosed as exc:
            return f"close {exc.rcvd.code}: {exc.rcvd.reason}" if exc.rcvd else "dropped"
        return "closed without code"
    return Counter(await asyncio.gather(*(one() for _ in range(extra))))


def measure_server(proc: psutil.Process, clients: list[psutil.Process], step: dict) -> dict:
    """The server's CPU (% of one core) and RSS, its worker processes included
    (``nnlive serve`` starts one per core), and the load clients' CPU."""
    time.sleep(max(0.0, step["measure"] - time.monotonic()))
    server = [proc, *proc.children(recursive=True)]
    for p in server + clients:
        p.cpu_percent()
    time.sleep(max(0.0, step["end"] - time.monotonic()))
    alive = [p for p in server if p.is_running()]
    return {"cpu": sum(p.cpu_percent() for p in alive),
            "rss": sum(p.memory_info().rss for p in alive) / 2**20,
            "client_cpu": sum(c.cpu_percent() for c in clients)}


def make_plan(steps: list[int], seconds: float, cap_seconds: float) -> list[dict]:
    t, plan = time.monotonic() + 3.0, []
    for n in steps + [steps[-1]]:  # the last window: the cap step, same learners
        span = seconds if len(plan) < len(steps) else cap_seconds
        plan.append({"learners": n, "begin": t, "measure": t + WARMUP,
                     "end": t + WARMUP + span})
        t += WARMUP + span
    return plan


def print_step(r: dict, server: dict) -> None:
    print(f"{r['learners']:8d} {r['fps_p10']:7.1f} {r['fps_p50']:7.1f} {r['eps_p50']:8.1f} "
          f"{r['shortfall']:8.1f} {r['gaps']:5d}  {r['rtt_p50']:6.1f} {r['rtt_p95']:6.1f} "
          f"{r['rtt_p99']:6.1f}  {server['cpu']:6.0f} {server['rss']:6.0f} "
          f"{server['client_cpu']:7.0f}  {r['errors'] or '-'} "
          f"{len(r['disconnects'])} {Counter(r['disconnects']) or ''}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", default="10,50,100,200")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--over", type=int, default=20, help="learners past the cap")
    parser.add_argument("--mix", action="store_true", help=f"add {MIX} misbehaving clients")
    args = parser.parse_args()
    steps = [int(x) for x in args.steps.split(",")]
    cap = int(os.environ.get("NNLIVE_MAX_SESSIONS", steps[-1])) + (MIX if args.mix else 0)
    port, log = free_port(), tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    server = start_server(port, {"NNLIVE_MAX_SESSIONS": str(cap),
                                 "NNLIVE_MAX_SESSIONS_PER_CLIENT": "10000"}, log)
    url = f"ws://127.0.0.1:{port}/ws/train"
    try:
        print(f"load average at start: {os.getloadavg()}; {os.cpu_count()} cores; "
              f"{args.seconds:g} s per step after {WARMUP:g} s warm-up; session cap {cap}")
        plan = make_plan(steps, args.seconds, 6.0)
        out = mp.Queue()
        procs = [mp.Process(target=client_process, args=(url, plan, w, args.workers, out))
                 for w in range(args.workers)]
        if args.mix:  # the misbehaving clients go first, so the cap step still fits
            mixer = mp.Process(target=mix_process, args=(url, plan[-1]["end"], out))
            mixer.start()
        for p in procs:
            p.start()
        run_plan(plan, url, server, procs, out, args, cap)
        if args.mix:
            print(f"misbehaving clients saw: {out.get(timeout=120)[1]}")
            mixer.join(30)
        for p in procs:
            p.join(30)
        print(log_summary(log))
    finally:
        stop_server(server)
        os.unlink(log.name)


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(15)  # uvicorn waits for open sockets' handlers
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(5)


def log_summary(log) -> str:
    """What the server's log holds that it never should, and the load average now."""
    log.seek(0)
    text = log.read()
    return (f"server log: {text.count('Traceback')} tracebacks, "
            f"{sum('ERROR' in line for line in text.splitlines())} ERROR lines; "
            f"load average at end: {os.getloadavg()}")


def collect_windows(out, procs: list, count: int) -> list[list[dict]]:
    """Every learner's stats, window by window, from the client processes (then joined)."""
    windows = [[] for _ in range(count)]
    for _ in procs:
        _, stats = _get_worker(out)
        for _seed, learner in stats:
            for i, window in enumerate(learner):
                windows[i].append(window)
    for p in procs:
        p.join(30)
    return windows


def _get_worker(out):
    """The next worker's stats (the mix process's summary is put back for later)."""
    held, item = [], out.get(timeout=120)
    while item[0] == "mix":
        held.append(item)
        item = out.get(timeout=120)
    for h in held:
        out.put(h)
    return item


def run_plan(plan, url, server, procs, out, args, cap) -> None:
    proc = psutil.Process(server.pid)
    clients = [psutil.Process(p.pid) for p in procs]
    print("learners fps p10 fps p50 epochs/s short% gaps  rtt p50    p95    p99   "
          "srv CPU% RSS MB cli CPU%  errors disconnects")
    servers = [measure_server(proc, clients, step) for step in plan[:-1]]
    cap_step = plan[-1]
    time.sleep(max(0.0, cap_step["measure"] - time.monotonic()))
    refusals = asyncio.run(over_cap(url, args.over))
    servers.append(measure_server(proc, clients, cap_step))
    results = [[] for _ in plan]
    for _ in procs:
        _, stats = _get_worker(out)
        for seed, learner in stats:
            for i, window in enumerate(learner):
                if seed < plan[i]["learners"]:  # it was connected during that step
                    results[i].append(window)
    first_bad = None
    for i, (step, server_stats) in enumerate(zip(plan, servers)):
        seconds = step["end"] - step["measure"]
        r = summarize(step, results[i], seconds)
        if i == len(plan) - 1:
            print(f"cap step: {args.over} more learners than the cap of {cap}: {dict(refusals)}")
        print_step(r, server_stats)
        if first_bad is None and i < len(plan) - 1 and (r["fps_p10"] < 20 or r["rtt_p95"] > 100):
            first_bad = step["learners"]
    print(f"first step under 20 frames/s (p10) or over 100 ms p95 round trip: "
          f"{first_bad or 'none'}")


# --- --mix: misbehaving clients alongside the ramp ----------------------------------------
JUNK = ["{not json", '{"type": "speed", "epochs_per_second": NaN}', "[1, 2]", '{"type": "fly"}',
        '{"type": "pause", "extra": 1}', '{"type": "step", "epochs": -3}',
        '{"type": "update", "config": {"hidden": [99]}}', '{"type": "probe", "x": "here"}']
MIX = 4  # clients: junk sender, reconnector, deaf prober, flooder


async def _junk(url: str, until: float, seen: Counter) -> None:
    async with connect(url, max_size=None, compression=None) as ws:
        await ws.send('{"type": "start", "config": {}}')
        reader = asyncio.create_task(_count_errors(ws, seen))
        for i in range(10**6):
            if time.monotonic() > until:
                break
            await ws.send(b"\x00binary" if i % 10 == 9 else JUNK[i % len(JUNK)])
            await asyncio.sleep(0.05)
        reader.cancel()


async def _count_errors(ws, seen: Counter) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for data in ws:
            if isinstance(data, str) and data.startswith('{"type":"error"'):
                seen[json.loads(data)["code"]] += 1


async def _reconnector(url: str, until: float, seen: Counter) -> None:
    token = None
    while time.monotonic() < until:
        async with connect(url + (f"?session={token}" if token else ""), max_size=None,
                           compression=None) as ws:
            hello = json.loads(await ws.recv())
            seen["resumed" if hello["resumed"] else "new session"] += 1
            if token is None:
                await ws.send('{"type": "start", "config": {}}')
            token = hello["session"]
            await asyncio.sleep(1.0)
            ws.transport.abort()  # a dropped connection, then a resume


async def _deaf(url: str, until: float, seen: Counter) -> None:
    while time.monotonic() < until:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", int(url.split(":")[2].split("/")[0])))
        try:
            async with connect(url, sock=sock, max_size=None, compression=None,
                               max_queue=1) as ws:
                await ws.send(json.dumps({"type": "start", "config": {"hidden": [16] * 6}}))
                while time.monotonic() < until:
                    await ws.send('{"type": "probe", "x": [1, 2], "label": 1}')
                    await asyncio.sleep(0.1)
                ws.transport.abort()
        except (ConnectionClosed, OSError) as exc:
            seen[f"deaf closed {getattr(getattr(exc, 'rcvd', None), 'code', '')}"] += 1
            await asyncio.sleep(1.0)


def mix_process(url: str, until: float, out) -> None:
    async def main():
        seen = Counter()
        flood = asyncio.Event()
        jobs = [_junk(url, until, seen), _reconnector(url, until, seen),
                _deaf(url, until, seen), _flood_until(url, until, flood)]
        results = await asyncio.gather(*jobs, return_exceptions=True)
        seen.update(f"{type(r).__name__} {getattr(getattr(r, 'rcvd', None), 'code', '')}"
                    for r in results if isinstance(r, BaseException))
        return dict(seen)
    out.put(("mix", asyncio.run(main())))


async def _flood_until(url: str, until: float, stop: asyncio.Event) -> None:
    async def stopper():
        await asyncio.sleep(max(0.0, until - time.monotonic()))
        stop.set()
    timer = asyncio.create_task(stopper())
    await _misbehaving(url, "flood", stop)
    await timer


# --- misbehaving clients (also used by bench/faults.py, ``--faults``) -------------------
HEAVY = {"n_points": 2000, "train_ratio": 90, "batch_size": 1, "hidden": [16] * 6}


async def _misbehaving(url: str, kind: str, stop: asyncio.Event) -> int:
    """A heavy run (``heavy``) or a flood of restarting updates on a paused run."""
    async with connect(url, max_size=None, compression=None) as ws:
        config = HEAVY if kind == "heavy" else {}
        await ws.send(json.dumps({"type": "start", "config": config}))
        if kind == "flood":
            await ws.send('{"type": "pause"}')
        reader, sent = asyncio.create_task(_drain(ws)), 0
        while not stop.is_set():
            if kind == "flood":
                hidden = [16] * 6 if sent % 2 else [4, 2]
                await ws.send(json.dumps({"type": "update", "config": {
                    "n_points": 2000, "hidden": hidden}}))
                sent += 1
            await asyncio.sleep(0.001)
        reader.cancel()
        return sent


async def _drain(ws) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for _ in ws:
            pass


def _mode_options(flag: str, learners: int, *extra: tuple) -> argparse.Namespace:
    """The options of ``--wall`` or ``--faults``: learners, seconds, client processes."""
    parser = argparse.ArgumentParser()
    parser.add_argument(flag, action="store_true")
    parser.add_argument("--learners", type=int, default=learners)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    for name, help_text in extra:
        parser.add_argument(name, help=help_text)
    return parser.parse_args()


if __name__ == "__main__":
    if "--wall" in sys.argv:
        from bench import wall

        options = _mode_options("--wall", 100)
        wall.main(options.learners, options.seconds, options.workers)
    elif "--faults" in sys.argv:
        from bench import faults

        options = _mode_options("--faults", 50,
                                ("--only", "run the phases whose name contains this"))
        faults.main(options.learners, options.seconds, options.workers, options.only)
    else:
        main()
