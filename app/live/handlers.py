"""Client → server messages of ``/ws/train``, one function per ``type``.

Each takes the session and the decoded message, checks every field (config fields
through ``core.config``, which names the field), acts, and answers with ``status``
(or ``probe``). A refusal raises ``ProtocolError``; the session is left as it was.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

from app.live.run import RunState
from app.live.session import Session
from app.live.sweeps import start_sweep, stop_sweep
from app.protocol import (
    CLIENT_FIELDS,
    DIVERGED,
    INVALID_CONFIG,
    INVALID_FIELD,
    INVALID_RUN,
    NO_RUN,
    NOT_PAUSED,
    RUN_TOO_LARGE,
    ProtocolError,
    dumps,
    require_number,
)
from app.settings import MAX_SPEED, MAX_STEP_EPOCHS
from core.config import ConfigError, apply_update, validate_config
from core.probe import probe as core_probe
from exports.runfile import RunFileError, read_run, run_file

NEEDS_NO_RUN = ("start", "load")  # the messages that make a run
WEIGHT_LIMIT = 100.0  # a weight or bias set by hand: from −100 to 100


def handle(session: Session, message: dict) -> None:
    kind = message["type"]
    extra = sorted(set(message) - CLIENT_FIELDS[kind] - {"type"})
    if extra:
        allowed = ", ".join(sorted(CLIENT_FIELDS[kind])) or "no other fields"
        raise ProtocolError(INVALID_FIELD, f"{kind} does not take {extra[0]}; it takes: "
                            f"{allowed}.", extra[0])
    if kind not in NEEDS_NO_RUN and session.trainer is None:
        raise ProtocolError(NO_RUN, f"{kind} needs a run; send start {{config}} first.")
    HANDLERS[kind](session, message)


def _config_object(message: dict) -> dict:
    config = message.get("config", {} if message["type"] == "start" else None)
    if not isinstance(config, dict):
        raise ProtocolError(INVALID_FIELD, "config must be an object of configuration "
                            "fields, e.g. {\"hidden\": [4, 2]}.", "config")
    return config


def _config_error(exc: ConfigError) -> ProtocolError:
    return ProtocolError(INVALID_CONFIG, exc.message, exc.field, allowed=exc.allowed,
                         received=exc.received)


def start(session: Session, message: dict) -> None:
    raw = _config_object(message)
    if session.member is not None and session.member.config is not None:
        session.new_run(session.member.config, state=RunState.RUNNING)  # the class's config
        session.status()
        return
    try:
        config = validate_config(raw)
    except ConfigError as exc:
        raise _config_error(exc) from None
    session.new_run(config, state=RunState.RUNNING)
    session.status()


def update(session: Session, message: dict) -> None:
    if session.member is not None:  # a field the teacher locked: error {code: "locked"}
        session.member.check_update(_config_object(message))
    try:
        config, restart = apply_update(session.trainer.config, _config_object(message))
    except ConfigError as exc:
        raise _config_error(exc) from None
    if restart:
        paused = session.run.state == RunState.PAUSED
        session.new_run(config, state=RunState.PAUSED if paused else RunState.RUNNING)
        session.status(reset=True)
    else:
        changed = sorted(k for k in message["config"]
                         if getattr(config, k) != getattr(session.trainer.config, k))
        session.run.apply_hot(config)
        session.status(reset=False, updated=changed)


def pause(session: Session, message: dict) -> None:
    session.run.pause()
    session.status()


def resume(session: Session, message: dict) -> None:
    _refuse_if_diverged(session, "resume")
    if session.run.state == RunState.PAUSED:
        _refuse_at_epoch_limit(session)
        session.run.resume()
    session.status()


def step(session: Session, message: dict) -> None:
    epochs = require_number(message, "epochs", 1, MAX_STEP_EPOCHS, integer=True)
    _refuse_if_diverged(session, "step")
    if session.run.state != RunState.PAUSED:
        raise ProtocolError(NOT_PAUSED, "step works while paused; send pause first.")
    _refuse_at_epoch_limit(session, epochs)
    session.run.step(epochs)


def reset(session: Session, message: dict) -> None:
    session.reset_run()
    session.status(reset=True)


def speed(session: Session, message: dict) -> None:
    session.run.set_speed(require_number(message, "epochs_per_second", 1, MAX_SPEED,
                                         also=(0,)))
    session.status()


def restore(session: Session, message: dict) -> None:
    epoch = require_number(message, "epoch", 0, session.trainer.epoch, integer=True)
    restored = session.rewind(epoch)
    session.status(restored=restored)


def probe(session: Session, message: dict) -> None:
    trainer = session.trainer
    x = message.get("x")
    if not (isinstance(x, list) and len(x) == 2 and all(_in_square(v) for v in x)):
        raise ProtocolError(INVALID_FIELD, "x must be a list [x1, x2] of two numbers from "
                            f"-6 to 6; got {_short(x)}.", "x")
    x1, x2 = float(x[0]), float(x[1])
    label = message.get("label")
    if label is not None:
        label = _probe_label(trainer.config, message)
    result = core_probe(trainer.network, trainer.config.features, [x1, x2], label,
                        loss=trainer.config.loss)
    session.send({"type": "probe", "x": [x1, x2], "label": label, "epoch": trainer.epoch,
                  "generation": session.run.generation, **result})


def set_weight(session: Session, message: dict) -> None:
    """One weight (``from`` an input index) or bias (``from`` "bias") set by hand, while
    paused; the drawing and the current epoch's losses follow (docs/protocol.md)."""
    if session.run.state != RunState.PAUSED:
        raise ProtocolError(NOT_PAUSED, "set_weight works while paused; send pause first.")
    trainer = session.trainer
    sizes = trainer.network.sizes
    layer = require_number(message, "layer", 0, len(sizes) - 2, integer=True)
    fan_in, fan_out = sizes[layer], sizes[layer + 1]
    row = fan_in if message.get("from") == "bias" else _source_unit(message, fan_in)
    to = require_number(message, "to", 0, fan_out - 1, integer=True)
    value = require_number(message, "value", -WEIGHT_LIMIT, WEIGHT_LIMIT)
    session.set_weight(layer, row, to, value)
    session.status()


