"""Cost of sweeps: stacked variants against runs one by one, and live sweeps beside a learner.

    .venv/bin/python bench/sweep.py [--epochs 300] [--users 8] [--seconds 6]

1. Core: a sweep of 8 hidden sizes (one layer of 1 … 8 neurons, default circle data) ×
   ``--epochs`` epochs through ``core.sweep.run_sweep`` against the 8 runs one by one
   (``Trainer``), wall time, median of 3; also a two-layer sweep and a same-shape
   learning-rate sweep (cohort's bit-for-bit stack).
2. Server (``nnlive serve`` in a subprocess): one learner's delivered frames/s and pause →
   status round trip, alone and while ``--users`` other learners each run such a sweep
   over their WebSocket (``sweep`` of 8 hidden sizes × ``--epochs``, restarted when done).
   Also: sweep frames/s each sweeper receives and the time a sweep takes to finish.
The clients run in this process and share the machine's two cores with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import struct
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from websockets.asyncio.client import connect  # noqa: E402

from bench.server import free_port, pct, start_server  # noqa: E402
from core.config import validate_config  # noqa: E402
from core.sweep import run_sweep  # noqa: E402
from core.trainer import Trainer  # noqa: E402

HIDDEN = [[h] for h in range(1, 9)]


def median_time(fn, repeats: int = 3) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (steadier on a shared machine)."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def core_case(name: str, configs: list, epochs: int) -> None:
    together = median_time(lambda: run_sweep(configs, epochs))
    one_by_one = median_time(lambda: [Trainer(c).train_epochs(epochs) for c in configs])
    print(f"{name:<36} sweep {together[0]:5.2f} s  one by one {one_by_one[0]:5.2f} s  "
          f"ratio {together[0] / one_by_one[0]:.2f}   (CPU time ratio "
          f"{together[1] / one_by_one[1]:.2f})")


def bench_core(epochs: int) -> None:
    print(f"# core: 8 variants x {epochs} epochs (median of 3)")
    core_case("hidden 1..8 (one layer)",
              [validate_config({"seed": 1, "hidden": h}) for h in HIDDEN], epochs)
    core_case("hidden [1..8, 2] (two layers)",
              [validate_config({"seed": 1, "hidden": [h[0], 2]}) for h in HIDDEN], epochs)
    core_case("learning_rate x8, hidden [4, 2]",
              [validate_config({"seed": 1, "learning_rate": 0.01 * (i + 1)}) for i in range(8)],
              epochs)


# --- the server part -----------------------------------------------------------------
def header_of(data: bytes) -> dict:
    (n,) = struct.unpack_from("<I", data, 0)
    return json.loads(data[4 : 4 + n])


async def learner(url: str, seconds: float) -> dict:
    """Frames/s and pause → status round trips of one ordinary learner."""
    async with connect(url, max_size=None) as ws:
        await ws.recv()  # hello
        await ws.send(json.dumps({"type": "start", "config": {"seed": 1}}))
        frames, rtts, status = 0, [], asyncio.Queue()

        async def read():
            nonlocal frames
            async for message in ws:
                if isinstance(message, bytes):
                    frames += 1
                elif json.loads(message)["type"] == "status":
                    await status.put(json.loads(message))

        reader = asyncio.create_task(read())
        await asyncio.sleep(1.0)  # past the start
        began, counted_from = time.perf_counter(), frames
        while time.perf_counter() - began < seconds:
            await asyncio.sleep(0.4)
            for kind in ("pause", "resume"):
                sent = time.perf_counter()
                await ws.send(json.dumps({"type": kind}))
                while (await asyncio.wait_for(status.get(), 10))["state"] not in (
                        "paused" if kind == "pause" else "running",):
                    pass
                if kind == "pause":
                    rtts.append(time.perf_counter() - sent)
        elapsed = time.perf_counter() - began
        fps = (frames - counted_from) / elapsed
        reader.cancel()
        return {"fps": fps, "rtt_p50": pct(rtts, 50), "rtt_p95": pct(rtts, 95)}


async def sweeper(url: str, epochs: int, stop: asyncio.Event, out: dict) -> None:
    """A learner who runs sweeps of 8 hidden sizes, one after another, until ``stop``."""
    async with connect(url, max_size=None) as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "start", "config": {"seed": 2}}))
        sweep = {"type": "sweep", "vary": {"field": "hidden", "values": HIDDEN},
                 "epochs": epochs}
        await ws.send(json.dumps(sweep))
        started, last = time.perf_counter(), {}
        while not stop.is_set():
            try:
                message = await asyncio.wait_for(ws.recv(), 0.5)
            except TimeoutError:
                continue
            if isinstance(message, bytes):
                header = header_of(message)
                if header.get("kind") == "sweep":
                    out["sweep_frames"] += 1
                    out["epochs"] += max(0, header["epoch"] - last.get(header["sweep"], 0))
                    last[header["sweep"]] = header["epoch"]
                continue
            if json.loads(message)["type"] == "sweep_done":
                out["durations"].append(time.perf_counter() - started)
                await ws.send(json.dumps(sweep))
                started = time.perf_counter()


async def bench_server(port: int, users: int, epochs: int, seconds: float) -> None:
    url = f"ws://127.0.0.1:{port}/ws/train"
    alone = await learner(url, seconds)
    stop, out = asyncio.Event(), {"sweep_frames": 0, "epochs": 0, "durations": []}
    tasks = [asyncio.create_task(sweeper(url, epochs, stop, out)) for _ in range(users)]
    await asyncio.sleep(1.0)
    began = time.perf_counter()
    out.update(sweep_frames=0, epochs=0)
    beside = await learner(url, seconds)
    elapsed = time.perf_counter() - began
    stop.set()
    await asyncio.gather(*tasks)
    print(f"\n# server: one learner, alone and beside {users} learners each sweeping "
          f"8 hidden sizes x {epochs} epochs")
    for name, r in (("alone", alone), (f"beside {users} sweeps", beside)):
        print(f"{name:<20} frames/s {r['fps']:5.1f}   pause round trip p50 "
              f"{r['rtt_p50'] * 1000:6.1f} ms   p95 {r['rtt_p95'] * 1000:6.1f} ms")
    done = out["durations"]
    print(f"per sweeper: sweep frames/s {out['sweep_frames'] / users / elapsed:.1f}, "
          f"sweep epochs/s {out['epochs'] / users / elapsed:.0f} (x 8 variants); "
          f"sweeps finished {len(done)}, time to finish p50 {pct(done, 50):.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--skip-core", action="store_true")
    parser.add_argument("--skip-server", action="store_true")
    args = parser.parse_args()
    if not args.skip_core:
        bench_core(args.epochs)
    if args.skip_server:
        return
    port = free_port()
    proc = start_server(port, {})
    try:
        asyncio.run(bench_server(port, args.users, args.epochs, args.seconds))
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
