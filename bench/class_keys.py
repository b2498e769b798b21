"""Does a class answer a wrong teacher key any faster than the right one?

    .venv/bin/python bench/class_keys.py [--rounds 1000]

Two measurements, each interleaving the cases so that the machine's drift hits them alike:

1. in this process, ``app.classroom.codes.key_matches`` (what every class request runs):
   the right key, a key wrong in its first character, one wrong in its last, none; the
   median of 30 batches of 20,000 calls each, in nanoseconds per call;
2. over loopback against ``nnlive serve`` (the attempt limit lifted for the run):
   ``GET /api/classes/CODE`` with each of those keys (200, 403, 403, 403), ``--rounds``
   times each, and an unknown code (404); the median and p10 of the answer times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.classroom.codes import key_digest, key_matches, new_key  # noqa: E402
from bench.server import free_port, pct, start_server  # noqa: E402


def cases(key: str) -> dict[str, str | None]:
    first = ("B" if key[0] != "B" else "C") + key[1:]
    last = key[:-1] + ("B" if key[-1] != "B" else "C")
    return {"right": key, "wrong first": first, "wrong last": last, "none": None}


def in_process(batches: int = 30, calls: int = 20_000) -> dict[str, float]:
    key = new_key()
    digest, keys = key_digest(key), cases(key)
    times = {name: [] for name in keys}
    for _ in range(batches):
        for name, given in keys.items():
            began = time.perf_counter_ns()
            for _ in range(calls):
                key_matches(given, digest)
            times[name].append((time.perf_counter_ns() - began) / calls)
    return {name: statistics.median(values) for name, values in times.items()}


def over_http(rounds: int) -> dict[str, tuple[float, float, int]]:
    port, log = free_port(), tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    server = start_server(port, {"NNLIVE_CLASS_ATTEMPT_BURST": "10000",
                                 "NNLIVE_CLASS_ATTEMPT_RATE": "1000"}, log)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            opened = client.post("/api/classes", json={}).json()
            keys = cases(opened["key"])
            paths = {name: f"/api/classes/{opened['code']}" for name in keys}
            keys["unknown code"], paths["unknown code"] = opened["key"], "/api/classes/ZZZZZZ"
            times = {name: [] for name in keys}
            status = {}
            for _ in range(rounds):
                for name, given in keys.items():
                    headers = {"Authorization": f"Bearer {given}"} if given else {}
                    began = time.perf_counter()
                    status[name] = client.get(paths[name], headers=headers).status_code
                    times[name].append(time.perf_counter() - began)
    finally:
        server.terminate()
        server.wait(10)
        os.unlink(log.name)
    return {name: (1e6 * pct(v, 50), 1e6 * pct(v, 10), status[name]) for name, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=1000)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    print("key_matches, ns per call (median of 30 batches):")
    for name, ns in in_process().items():
        print(f"  {name:12s} {ns:8.0f}")
    print(f"GET /api/classes/CODE over loopback, µs ({args.rounds} rounds, interleaved):")
    for name, (p50, p10, status) in over_http(args.rounds).items():
        print(f"  {name:12s} {status}  p50 {p50:7.0f}  p10 {p10:7.0f}")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
