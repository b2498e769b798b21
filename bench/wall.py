"""``bench/load.py --wall``: a class of learners with the teacher's wall open, and what the
wall costs the server.

    .venv/bin/python bench/load.py --wall [--learners 100] [--seconds 10] [--workers 2]

One ``nnlive serve`` (default settings: one worker per core, the runs and the classes in
one SQLite file, here a temporary one; the per-address caps lifted, every client being
127.0.0.1), one run, five windows, each a 3 s warm-up then ``--seconds`` measured:

1. ``--learners`` learners, in no class (as ``bench/load.py``'s: default configuration,
   every frame read, pause and resume every ~3 s);
2. they leave, and as many join one class (``/ws/train?class=CODE&name=Ln``): the
   classroom publishes their tiles, nobody looks;
3. the same class with the wall open: a client asks ``GET /api/classes/CODE/wall``
   three times a second and the spotlight's frame three times a second, as the page does
   (one learner spotlit), and fetches each learner's data once;
4. and 5. as 2. and 3. again (the machine is shared: its load changes over a run).

Per window: the learners' frames/s (p10, p50), epochs/s, pause round trip, the server's
CPU (% of one core, its processes together) and RSS (together); with the wall also its
answers (time p50/p95, bytes), the learners its last answer showed and their epochs'
spread. The wall's cost: the server's CPU with the wall open less without (windows 3, 5
against 2, 4), as a share of it with the wall; and the same per epoch trained, which a
busy machine slowing the whole server shifts less. The load average is printed at the
start and the end.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import tempfile
import time

import httpx
import psutil

from bench.load import WARMUP, Learner, collect_windows, log_summary, stop_server, summarize
from bench.server import free_port, pct, start_server

REFRESH = 1 / 3  # the wall page asks this often (static/js/teacher/wall.js)


def learners_process(url: str, code: str | None, first: int, count: int, windows: list,
                     worker: int, workers: int, out) -> None:
    """This worker's share of ``count`` learners from seed ``first``, in class ``code``
    (or none), connected now until the last window ends; their stats in each window."""
    async def main():
        learners, tasks = [], []
        for seed in range(first + worker, first + count, workers):
            learners.append(Learner(seed, windows))
            query = f"?class={code}&name=L{seed}" if code else ""
            tasks.append(asyncio.create_task(learners[-1].run(url + query, windows[-1][1])))
        await asyncio.gather(*tasks)
        return [(lr.seed, lr.stats) for lr in learners]
    out.put((worker, asyncio.run(main())))


async def watch_wall(base: str, code: str, key: str, begin: float, until: float) -> dict:
    """The wall page's requests from ``begin`` to ``until``: timings, sizes, last answer."""
    times, sizes, spot_times, last = [], [], [], None
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as client:
        await asyncio.sleep(max(0.0, begin - time.monotonic()))
        wall = (await client.get(f"/api/classes/{code}/wall")).json()
        spotlit = wall["learners"][0]["session_prefix"]
        await client.post(f"/api/classes/{code}/spotlight", json={"learner": spotlit})
        for key_ in {x["data"] for x in wall["learners"] if x["data"]}:
            holder = next(x for x in wall["learners"] if x["data"] == key_)
            await client.get(f"/api/classes/{code}/learners/{holder['session_prefix']}/data")
        while time.monotonic() < until:
            began = time.perf_counter()
            answer = await client.get(f"/api/classes/{code}/wall")
            times.append(time.perf_counter() - began)
            sizes.append(len(answer.content))
            last = answer.json()
            began = time.perf_counter()
            await client.get(f"/api/classes/{code}/spotlight")
            spot_times.append(time.perf_counter() - began)
            await asyncio.sleep(max(0.0, REFRESH - (time.perf_counter() - began)))
    epochs = [x["epoch"] for x in last["learners"]] if last else []
    return {"requests": len(times), "p50": 1000 * pct(times, 50), "p95": 1000 * pct(times, 95),
            "spot_p95": 1000 * pct(spot_times, 95), "bytes": pct(sizes, 50),
            "shown": len(epochs), "epochs": (min(epochs), max(epochs)) if epochs else None,
            "counts": last["counts"] if last else None}


