"""What a run costs in the store: bytes per record, and the time to encode a checkpoint,
write it to SQLite, read it back and rebuild the run, at several history lengths.

    .venv/bin/python bench/store.py [--epochs 100,1000,10000,30000]

A run of the playground's default shape (two features, hidden 4, 500 points, batch 10)
and of the heaviest one (all seven features, hidden 16×6, 2,000 points) are trained to
each length; the full record (meta, configuration, every history chunk) is measured,
then a checkpoint one epoch later (what a running run writes every half second: the
meta and the growing chunk). Times are medians of a few repeats on this machine, which
is shared: compare the rows, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, before bench/

from app.live.records import NOTHING, capture, rebuild  # noqa: E402
from app.live.run import LiveRun, RunState  # noqa: E402
from app.live.store.base import Limits  # noqa: E402
from app.live.store.sqlite_backend import SqliteBackend  # noqa: E402
from core.config import validate_config  # noqa: E402

SHAPES = {
    "default": {"dataset": "circle", "hidden": [4], "n_points": 500, "batch_size": 10},
    "heaviest": {"dataset": "spiral", "hidden": [16, 16, 16, 16, 16, 16], "n_points": 2000,
                 "features": ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"],
                 "batch_size": 10},
}
ROOMY = Limits(run_bytes=1 << 30, max_bytes=1 << 34, retention=1e9)


def timed(fn, repeats: int = 3):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def grown_run(config: dict, epochs: int) -> LiveRun:
    """A run with a history of ``epochs`` entries, cheaply: one real epoch of training,
    then the history lengthened with copies (the store's cost depends on the numbers'
    count and variety, and the copies are perturbed so they do not compress away)."""
    run = LiveRun(max_epochs=10**7)
    run.start(validate_config(config), RunState.PAUSED)
    run.trainer.train_epochs(1)
    last = run.trainer.history[-1]
    history = run.trainer.history
    for epoch in range(len(history), epochs + 1):
        entry = dict(last, epoch=epoch)
        for key, value in entry.items():
            if key != "epoch" and isinstance(value, float):
                entry[key] = value * (1 + 1e-3 * ((epoch * 7919) % 1000) / 1000)
        history.append(entry)
    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", default="100,1000,10000,30000")
    args = parser.parse_args()
    lengths = [int(e) for e in args.epochs.split(",")]
    print(f"{'shape':9} {'epochs':>7} {'record KB':>10} {'+1 epoch KB':>12} "
          f"{'encode ms':>10} {'write ms':>9} {'+1 write ms':>12} {'read ms':>8} "
          f"{'rebuild ms':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        backend = SqliteBackend(Path(tmp) / "runs.sqlite3")
        for name, config in SHAPES.items():
            for epochs in lengths:
                run = grown_run({**config, "seed": 1}, epochs)
                token = f"{name}-{epochs}"
                checkpoint = capture(token, run, NOTHING, owner="w", attached=True,
                                     exact=False)
                encode_s, put = timed(checkpoint.encode)
                size = len(put.meta) + sum(len(p) for p in put.parts)
                write_s, _ = timed(lambda p=put: backend.put_many([p], "w", ROOMY, time.time()))
                # one more epoch: what a running run's next checkpoint writes
                run.trainer.history.append(dict(run.trainer.history[-1], epoch=epochs + 1))
                later = capture(token, run, checkpoint.written, owner="w", attached=True,
                                exact=False).encode()
                later_size = len(later.meta) + sum(len(p) for p in later.parts)
                later_s, _ = timed(lambda p=later: backend.put_many([p], "w", ROOMY, time.time()))
                claim_s, (_, stored) = timed(lambda k=token: backend.claim("session", k, "w", True,
                                                                   time.time()))
                rebuild_s, _ = timed(lambda r=stored: rebuild(r))
                print(f"{name:9} {epochs:>7,} {size / 1024:>10.1f} {later_size / 1024:>12.1f} "
                      f"{encode_s * 1e3:>10.2f} {write_s * 1e3:>9.2f} {later_s * 1e3:>12.2f} "
                      f"{claim_s * 1e3:>8.2f} {rebuild_s * 1e3:>11.1f}")
        backend.close()


if __name__ == "__main__":
    main()