def _source_unit(message: dict, fan_in: int) -> int:
    value = message.get("from")
    number = isinstance(value, int) and not isinstance(value, bool)
    if not (number and 0 <= value < fan_in):
        raise ProtocolError(INVALID_FIELD, f"from must be an integer from 0 to {fan_in - 1} "
                            f"(a unit of that layer's input) or \"bias\"; got {_short(value)}.",
                            "from", allowed=f"an integer from 0 to {fan_in - 1}, or \"bias\"",
                            received=value)
    return value


def save(session: Session, message: dict) -> None:
    """The run now as a run file (``exports.runfile``), in a ``run`` message; refused
    when it could not be opened again (larger than ``NNLIVE_MAX_RUN_BYTES``)."""
    reply = {"type": "run", "epoch": session.trainer.epoch,
             "generation": session.run.generation, "run": run_file(session.trainer)}
    size, limit = len(dumps(reply)), session.settings.max_run_bytes
    if size > limit:
        raise ProtocolError(RUN_TOO_LARGE, f"This run's file would have {size:,} bytes, over "
                            f"the {limit:,} a load message may have (NNLIVE_MAX_RUN_BYTES): "
                            "it could not be opened again. Restore an earlier epoch first.")
    session.send(reply)


def load(session: Session, message: dict) -> None:
    """A run file becomes this session's run, paused exactly where it was saved."""
    try:
        trainer, initial = read_run(message.get("run"), session.settings.max_epochs)
    except RunFileError as exc:
        raise ProtocolError(INVALID_RUN, f"The run file cannot be opened: {exc.message}",
                            f"run.{exc.field}") from None
    if session.member is not None:  # a run file may not undo the teacher's locks
        session.member.check_load(trainer.config)
    session.load_run(trainer, initial)
    session.status(loaded=True)


def _in_square(v) -> bool:
    number = isinstance(v, (int, float)) and not isinstance(v, bool)
    return number and math.isfinite(v) and -6 <= v <= 6


def _probe_label(config, message: dict) -> float:
    if config.task == "regression":
        return require_number(message, "label", -1e6, 1e6)
    return require_number(message, "label", 0, config.n_classes - 1, integer=True)


def _refuse_if_diverged(session: Session, kind: str) -> None:
    if session.run.state == RunState.DIVERGED:
        raise ProtocolError(DIVERGED, f"{kind} is not possible: the run diverged. Send reset "
                            "or restore {epoch} (after an update to a smaller learning_rate, "
                            "say).")


def _refuse_at_epoch_limit(session: Session, more: int = 1) -> None:
    limit = session.settings.max_epochs
    if session.trainer.epoch + more > limit:
        raise ProtocolError(INVALID_FIELD if more > 1 else "epoch_limit",
                            f"a live run stops at epoch {limit} (server limit); it is at "
                            f"epoch {session.trainer.epoch}. Send reset or restore.",
                            "epochs" if more > 1 else None)


def _short(value) -> str:
    return json.dumps(value)[:60]


HANDLERS: dict[str, Callable[[Session, dict], None]] = {
    "start": start, "update": update, "pause": pause, "resume": resume, "step": step,
    "reset": reset, "speed": speed, "restore": restore, "probe": probe,
    "set_weight": set_weight, "save": save, "load": load,
    "sweep": start_sweep, "sweep_stop": stop_sweep,
}
