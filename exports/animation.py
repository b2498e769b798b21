"""A run's training as an animated GIF: the output view at evenly spaced epochs, each
frame captioned with its epoch and losses, encoded by Pillow (never by us)."""

from __future__ import annotations

import io

from PIL import Image

from exports.scene import Scene

FRAME_MS = 120      # each frame is shown this long…
LAST_FRAME_MS = 2000  # …and the last one longer, before the loop starts again
# drawing and quantizing one frame: seconds per megapixel, at the most this code was
# measured to need (bench/exports.py), to refuse an animation that cannot fit its limit
SECONDS_PER_MEGAPIXEL = 0.12


def frame_epochs(epochs: int, frames: int) -> list[int]:
    """``frames`` distinct epochs from 0 to ``epochs``, evenly spaced (needs frames ≤
    epochs + 1)."""
    return [round(i * epochs / (frames - 1)) for i in range(frames)]


def caption(scene: Scene) -> str:
    last = scene.history[-1]
    parts = [f"epoch {scene.epoch}", f"train loss {last['train_loss']:.3f}",
             f"test loss {last['test_loss']:.3f}"]
    if last.get("test_error") is not None:
        parts.append(f"test error {last['test_error']:.1%}")
    return " · ".join(parts)


def drawing_seconds(frames: int, width: int, height: int) -> float:
    return frames * width * height / 1e6 * SECONDS_PER_MEGAPIXEL


def gif_bytes(images: list[Image.Image]) -> bytes:
    """The frames as one looping GIF, each with its own adaptive palette."""
    palettes = [image.quantize(colors=255, method=Image.Quantize.MEDIANCUT,
                               dither=Image.Dither.NONE) for image in images]
    durations = [FRAME_MS] * (len(images) - 1) + [LAST_FRAME_MS]
    out = io.BytesIO()
    palettes[0].save(out, "GIF", save_all=True, append_images=palettes[1:],
                     duration=durations, loop=0, optimize=False, disposal=1)
    return out.getvalue()
