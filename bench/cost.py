"""core/cost.py against measurement: time per epoch and sweep memory, estimated and real.

    .venv/bin/python bench/cost.py

For each configuration (a lone run, or a sweep of 16 learning rates), one process
trains a few epochs and prints the measured seconds per epoch beside the estimate's
lower bound (their ratio must stay above 1: a request refused as too slow could not
have fitted), and the memory the run added (RSS) beside ``sweep_bytes``. Rerun after
changes to core/ and update the constants in core/cost.py if a ratio drops below 1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
F7 = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
BIG = {"n_points": 2000, "train_ratio": 90, "hidden": [16] * 6, "features": F7}
CASES = [
    ("default", {}, 1), ("default", {}, 16),
    ("batch 1, 500 points", {"batch_size": 1}, 1),
    ("batch 1, 500 points", {"batch_size": 1}, 4),
    ("2000 points, 6×16, batch 1, adam, relu",
     {**BIG, "batch_size": 1, "optimizer": "adam", "activation": "relu"}, 1),
    ("2000 points, 6×16, batch 1, adam, relu",
     {**BIG, "batch_size": 1, "optimizer": "adam", "activation": "relu"}, 16),
    ("2000 points, 6×16, batch 10", {**BIG, "batch_size": 10}, 1),
    ("2000 points, 6×16, batch 10", {**BIG, "batch_size": 10}, 16),
    ("2000 points, 6×16, batch 1800", {**BIG, "batch_size": 1800}, 1),
    ("2000 points, 6×16, batch 1800", {**BIG, "batch_size": 1800}, 16),
    ("2000 points, 1×16, batch 1", {**BIG, "hidden": [16], "batch_size": 1}, 16),
]

MEASURE = """
import gc, json, sys, time, psutil
from core import cost
from core.config import validate_config
from core.sweep import SweepRun
from core.trainer import Trainer
config, variants = json.loads(sys.argv[1]), int(sys.argv[2])
configs = [validate_config({**config, "seed": 1, "learning_rate": 0.01 * (i + 1)})
           for i in range(variants)]
gc.collect()
before = psutil.Process().memory_info().rss
run = Trainer(configs[0]) if variants == 1 else SweepRun(configs)
run.train_epochs(1)  # every plan and buffer made
grown = psutil.Process().memory_info().rss - before
epochs, began = 0, time.perf_counter()
while time.perf_counter() - began < 1.5:
    run.train_epochs(1)
    epochs += 1
spent = (time.perf_counter() - began) / epochs
print(json.dumps([spent, cost.seconds_per_epoch(configs), grown, cost.sweep_bytes(configs)]))
"""


def main() -> None:
    print(f"load average {os.getloadavg()}")
    print(f"{'configuration':42s} {'V':>3s} {'ms/epoch':>9s} {'bound':>8s} {'ratio':>6s} "
          f"{'MB':>7s} {'est. MB':>8s}")
    for name, config, variants in CASES:
        out = subprocess.run([sys.executable, "-c", MEASURE, json.dumps(config),
                              str(variants)], cwd=ROOT, capture_output=True, text=True,
                             check=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
        spent, bound, grown, estimate = json.loads(out.stdout)
        print(f"{name:42s} {variants:3d} {spent * 1e3:9.2f} {bound * 1e3:8.2f} "
              f"{spent / bound:6.1f} {grown / 2**20:7.1f} {estimate / 2**20:8.1f}", flush=True)


if __name__ == "__main__":
    main()
