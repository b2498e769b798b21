"""Speed of the training core: epochs/s, µs per mini-batch step, grid ms, stacked sweeps,
and every loss on every output kind.

    .venv/bin/python bench/core.py              # NumPy only
    .venv/bin/python bench/core.py --vs-torch   # also PyTorch CPU eager, same process
    .venv/bin/python bench/core.py --core /tmp/base   # another checkout's core/, to
        # compare before and after (git archive main core | tar -x -C /tmp/base)

Every figure is the median of several runs (the per-loss lines: the best of rounds that
take turns, so a busy moment hits every loss alike); compare figures as ratios within
one run (the machine is shared and noisy). Set to one BLAS thread, as the server runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
if "--core" in sys.argv:  # before anything imports core: the other checkout's comes first
    sys.path.insert(0, sys.argv[sys.argv.index("--core") + 1])

from core.cohort import train_together  # noqa: E402
from core.config import validate_config  # noqa: E402
from core.grid import output_grid  # noqa: E402
from core.sweep import run_sweep  # noqa: E402
from core.trainer import Trainer  # noqa: E402

CASES = {
    "a default circle 2-4-2-1 tanh, batch 10": {},
    "b default circle, full batch (250)": {"batch_size": 250},
    "c 6 hidden layers x 8, batch 10": {"hidden": [8] * 6},
    "d three_blobs, 8 hidden, softmax, batch 10": {"dataset": "three_blobs", "hidden": [8]},
}


# TensorFlow Playground's work (circle, 250 training points, 2-4-2-1 tanh, batch 10,
# lr 0.03, train and test loss every epoch) with every loss; the other output kinds on
# the same network: three classes (softmax, and hinge's raw scores) and regression.
LOSS_CASES = {
    "cross_entropy, sigmoid": {},
    "mse, sigmoid": {"loss": "mse"},
    "mae, sigmoid": {"loss": "mae"},
    "hinge, raw (1 output)": {"loss": "hinge"},
    "mse, linear (plane)": {"dataset": "plane"},
    "mae, linear (plane)": {"dataset": "plane", "loss": "mae"},
    "cross_entropy, softmax (three_blobs)": {"dataset": "three_blobs"},
    "mse, softmax (three_blobs)": {"dataset": "three_blobs", "loss": "mse"},
    "mae, softmax (three_blobs)": {"dataset": "three_blobs", "loss": "mae"},
    "hinge, raw (3 outputs, three_blobs)": {"dataset": "three_blobs", "loss": "hinge"},
}


def median_time(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_epochs(fields: dict, epochs: int = 200) -> tuple[float, float]:
    trainer = Trainer(validate_config({"seed": 1, **fields}))
    trainer.train_epochs(5)

    def run():
        trainer.reset()
        trainer.train_epochs(epochs)

    seconds = median_time(run)
    steps = epochs * trainer.batches_per_epoch
    return epochs / seconds, seconds / steps * 1e6


def bench_losses(rounds: int = 60, epochs: int = 20) -> dict[str, float]:
    """Epochs/s of each loss case: the best of ``rounds`` short rounds that take turns,
    so a busy moment of the machine falls on every case alike."""
    trainers = {name: Trainer(validate_config({"seed": 1, **fields}))
                for name, fields in LOSS_CASES.items()}
    best = dict.fromkeys(trainers, 0.0)
    for _ in range(rounds):
        for name, trainer in trainers.items():
            trainer.reset()
            start = time.perf_counter()
            trainer.train_epochs(epochs)
            best[name] = max(best[name], epochs / (time.perf_counter() - start))
    return best


def bench_grid(fields: dict, resolution: int) -> float:
    trainer = Trainer(validate_config({"seed": 1, **fields}))
    features = trainer.config.features

    def run():  # one float32 pass computes every neuron's map and the output
        for _ in range(20):
            output_grid(trainer.network, features, resolution)

    return median_time(run) / 20 * 1e3


def bench_sweep(epochs: int = 300) -> tuple[float, float]:
    configs = [validate_config({"seed": 1, "hidden": [h]}) for h in (1, 2, 3, 4, 5, 6, 7, 8)]
    together = median_time(lambda: run_sweep(configs, epochs), repeats=3)

    def one_by_one():
        for config in configs:
            Trainer(config).train_epochs(epochs)

    return together, median_time(one_by_one, repeats=3)


def bench_cohort(size: int, epochs: int = 10) -> tuple[float, float]:
    """ms per epoch per run: ``size`` default runs (other seeds) alone, then as one stack."""
    def fresh():
        return [Trainer(validate_config({"seed": s})) for s in range(size)]

    alone_runs, stacked_runs = fresh(), fresh()

    def alone():
        for trainer in alone_runs:
            trainer.train_epochs(epochs)

    alone_s = median_time(alone, repeats=3)
    together_s = median_time(lambda: train_together(stacked_runs, epochs), repeats=3)
    per = size * epochs / 1e3
    return alone_s / per, together_s / per


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vs-torch", action="store_true", help="also time PyTorch CPU eager")
    parser.add_argument("--core", metavar="PATH", help="import core/ from this directory")
    args = parser.parse_args()
    print("every loss and output kind, 2-4-2 tanh, batch 10 (best of 60 rounds of 20 epochs)")
    losses = bench_losses()
    for name, eps in losses.items():
        same = "cross_entropy, softmax (three_blobs)" if "three_blobs" in name else \
            "cross_entropy, sigmoid"
        print(f"  {name:40s} {eps:7.0f} epochs/s  {eps / losses[same]:5.2f}x cross-entropy")
    print("training (median of 5 runs of 200 epochs)")
    ours = {}
    for name, fields in CASES.items():
        eps, us = bench_epochs(fields)
        ours[name] = eps
        print(f"  {name:48s} {eps:9.0f} epochs/s  {us:6.1f} µs/step")
    print("grid: one pass, every neuron's map and the output (median, ms per grid)")
    for name, fields in [("default 2-4-2-1", {}), ("6x8", {"hidden": [8] * 6})]:
        for resolution in (100, 200):
            print(f"  {name:16s} R={resolution:3d}  {bench_grid(fields, resolution):7.2f} ms")
    together, apart = bench_sweep()
    print(f"sweep of 8 hidden sizes x 300 epochs: together {together:.2f} s, one by one "
          f"{apart:.2f} s, ratio {together / apart:.2f}")
    print("live runs of one shape (a class on one lesson), default network, ms per epoch per run")
    for size in (8, 32, 100):
        alone, together = bench_cohort(size)
        print(f"  {size:3d} runs: alone {alone:.3f}  stacked {together:.3f}  "
              f"({alone / together:.1f}x cheaper)")
    if args.vs_torch:
        from bench.torch_reference import torch_epochs_per_second

        print("PyTorch CPU eager, same configurations")
        for name, fields in CASES.items():
            theirs = torch_epochs_per_second(fields)
            print(f"  {name:48s} {theirs:9.0f} epochs/s   ours/torch {ours[name] / theirs:5.1f}x")


if __name__ == "__main__":
    main()
