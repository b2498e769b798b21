"""The teacher's exports, bounded like ``/api/train``: figures, animations, scripts, CSV.

A figure's or an animation's query is the configuration as on ``/`` (read by
``core.config.parse_query``, validated by ``validate_config``: the field named, nothing
clamped), plus ``epochs`` and the export's own fields; a custom dataset comes by its
``data`` id (``app.dataset_store``). Each request is refused before any work when its
estimated cost (training: ``core.cost``; drawing: per megapixel) cannot fit
``NNLIVE_API_TIME_LIMIT``, runs in a worker thread holding a slot of the API limiter,
and stops itself at its deadline. Sizes and frame counts are capped by settings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from app.training import (
    MAX_EPOCHS,
    ApiError,
    Deadline,
    Slicer,
    check_keys,
    config_of,
    epochs_of,
    refuse_costly,
    train_to,
)
from core.config import FIELD_NAMES, Config, ConfigError, parse_query, validate_config
from core.datasets import make_dataset
from core.trainer import Trainer
from exports import animation
from exports.csv_data import to_csv
from exports.loss_view import loss_view
from exports.network_view import network_view
from exports.output_view import output_view
from exports.raster import png_bytes, render
from exports.scene import scene_of
from exports.script_numpy import numpy_script
from exports.script_torch import torch_script
from exports.vector import svg_text

VIEWS = ("output", "network", "loss")
FRAMEWORKS = {"numpy": numpy_script, "pytorch": torch_script}
EXTRA = {"png": ("epochs", "view", "size", "scale", "data"),
         "svg": ("epochs", "view", "size", "data"),
         "gif": ("epochs", "frames", "size", "data"),
         "csv": ("data",)}
DEFAULT_SIZE = {"png": 400, "svg": 400, "gif": 320, "csv": 0}
MIN_SIZE = 100
LOSS_HEIGHT = 0.5  # the loss chart is half as high as it is wide
SECONDS_PER_MEGAPIXEL = 0.1  # drawing a figure (bench/exports.py measures it)


@dataclass(frozen=True)
class Export:
    kind: str      # png, svg, gif or csv
    config: Config
    epochs: int = 0
    view: str = "output"
    size: int = 400
    scale: int = 2
    frames: int = 0

    def key(self) -> tuple:
        return (self.kind, repr(self.config), self.epochs, self.view, self.size, self.scale,
                self.frames)


def parse_export(params: Mapping[str, str], kind: str, settings, store) -> Export:
    """The export a query asks for; an ``ApiError`` naming the first refused field."""
    allowed = (*FIELD_NAMES, *EXTRA[kind])
    for name in params:
        if name not in allowed:
            raise ApiError("invalid_field", f"{name} is not accepted here; allowed: the "
                           f"configuration's fields and {', '.join(EXTRA[kind])}.", name)
    config = _query_config(params, store)
    fields = {"kind": kind, "config": config}
    if kind == "csv":
        return Export(**fields)
    fields["epochs"] = _integer(params, "epochs", 0, MAX_EPOCHS)
    top = settings.animation_max_size if kind == "gif" else settings.figure_max_size
    fields["size"] = _integer(params, "size", MIN_SIZE, top, DEFAULT_SIZE[kind])
    if kind == "png":
        fields["scale"] = _integer(params, "scale", 1, 4, 2)
        if fields["size"] * fields["scale"] > top:
            raise ApiError("invalid_field", f"size × scale must be at most {top} pixels "
                           f"(NNLIVE_FIGURE_MAX_SIZE); got {fields['size']} × "
                           f"{fields['scale']}.", "size")
    if kind in ("png", "svg"):
        fields["view"] = _choice(params, "view", VIEWS)
    if kind == "gif":
        fields["frames"] = _frames(params, fields["epochs"], settings.animation_max_frames)
    return Export(**fields)


def _query_config(params: Mapping[str, str], store) -> Config:
    raw = parse_query(params)
    if "data" in params:
        points = store.get(params["data"])
        if points is None:
            raise ApiError("unknown_dataset", f"No dataset is kept under data="
                           f"{params['data'][:40]!r}: upload it again (POST /api/dataset).",
                           "data", status=404)
        raw.setdefault("dataset", "custom")
        raw["points"] = points
    try:
        return validate_config(raw)
    except ConfigError as exc:
        raise ApiError(exc.to_dict()["code"], exc.message, exc.field) from None


def _integer(params, name: str, lo: int, hi: int, default: int | None = None) -> int:
    text = params.get(name)
    if text is None and default is not None:
        return default
    ok = text is not None and text.isascii() and text.isdigit() and lo <= int(text) <= hi
    if not ok:
        got = "nothing" if text is None else repr(text[:40])
        raise ApiError("invalid_field", f"{name} must be an integer from {lo} to {hi}; got "
                       f"{got}.", name)
    return int(text)


def _choice(params, name: str, choices: tuple[str, ...]) -> str:
    value = params.get(name, choices[0])
    if value not in choices:
        raise ApiError("invalid_field", f"{name} must be one of {', '.join(choices)}; got "
                       f"{value[:40]!r}.", name)
    return value


def _frames(params, epochs: int, most: int) -> int:
    frames = _integer(params, "frames", 2, most, min(40, most))
    if frames > epochs + 1:
        raise ApiError("invalid_field", f"frames must be at most epochs + 1 ({epochs + 1}): "
                       f"each frame shows a different epoch; got {frames}.", "frames")
    return frames


def refuse_costly_export(export: Export, time_limit: float, busy: bool) -> None:
    """Training as ``/api/train`` refuses it; then the drawing, estimated per megapixel."""
    refuse_costly([export.config], export.epochs, time_limit, busy)
    width = export.size * (export.scale if export.kind == "png" else 1)
    frames = max(1, export.frames)
    seconds = animation.drawing_seconds(frames, width, width) if export.kind == "gif" \
        else width * width / 1e6 * SECONDS_PER_MEGAPIXEL
    if seconds > time_limit:
        raise ApiError("too_costly", f"drawing {frames} frame(s) of {width} pixels would take "
                       f"at least {seconds:.0f} s, over the {time_limit:g} s limit of one "
                       "request; ask for fewer frames or a smaller size.", "frames"
                       if export.kind == "gif" else "size")


def figure_work(export: Export, deadline: Deadline, busy: Callable[[], bool]) -> bytes:
    trainer = Trainer(export.config)
    train_to(trainer, export.epochs, deadline, Slicer(busy))
    scene = scene_of(trainer)
    if export.view == "output":
        drawing = output_view(scene, export.size)
    elif export.view == "network":
        drawing = network_view(scene, export.size)
    else:
        drawing = loss_view(scene.history, export.size, round(export.size * LOSS_HEIGHT))
    if export.kind == "svg":
        return svg_text(drawing).encode()
    return png_bytes(drawing, export.scale)


def animation_work(export: Export, deadline: Deadline, busy: Callable[[], bool]) -> bytes:
    trainer, slicer, images = Trainer(export.config), Slicer(busy), []
    for epoch in animation.frame_epochs(export.epochs, export.frames):
        where = f"the animation reached frame {len(images) + 1} of {export.frames}"
        try:
            train_to(trainer, epoch, deadline, slicer)
        except ApiError:  # past the deadline while training: said as the frame it was on
            deadline.check(where, "fewer frames, fewer epochs or a smaller size")
            raise
        deadline.check(where, "fewer frames, fewer epochs or a smaller size")
        scene = scene_of(trainer)
        images.append(render(output_view(scene, export.size, animation.caption(scene))))
    return animation.gif_bytes(images)


def parse_script(body) -> tuple[Config, int, str]:
    body = check_keys(body, ("config", "epochs", "framework"))
    framework = body.get("framework")
    if framework not in FRAMEWORKS:
        raise ApiError("invalid_field", "framework must be one of numpy, pytorch; got "
                       f"{str(framework)[:40]!r}.", "framework")
    return config_of(body.get("config")), epochs_of(body), framework


def script_work(config: Config, epochs: int, framework: str) -> bytes:
    trainer = Trainer(config)
    initial = {"weights": trainer.weights(), "biases": trainer.biases()}
    return FRAMEWORKS[framework](config, epochs, trainer.dataset.as_rows(), initial).encode()


def csv_work(export: Export) -> bytes:
    config = export.config
    return to_csv(make_dataset(config).as_rows(), config.task == "regression").encode()
