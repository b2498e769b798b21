"""N concurrent learners against one server process on loopback (default configuration).

    .venv/bin/python bench/server.py [--sessions 1,10,50,100] [--seconds 8]

The server runs in a subprocess (``nnlive serve``); the learners are WebSocket clients in
this process. For each N it prints: delivered frames/s per session (p10, p50), epochs/s
per session (p50), pause → status round trip (p50, p95), bytes per frame, bytes per
learner-second, and the server's CPU (percent of one core) and RSS.
Note: the clients share the machine's two cores with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, env_extra: dict, log=subprocess.DEVNULL) -> subprocess.Popen:
    """``nnlive serve`` on 127.0.0.1:port (its output to ``log``), once it answers."""
    # every benchmark client comes from 127.0.0.1: no cap or rate of new sessions per address
    # runs kept in a SQLite file of its own (as by default, but not in the user's store)
    store = os.environ.get("NNLIVE_STORE_PATH") or os.path.join(
        tempfile.mkdtemp(prefix="nnlive-bench-"), "runs.sqlite3")
    env = {**os.environ, "NNLIVE_MAX_SESSIONS": "1000", "NNLIVE_MAX_SESSIONS_PER_CLIENT": "1000",
           "NNLIVE_SESSION_RATE": "1000", "NNLIVE_SESSION_BURST": "10000",
           "NNLIVE_STORE_PATH": store, **env_extra}
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


class Learner:
    def __init__(self):
        self.frames = self.bytes = 0
        self.epochs: list[tuple[float, int]] = []
        self.rtts: list[float] = []
        self.status_waiter: asyncio.Future | None = None

    async def run(self, url: str, seed: int, measure_from: float, until: float) -> None:
        async with connect(url, max_size=None, compression=None) as ws:
            await ws.send(json.dumps({"type": "start", "config": {"seed": seed}}))
            reader = asyncio.create_task(self.read(ws, measure_from))
            try:
                await self.probe_loop(ws, seed, until)
            finally:
                reader.cancel()

    async def read(self, ws, measure_from: float) -> None:
        loop = asyncio.get_running_loop()
        async for data in ws:
            now = time.monotonic()
            if isinstance(data, bytes):
                if now >= measure_from:
                    self.frames += 1
                    self.bytes += len(data)
                    (n,) = struct.unpack_from("<I", data)
                    epoch = json.loads(data[4 : 4 + n])["epoch"]
                    self.epochs.append((now, epoch))
            elif '"status"' in data and self.status_waiter and not self.status_waiter.done():
                self.status_waiter.set_result(loop.time())

    async def probe_loop(self, ws, seed: int, until: float) -> None:
        """One pause → status round trip every ~2 s (then resume), spread over learners."""
        loop = asyncio.get_running_loop()
        await asyncio.sleep(1.0 + (seed % 20) / 10)
        while time.monotonic() < until - 1:
            self.status_waiter = loop.create_future()
            sent = loop.time()
            await ws.send('{"type": "pause"}')
            try:
                got = await asyncio.wait_for(self.status_waiter, 5)
                self.rtts.append(got - sent)
            except TimeoutError:
                self.rtts.append(5.0)
            await ws.send('{"type": "resume"}')
            await asyncio.sleep(2.0)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


async def one_round(port: int, n: int, seconds: float, proc: psutil.Process) -> dict:
    url = f"ws://127.0.0.1:{port}/ws/train"
    begin = time.monotonic()
    measure_from, until = begin + 1.5, begin + 1.5 + seconds
    learners = [Learner() for _ in range(n)]
    tasks = [asyncio.create_task(lr.run(url, i, measure_from, until))
             for i, lr in enumerate(learners)]
    await asyncio.sleep(measure_from - time.monotonic())
    proc.cpu_percent()
    await asyncio.sleep(until - time.monotonic())
    cpu = proc.cpu_percent()
    rss = proc.memory_info().rss
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    fps = [lr.frames / seconds for lr in learners]
    eps = [(lr.epochs[-1][1] - lr.epochs[0][1]) / (lr.epochs[-1][0] - lr.epochs[0][0])
           for lr in learners if len(lr.epochs) > 1 and lr.epochs[-1][0] > lr.epochs[0][0]]
    rtts = [r for lr in learners for r in lr.rtts]
    frames, nbytes = sum(lr.frames for lr in learners), sum(lr.bytes for lr in learners)
    return {"sessions": n, "fps_p10": pct(fps, 10), "fps_p50": pct(fps, 50),
            "epochs_p50": pct(eps, 50), "rtt_p50_ms": 1000 * pct(rtts, 50),
            "rtt_p95_ms": 1000 * pct(rtts, 95), "bytes_per_frame": nbytes / max(1, frames),
            "bytes_per_learner_s": nbytes / seconds / n, "cpu_percent": cpu,
            "rss_mb": rss / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", default="1,10,50,100")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--env", action="append", default=[],
                        help="NAME=VALUE for the server, e.g. NNLIVE_GRID_RESOLUTION=100")
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    port = free_port()
    server = start_server(port, env)
    try:
        proc = psutil.Process(server.pid)
        print(f"server settings: {env or 'defaults'}; {args.seconds:g} s per step")
        print("sessions  fps p10  fps p50  epochs/s p50  pause rtt p50/p95 ms  B/frame  "
              "B/learner-s  server CPU %  RSS MB")
        for n in (int(x) for x in args.sessions.split(",")):
            r = asyncio.run(one_round(port, n, args.seconds, proc))
            print(f"{r['sessions']:8d} {r['fps_p10']:8.1f} {r['fps_p50']:8.1f} "
                  f"{r['epochs_p50']:13.1f} {r['rtt_p50_ms']:10.1f} / {r['rtt_p95_ms']:6.1f} "
                  f"{r['bytes_per_frame']:9.0f} {r['bytes_per_learner_s']:12.0f} "
                  f"{r['cpu_percent']:12.0f} {r['rss_mb']:7.0f}", flush=True)
            time.sleep(1.0)
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
