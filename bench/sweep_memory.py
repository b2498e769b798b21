"""Sweep memory: rounds of heavy live sweeps opened and closed, and the server's RSS.

    .venv/bin/python bench/sweep_memory.py [--rounds 5] [--sweeps 10] [--seconds 5]
        [--budget-mb 512] [--root DIR]

Each round opens ``--sweeps`` sockets at once; each starts the heaviest configuration
(2,000 points, 90 % training, batch 1, 6 × 16 hidden, all 7 features, adam, relu),
asks for a sweep of 16 learning rates and 2,000 epochs, lets it train ``--seconds``,
then closes (the sweep abandoned). After each round, once the server holds no session
and had 3 s more to tidy up, it prints the server's RSS, how many sweeps were admitted
and how many refused (``busy``: the server-wide budget, NNLIVE_SWEEP_MEMORY_MB =
``--budget-mb``). Target:
RSS after the last round within 1.5 × its value after the first. ``--root`` serves
another checkout (to measure the code before a change the same way).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import free_port  # noqa: E402

F7 = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
HEAVY = {"n_points": 2000, "train_ratio": 90, "batch_size": 1, "hidden": [16] * 6,
         "features": F7, "optimizer": "adam", "activation": "relu"}
RATES = [round(0.001 * (i + 1), 3) for i in range(16)]


def serve(root: Path, port: int, env_extra: dict, log) -> subprocess.Popen:
    env = {**os.environ, "NNLIVE_MAX_SESSIONS_PER_CLIENT": "1000", **env_extra}
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(port)], cwd=root, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


async def one_sweep(url: str, seconds: float) -> str:
    """Start the heavy run and its sweep, let it train, close; how the sweep was answered."""
    try:
        async with connect(url, max_size=None, compression=None, open_timeout=30) as ws:
            await ws.send(json.dumps({"type": "start", "config": HEAVY}))
            await ws.send(json.dumps({"type": "pause"}))
            await ws.send(json.dumps({"type": "sweep", "epochs": 2000, "vary": {
                "field": "learning_rate", "values": RATES}}))
            answer, until = "no answer", time.monotonic() + seconds
            while time.monotonic() < until:
                try:
                    data = await asyncio.wait_for(ws.recv(), until - time.monotonic())
                except TimeoutError:
                    break
                if isinstance(data, str) and '"sweep_started"' in data:
                    answer = "admitted"
                elif isinstance(data, str) and data.startswith('{"type":"error"'):
                    answer = json.loads(data)["code"]
            return answer
    except (ConnectionClosed, OSError) as exc:
        return type(exc).__name__


async def round_of(url: str, sweeps: int, seconds: float) -> Counter:
    return Counter(await asyncio.gather(*(one_sweep(url, seconds) for _ in range(sweeps))))


def wait_until_empty(port: int, timeout: float = 60.0) -> float:
    """Seconds until the server holds no session (closed sockets it is still reading
    may take a while under load)."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()["sessions"] == 0:
                break
        time.sleep(0.2)
    return time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sweeps", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--budget-mb", type=int, default=512)
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args()
    port = free_port()
    env = {"NNLIVE_SWEEP_MEMORY_MB": str(args.budget_mb), "NNLIVE_SESSION_RATE": "1000",
           "NNLIVE_SESSION_BURST": "10000"}
    if args.root != ROOT:  # an older checkout may not know the newer settings
        env = {}
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
        server = serve(args.root, port, env, log)
        try:
            proc = psutil.Process(server.pid)
            print(f"load average {os.getloadavg()}; root {args.root}; {args.sweeps} heavy "
                  f"sweeps a round, {args.seconds:g} s each; budget {args.budget_mb} MB")
            print(f"RSS at start: {proc.memory_info().rss / 2**20:.0f} MB")
            first = None
            for r in range(1, args.rounds + 1):
                answers = asyncio.run(round_of(f"ws://127.0.0.1:{port}/ws/train",
                                               args.sweeps, args.seconds))
                freed = wait_until_empty(port)
                time.sleep(3.0)  # housekeeping tidies up within 2 s of a release
                rss = proc.memory_info().rss / 2**20
                first = first or rss
                print(f"round {r}: RSS {rss:.0f} MB ({rss / first:.2f} × round 1); "
                      f"sweeps {dict(answers)}; sessions gone after {freed:.1f} s",
                      flush=True)
            log.seek(0)
            text = log.read()
            print(f"server log: {text.count('Traceback')} tracebacks; "
                  f"load average at end {os.getloadavg()}")
        finally:
            server.terminate()
            server.wait(20)


if __name__ == "__main__":
    main()
