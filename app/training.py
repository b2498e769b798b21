"""Bounded offline runs for ``POST /api/train`` and ``POST /api/sweep``.

Both run in worker threads (never on the event loop), at most ``WORKERS`` at a time,
each bounded in epochs (≤ 10,000), in estimated cost (``core.cost``: a request that
cannot fit its time limit is refused before it starts, saying what to lower) and in
time: the work goes in slices of a few milliseconds, and between slices the thread
checks its ``Deadline`` and stops itself. A worker's slot is released only when its
thread has returned, so the limiter counts what really runs. The answer is encoded in
the thread too: a 16 × 10,000-epoch history is megabytes of JSON.
Request bodies are checked here so a refusal names its field; the error body is
``{"error": {"code", "message", "field"}}`` (docs/protocol.md).
"""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic, perf_counter, sleep

import anyio

from app.protocol import dumps_bytes
from core import cost
from core.config import FIELD_NAMES, Config, ConfigError, validate_config
from core.datasets import make_dataset
from core.sweep import DATA_FIELDS, SweepRun, best_index, sweep_base
from core.trainer import DIVERGED, Trainer

MAX_EPOCHS = 10_000
WORKERS = 2
SLICE = 0.005  # seconds of work between two looks at the deadline
# Worker threads share the interpreter lock with the event loop: a thread training flat
# out would leave the loop a third of it with two such threads. While the server has live
# sessions, each rests after a slice so that all of them together hold it at most this
# share of the time.
API_SHARE = 0.5
DUTY = API_SHARE / WORKERS  # of one worker: the share of its wall time it computes
MAX_WAITING = 8  # requests waiting for a worker; more get 503 at once
HISTORY_KEYS = ("epoch", "train_loss", "test_loss", "train_error", "test_error",
                "validation_loss", "validation_error")
SWEEP_FIELDS = tuple(f for f in FIELD_NAMES if f not in DATA_FIELDS)
MIN_VALUES, MAX_VALUES = 2, 16
LOWER = "fewer epochs, fewer values, a larger batch_size, fewer n_points or a smaller hidden"


class ApiError(ValueError):
    def __init__(self, code: str, message: str, field: str | None = None, status: int = 422,
                 headers: dict | None = None):
        message, field = _utf8_safe(message), _utf8_safe(field)
        super().__init__(message)
        self.code, self.message, self.field, self.status = code, message, field, status
        self.headers = headers

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


def _utf8_safe(text: str | None) -> str | None:
    """Lone surrogates (legal in JSON, not in UTF-8) escaped, so a refusal quoting the
    client's text can be sent."""
    return None if text is None else text.encode("utf-8", "backslashreplace").decode()


def check_keys(body, allowed: tuple[str, ...], where: str = "") -> dict:
    if not isinstance(body, dict):
        raise ApiError("not_an_object", f"The {where or 'request body'} must be a JSON object "
                       f"with {', '.join(allowed)}.", where or None)
    for key in body:
        if key not in allowed:
            raise ApiError("invalid_field", f"{where + '.' if where else ''}{key} is not "
                           f"accepted; allowed: {', '.join(allowed)}.", f"{where}.{key}"
                           if where else key)
    return body


def epochs_of(body: dict) -> int:
    value = body.get("epochs")
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_EPOCHS
    if not ok:
        got = "nothing" if "epochs" not in body else repr(value)
        raise ApiError("invalid_field", f"epochs must be an integer from 0 to {MAX_EPOCHS}; "
                       f"got {got}.", "epochs")
    return value


def config_of(raw, prefix: str = "config", resolve=validate_config) -> Config:
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
    body = check_keys(body, ("config", "epochs"))
    return config_of(body.get("config")), epochs_of(body)