def run_phase(url: str, code: str | None, first: int, n: int, workers: int, seconds: float,
              supervisor: psutil.Process, out, walls: list) -> list[tuple[dict, dict]]:
    """Learners connected through ``len(walls)`` measured windows, each after a warm-up;
    ``walls[i]``: what watches the wall in window i (or None). Per window: (the learners'
    summary, the server's CPU and RSS and the wall's figures)."""
    t, windows = time.monotonic(), []
    for _ in walls:
        windows.append((t + WARMUP, t + WARMUP + seconds))
        t += WARMUP + seconds
    procs = [mp.Process(target=learners_process, args=(url, code, first, n, windows, w,
                                                       workers, out))
             for w in range(workers)]
    for p in procs:
        p.start()
    servers = []
    for (begin, end), wall in zip(windows, walls):
        time.sleep(max(0.0, begin - time.monotonic()))
        server = [supervisor, *supervisor.children(recursive=True)]  # and its workers
        for proc in server:
            proc.cpu_percent()
        watched = asyncio.run(wall(begin, end)) if wall else None
        time.sleep(max(0.0, end - time.monotonic()))
        servers.append({"cpu": sum(p.cpu_percent() for p in server),
                        "rss": sum(p.memory_info().rss for p in server) / 2**20,
                        "wall": watched})
    per_window = collect_windows(out, procs, len(windows))
    return [(summarize({"learners": n}, stats, seconds), server)
            for stats, server in zip(per_window, servers)]


def main(learners: int, seconds: float, workers: int) -> None:
    port, log = free_port(), tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    server = start_server(port, {"NNLIVE_MAX_SESSIONS": str(2 * learners + 10),
                                 "NNLIVE_GRACE_SECONDS": "1"}, log)
    base, url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws/train"
    out = mp.Queue()
    supervisor = psutil.Process(server.pid)
    try:
        print(f"load average at start: {os.getloadavg()}; {os.cpu_count()} cores; "
              f"server: {os.environ.get('NNLIVE_WORKERS', 'one worker per core')}; "
              f"{learners} learners; {seconds:g} s per phase after {WARMUP:g} s warm-up")
        opened = httpx.post(f"{base}/api/classes", json={"title": "bench"}, timeout=10).json()
        code, key = opened["code"], opened["key"]

        def wall(begin, until):
            return watch_wall(base, code, key, begin, until)
        # the class's learners twice without the wall and twice with it, in turns, so a
        # change in the machine's load (it is shared) falls on both alike
        phases = [("no class", None, 0, [None]),
                  ("one class", code, learners, [None, wall, None, wall])]
        names = ["no class", "class, no wall", "class, wall open", "class, no wall 2",
                 "class, wall open 2"]
        print("phase                  fps p10 fps p50 epochs/s rtt p95 ms  server CPU% RSS MB"
              "  errors disconnects")
        results = {}
        for _, in_class, first, walls in phases:
            for r, s in run_phase(url, in_class, first, learners, workers, seconds, supervisor,
                                  out, walls):
                name = names[len(results)]
                results[name] = (r, s)
                print(f"{name:22s} {r['fps_p10']:7.1f} {r['fps_p50']:7.1f} "
                      f"{r['eps_p50']:8.1f} {r['rtt_p95']:10.1f} {s['cpu']:11.0f} "
                      f"{s['rss']:6.0f}  {r['errors'] or '-'} {len(r['disconnects'])}",
                      flush=True)
            time.sleep(2.0)  # the learners' sessions go (1 s grace) before the next
        report(results)
        print(log_summary(log))
    finally:
        stop_server(server)
        os.unlink(log.name)


def report(results: dict) -> None:
    """The wall's cost: the server's CPU with the wall open less without (the class's
    windows, averaged), as a share of it with the wall; and the same per learner-epoch
    trained (CPU % / epochs/s), which a busy machine slowing the server shifts less."""
    def mean(names, of):
        return sum(of(*results[n]) for n in names) / len(names)
    quiet = ["class, no wall", "class, no wall 2"]
    open_ = ["class, wall open", "class, wall open 2"]
    alone = results["no class"][1]["cpu"]
    cpu_quiet, cpu_open = (mean(n, lambda r, s: s["cpu"]) for n in (quiet, open_))
    per_quiet, per_open = (mean(n, lambda r, s: s["cpu"] / max(r["eps_p50"], 1e-9))
                           for n in (quiet, open_))
    fps_quiet, fps_open = (mean(n, lambda r, s: r["fps_p10"]) for n in (quiet, open_))
    for name in open_:
        wall = results[name][1]["wall"]
        print(f"{name}: {wall['requests']} answers, {wall['p50']:.1f} / {wall['p95']:.1f} ms "
              f"(p50 / p95), {wall['bytes'] / 1024:.0f} KB each; spotlight frame p95 "
              f"{wall['spot_p95']:.1f} ms; last answer: {wall['shown']} learners, epochs "
              f"{wall['epochs']}, counts {wall['counts']}")
    print(f"frames/s p10: {fps_quiet:.1f} without the wall, {fps_open:.1f} with it")
    print(f"server CPU: {alone:.0f} % in no class, {cpu_quiet:.0f} % in a class, "
          f"{cpu_open:.0f} % with the wall open: the wall costs "
          f"{100 * (cpu_open - cpu_quiet) / max(cpu_open, 1e-9):.1f} % of the server's CPU; "
          f"per epoch trained {100 * (per_open - per_quiet) / max(per_open, 1e-9):.1f} %")
