"""What the teacher's exports cost: figures, animations and scripts.

    .venv/bin/python bench/exports.py

Drawing only (the run is trained before the clock starts), median of a few repeats,
in one process: each view as PNG (at 1× and 2×) and SVG at the page's sizes, the
largest figure the default settings allow, GIFs of 10 – 120 frames at 320 and 640
pixels (with the estimate ``exports.animation.drawing_seconds`` beside the measured
time: their ratio must stay below 1, or a request could pass the cost check and then
run into its deadline), the scripts' generation for 60 and 2,000 points, and the time
the generated NumPy and PyTorch scripts take to run 100 epochs. Sizes are in bytes.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEWLINE = b"\n"
sys.path.insert(0, str(ROOT))

from app.exporting import script_work  # noqa: E402
from core.config import validate_config  # noqa: E402
from core.trainer import Trainer  # noqa: E402
from exports import animation  # noqa: E402
from exports.loss_view import loss_view  # noqa: E402
from exports.network_view import network_view  # noqa: E402
from exports.output_view import output_view  # noqa: E402
from exports.raster import png_bytes, render  # noqa: E402
from exports.scene import scene_of  # noqa: E402
from exports.vector import svg_text  # noqa: E402


def timed(fn, repeats: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def figures(scene) -> None:
    views = {"output": lambda w: output_view(scene, w), "network": lambda w: network_view(scene, w),
             "loss": lambda w: loss_view(scene.history, w, w // 2)}
    print("figure                      ms      bytes")
    for name, view in views.items():
        width = 600 if name == "loss" else 480
        drawing = view(width)
        for label, make in ((f"{name} PNG 1×", partial(png_bytes, drawing, 1)),
                            (f"{name} PNG 2×", partial(png_bytes, drawing, 2)),
                            (f"{name} SVG", partial(svg_text, drawing))):
            seconds, body = timed(make)
            print(f"{label:<24} {seconds * 1000:7.1f} {len(body):10,}")
    seconds, body = timed(lambda: png_bytes(views["output"](1200), 2), repeats=3)
    print(f"{'output PNG 2400 px':<24} {seconds * 1000:7.1f} {len(body):10,}")


def animations(config) -> None:
    print("\nGIF frames × size      train+draw s  estimate s  ratio      bytes")
    for frames, size in ((10, 320), (40, 320), (120, 320), (40, 640), (120, 640)):
        seconds, (body, (w, h)) = timed(partial(gif, config, frames, size), repeats=1)
        estimate = animation.drawing_seconds(frames, w, h)
        print(f"{frames:>4} × {size:<14} {seconds:10.2f} {estimate:11.2f} "
              f"{estimate / seconds:6.2f} {len(body):10,}")


def gif(config, frames: int, size: int):
    trainer, images = Trainer(config), []
    for epoch in animation.frame_epochs(240, frames):
        trainer.train_epochs(epoch - trainer.epoch)
        scene = scene_of(trainer)
        images.append(render(output_view(scene, size, animation.caption(scene))))
    return animation.gif_bytes(images), images[0].size


def scripts() -> None:
    print("\nscript                       make ms   lines    bytes   run 100 epochs s")
    for n_points in (60, 2000):
        config = validate_config({"seed": 1, "n_points": n_points, "optimizer": "adam"})
        for framework in ("numpy", "pytorch"):
            seconds, text = timed(partial(script_work, config, 100, framework), repeats=3)
            with tempfile.NamedTemporaryFile("wb", suffix=".py", delete=False) as f:
                f.write(text)
            began = time.perf_counter()
            subprocess.run([sys.executable, f.name, "--json"], check=True, capture_output=True)
            ran = time.perf_counter() - began
            print(f"{framework:<8} {n_points:>5} points      {seconds * 1000:9.1f} "
                  f"{text.count(NEWLINE):7} {len(text):8,} {ran:10.2f}")


def main() -> None:
    config = validate_config({"seed": 3, "n_points": 500, "hidden": [4, 2],
                              "validation_ratio": 20})
    trainer = Trainer(config)
    trainer.train_epochs(200)
    figures(scene_of(trainer))
    animations(config)
    scripts()


if __name__ == "__main__":
    main()
