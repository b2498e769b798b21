"""Bounded offline runs for ``POST /api/train`` and ``POST /api/sweep``.

Both run in worker threads (never on the event loop), at most ``WORKERS`` at a time,
each bounded in epochs (≤ 10,000) and in time (``Settings.api_time_limit``).
Request bodies are checked here so a refusal names its field; the error body is
``{"error": {"code", "message", "field"}}`` (docs/protocol.md).
"""

from __future__ import annotations

import time

import anyio

from core.config import FIELD_NAMES, Config, ConfigError, validate_config
from core.datasets import make_dataset
from core.sweep import DATA_FIELDS, best_index, run_sweep, sweep_base
from core.trainer import Trainer

MAX_EPOCHS = 10_000
WORKERS = 2
HISTORY_KEYS = ("epoch", "train_loss", "test_loss", "train_error", "test_error",
                "validation_loss", "validation_error")
SWEEP_FIELDS = tuple(f for f in FIELD_NAMES if f not in DATA_FIELDS)
MIN_VALUES, MAX_VALUES = 2, 16


class ApiError(ValueError):
    def __init__(self, code: str, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.code, self.message, self.field, self.status = code, message, field, status

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


def _check_keys(body, allowed: tuple[str, ...], where: str = "") -> dict:
    if not isinstance(body, dict):
        raise ApiError("not_an_object", f"The {where or 'request body'} must be a JSON object "
                       f"with {', '.join(allowed)}.", where or None)
    for key in body:
        if key not in allowed:
            raise ApiError("invalid_field", f"{where + '.' if where else ''}{key} is not "
                           f"accepted; allowed: {', '.join(allowed)}.", f"{where}.{key}"
                           if where else key)
    return body


def _epochs(body: dict) -> int:
    value = body.get("epochs")
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_EPOCHS
    if not ok:
        got = "nothing" if "epochs" not in body else repr(value)
        raise ApiError("invalid_field", f"epochs must be an integer from 0 to {MAX_EPOCHS}; "
                       f"got {got}.", "epochs")
    return value


def _config(raw, prefix: str = "config", resolve=validate_config) -> Config:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ApiError("invalid_field", "config must be an object of configuration fields.",
                       "config")
    try:
        return resolve(raw)
    except ConfigError as exc:
        raise ApiError(exc.to_dict()["code"], exc.message, exc.field) from None


def _history(entries: list[dict]) -> list[dict]:
    return [{k: e.get(k) for k in HISTORY_KEYS} for e in entries]


def parse_train(body) -> tuple[Config, int]:
    body = _check_keys(body, ("config", "epochs"))
    return _config(body.get("config")), _epochs(body)


def train_run(config: Config, epochs: int, time_limit: float) -> dict:
    """What ``POST /api/train`` answers; trains in chunks so the time cap is kept."""
    deadline = time.monotonic() + time_limit
    trainer = Trainer(config)
    initial = {"weights": trainer.weights(), "biases": trainer.biases()}
    while trainer.epoch < epochs and trainer.state != "diverged":
        if time.monotonic() > deadline:
            raise ApiError("time_limit", f"training stopped at epoch {trainer.epoch} of "
                           f"{epochs}: over the {time_limit:g} s limit of one request. Ask "
                           "for fewer epochs or a smaller network.", "epochs")
        trainer.train_epochs(min(10, epochs - trainer.epoch))
    return {"config": config.to_dict(), "dataset": trainer.dataset.as_rows(),
            "initial": initial,
            "final": {"weights": trainer.weights(), "biases": trainer.biases()},
            "history": _history(trainer.history)}


def parse_sweep(body) -> tuple[Config, str, list[Config], int]:
    body = _check_keys(body, ("config", "vary", "epochs"))
    base = _config(body.get("config"), resolve=sweep_base)  # validation_ratio 0 → 20
    vary = _check_keys(body.get("vary"), ("field", "values"), "vary")
    field = vary.get("field")
    if field not in SWEEP_FIELDS:
        raise ApiError("invalid_field", f"vary.field must be one of {', '.join(SWEEP_FIELDS)} "
                       f"(the variants share the data); got {field!r}.", "vary.field")
    values = vary.get("values")
    if not isinstance(values, list) or not MIN_VALUES <= len(values) <= MAX_VALUES:
        raise ApiError("invalid_field", f"vary.values must be a list of {MIN_VALUES} to "
                       f"{MAX_VALUES} values of {field}.", "vary.values")
    configs = []
    for i, value in enumerate(values):
        try:
            configs.append(validate_config({**base.to_dict(), field: value}))
        except ConfigError as exc:
            raise ApiError("invalid_config", f"vary.values[{i}]: {exc.message}",
                           f"vary.values[{i}]") from None
    return base, field, configs, _epochs(body)


def sweep_run(base: Config, values: list, configs: list[Config], epochs: int) -> dict:
    results = run_sweep(configs, epochs, make_dataset(base))
    variants = [{"value": value, "config": r["config"].to_dict(),
                 "history": _history(r["history"]), "final": r["final"]}
                for value, r in zip(values, results)]
    return {"config": base.to_dict(), "variants": variants, "best": best_index(results)}


async def in_worker(fn, *args, limiter: anyio.CapacityLimiter, time_limit: float):
    """Run ``fn(*args)`` in a worker thread; past ``time_limit`` the request gets an error
    (a sweep's thread then finishes its bounded work unobserved)."""
    try:
        with anyio.fail_after(time_limit + 1):
            return await anyio.to_thread.run_sync(fn, *args, limiter=limiter,
                                                   abandon_on_cancel=True)
    except TimeoutError:
        raise ApiError("time_limit", f"the request took over {time_limit:g} s, the limit of "
                       "one request. Ask for fewer epochs or values.", "epochs") from None