class Deadline:
    """The time limit of one request, checked by the thread doing its work."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = monotonic() + seconds

    def check(self, where: str, advice: str) -> None:
        if monotonic() > self.at:
            raise ApiError("time_limit", f"{where}: over the {self.seconds:g} s limit of one "
                           f"request, so the work was stopped. Ask for {advice}.", "epochs")


class Slicer:
    """How many steps make about ``SLICE`` seconds, learnt from the slices so far; after
    each slice, while ``busy()`` (live sessions are there), the thread rests so that it
    computes ``DUTY`` of its time."""

    def __init__(self, busy: Callable[[], bool]) -> None:
        self.steps, self.busy = 1, busy

    def timed(self, work) -> int:
        began = perf_counter()
        taken = work(self.steps)
        spent = perf_counter() - began
        if taken:
            self.steps = max(1, min(4 * self.steps, int(taken * SLICE / max(spent, 1e-6))))
        if self.busy():
            sleep(spent * (1 / DUTY - 1))  # the lock goes to the event loop meanwhile
        return taken


def refuse_costly(configs: list[Config], epochs: int, time_limit: float,
                  busy: bool = False) -> None:
    """Refuse, before any work, a request whose cost cannot fit ``time_limit`` (a worker
    computes ``DUTY`` of that time while the server is ``busy``)."""
    duty = DUTY if busy else 1.0
    seconds = cost.training_seconds(configs, epochs) / duty
    if seconds > time_limit:
        fits = cost.epochs_within(configs, time_limit * duty)
        what = "these variants" if len(configs) > 1 else "this configuration"
        raise ApiError("too_costly", f"{epochs} epochs of {what} would take at least "
                       f"{seconds:,.0f} s, over the {time_limit:g} s limit of one request. "
                       f"Ask for fewer than {fits} epochs, or {LOWER}.", "epochs")


def train_run(config: Config, epochs: int, deadline: Deadline,
              busy: Callable[[], bool]) -> bytes:
    """What ``POST /api/train`` answers, as JSON bytes; trained in slices so the
    deadline is looked at every few milliseconds."""
    trainer = Trainer(config)
    initial = {"weights": trainer.weights(), "biases": trainer.biases()}
    train_to(trainer, epochs, deadline, Slicer(busy))
    return dumps_bytes({"config": config.to_dict(), "dataset": trainer.dataset.as_rows(),
                        "initial": initial,
                        "final": {"weights": trainer.weights(), "biases": trainer.biases()},
                        "history": _history(trainer.history)})


def train_to(trainer: Trainer, epochs: int, deadline: Deadline, slicer: Slicer) -> None:
    """Train ``trainer`` on to epoch ``epochs`` (or its divergence) in slices, looking at
    the deadline between them."""
    per_epoch = trainer.batches_per_epoch

    def steps(k: int) -> int:
        left = trainer.batches_left() + (epochs - trainer.epoch - 1) * per_epoch
        trainer.train_batches(min(k, left))
        return min(k, left)

    while trainer.epoch < epochs and trainer.state != DIVERGED:
        deadline.check(f"training reached epoch {trainer.epoch} of {epochs}",
                       f"at most {trainer.epoch} epochs or a smaller network")
        slicer.timed(steps)


def parse_sweep(body) -> tuple[Config, str, list[Config], int]:
    body = check_keys(body, ("config", "vary", "epochs"))
    base = config_of(body.get("config"), resolve=sweep_base)  # validation_ratio 0 → 20
    vary = check_keys(body.get("vary"), ("field", "values"), "vary")
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
    return base, field, configs, epochs_of(body)


def sweep_run(base: Config, values: list, configs: list[Config], epochs: int,
              deadline: Deadline, busy: Callable[[], bool]) -> bytes:
    """What ``POST /api/sweep`` answers, as JSON bytes; trained in slices, as above."""
    run = SweepRun(configs, make_dataset(base))
    slicer = Slicer(busy)
    while run.epoch < epochs:
        deadline.check(f"the sweep reached epoch {run.epoch} of {epochs}",
                       f"at most {run.epoch} epochs, or fewer values")
        if not slicer.timed(lambda k: run.train_steps(k, epochs)):
            break  # every variant diverged
    results = run.results()
    variants = [{"value": value, "config": r["config"].to_dict(),
                 "history": _history(r["history"]), "final": r["final"]}
                for value, r in zip(values, results)]
    return dumps_bytes({"config": base.to_dict(), "variants": variants,
                        "best": best_index(results)})


async def in_worker(work, *args, limiter: anyio.CapacityLimiter, deadline: Deadline):
    """``work(*args)`` in a worker thread holding a slot of ``limiter`` until the thread
    has returned (it stops itself at ``deadline``; a cancelled request waits for it).
    Waiting for a slot counts against the deadline, and only ``MAX_WAITING`` may wait."""
    if limiter.statistics().tasks_waiting >= MAX_WAITING:
        raise _busy(limiter)
    acquired = False
    with anyio.move_on_after(max(0.0, deadline.at - monotonic())):
        await limiter.acquire()
        acquired = True
    if not acquired:
        raise _busy(limiter)
    try:
        return await anyio.to_thread.run_sync(work, *args)
    finally:
        limiter.release()


def _busy(limiter: anyio.CapacityLimiter) -> ApiError:
    return ApiError("busy", f"the server is already running {int(limiter.total_tokens)} "
                    "training requests and others are waiting; try again in a minute.",
                    status=503, headers={"Retry-After": "30"})
