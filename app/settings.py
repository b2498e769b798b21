"""Server settings, read once from ``NNLIVE_*`` environment variables and validated.

A bad value stops the server at start with a message naming the variable, what is
allowed and what came — never silently replaced by a default.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from urllib.parse import urlsplit


class SettingsError(ValueError):
    """A refused environment variable: ``name``, and a full-sentence message."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    max_fps: float = 30.0               # frames per second per socket, at most
    grid_resolution: int = 50           # output grid is R×R cells (≥ 50, DESIGN.md)
    neuron_resolution: int = 12         # per-neuron maps are r×r (TF Playground: 10×10)
    max_sessions: int = 200             # whole server
    max_sessions_per_client: int = 150  # per client address (IPv6: per /64); a class
                                        # behind one NAT shares one address
    session_rate: float = 5.0           # new sessions per second per address, sustained…
    session_burst: int = 60             # …after a burst of this many (a class arriving)
    start_seconds: float = 30.0         # a socket that sends no start by then is closed
    idle_seconds: float = 1800.0        # a session with no message for this long is closed
    grace_seconds: float = 60.0         # a dropped session waits this long for a reconnect
    allowed_origins: tuple[str, ...] = ()  # besides the server's own origin
    embed_origins: tuple[str, ...] = ()    # sites that may frame /embed; () = any site
    public_origins: tuple[str, ...] = ()   # where the site is served (https://host); () =
                                           # loopback names and IP addresses only
    forwarded_allow_ips: tuple[str, ...] = ()  # proxies whose X-Forwarded-* are believed
    max_message_bytes: int = 262_144    # client messages above this get an error
    max_body_bytes: int = 1_048_576     # HTTP request bodies above this get 413
    train_share: float = 0.5            # at most this share of the event loop trains
    api_time_limit: float = 20.0        # seconds for one POST /api/train or /api/sweep
    max_sweeps: int = 8                 # sweeps training at once (API and live), server-wide
    sweep_memory_mb: int = 512          # estimated memory of the sweeps held, server-wide
    max_epochs: int = 30_000            # a live run pauses here: its history stays bounded
    redis_url: str | None = None        # keep runs in Redis: shared by several machines
    store_path: str | None = None       # the runs' SQLite file; None: the default place
                                        # (default_store_path), "none": memory only
    store_retention_seconds: float = 604_800.0  # a run is kept this long after its
                                        # last checkpoint (a week: until next lesson)
    store_run_mb: float = 4.0           # one run's record, at most (≈ 0.6 MB at 30,000 epochs)
    store_max_mb: float = 1024.0        # every record together; oldest let go first
    workers: int | None = None          # processes of `nnlive serve` (None: one per core)
    class_retention_seconds: float = 86_400.0  # a class and all it holds go this long after
                                               # it was opened
    max_classes: int = 500              # classes open at once, server-wide
    class_attempt_rate: float = 0.2     # wrong class codes or keys per second per address,
    class_attempt_burst: int = 30       # sustained, after a burst of this many (typos)
    class_create_rate: float = 1 / 60   # classes opened per second per address, sustained,
    class_create_burst: int = 10        # after a burst of this many
    figure_max_size: int = 2400         # pixels: the widest figure.png / figure.svg drawn
    animation_max_size: int = 640       # pixels: the widest animation.gif drawn
    animation_max_frames: int = 120     # frames of one animation.gif, at most
    export_cache_mb: int = 64           # figures, animations and scripts kept by request
    max_run_bytes: int = 4_194_304      # a run file sent in a load message, at most
    data_dir: str | None = None         # uploaded datasets kept here (None: beside the
                                        # runs' SQLite file; in memory without one)
    dataset_store_mb: int = 256         # uploaded datasets kept, at most (oldest go first)
    log_format: str = "json"            # json | text, for `nnlive serve`

    def limits(self) -> dict:
        """What ``hello`` tells the client."""
        return {"max_fps": self.max_fps, "max_message_bytes": self.max_message_bytes,
                "grace_seconds": self.grace_seconds, "grid_resolution": self.grid_resolution,
                "neuron_resolution": self.neuron_resolution,
                "max_epochs": self.max_epochs, "max_epochs_per_step": MAX_STEP_EPOCHS,
                "max_speed": MAX_SPEED, "start_seconds": self.start_seconds,
                "idle_seconds": self.idle_seconds, "max_run_bytes": self.max_run_bytes}

    @property
    def worker_count(self) -> int:
        """How many processes serve together (1 unless `nnlive serve --workers`)."""
        return self.workers or 1

    def per_worker(self, total: float) -> float:
        """A server-wide budget's share for one worker process."""
        return total / self.worker_count


MAX_STEP_EPOCHS = 10_000
MAX_SPEED = 10_000

# variable suffix → (field, parser, lo, hi)
_RULES = {
    "HOST": ("host", "text", None, None),
    "PORT": ("port", "int", 0, 65535),
    "MAX_FPS": ("max_fps", "float", 1, 120),
    "GRID_RESOLUTION": ("grid_resolution", "int", 50, 200),
    "NEURON_RESOLUTION": ("neuron_resolution", "int", 8, 64),
    "MAX_SESSIONS": ("max_sessions", "int", 1, 10_000),
    "MAX_SESSIONS_PER_CLIENT": ("max_sessions_per_client", "int", 1, 10_000),
    "SESSION_RATE": ("session_rate", "float", 0.01, 1000),
    "SESSION_BURST": ("session_burst", "int", 1, 10_000),
    "START_SECONDS": ("start_seconds", "float", 0.1, 3600),
    "IDLE_SECONDS": ("idle_seconds", "float", 1, 86_400),
    "GRACE_SECONDS": ("grace_seconds", "float", 0, 3600),
    "ALLOWED_ORIGINS": ("allowed_origins", "origins", None, None),
    "EMBED_ORIGINS": ("embed_origins", "origins", None, None),
    "PUBLIC_ORIGIN": ("public_origins", "origins", None, None),
    "FORWARDED_ALLOW_IPS": ("forwarded_allow_ips", "ips", None, None),
    "MAX_MESSAGE_BYTES": ("max_message_bytes", "int", 1024, 16 * 1024 * 1024),
    "MAX_BODY_BYTES": ("max_body_bytes", "int", 1024, 64 * 1024 * 1024),
    "TRAIN_SHARE": ("train_share", "float", 0.05, 0.95),
    "API_TIME_LIMIT": ("api_time_limit", "float", 0.1, 600),
    "MAX_SWEEPS": ("max_sweeps", "int", 1, 1000),
    "SWEEP_MEMORY_MB": ("sweep_memory_mb", "int", 16, 1_000_000),
    "MAX_EPOCHS": ("max_epochs", "int", 10, 1_000_000),
    "REDIS_URL": ("redis_url", "redis_url", None, None),
    "STORE_PATH": ("store_path", "text", None, None),
    "STORE_RETENTION_SECONDS": ("store_retention_seconds", "float", 1, 31_536_000),
    "STORE_RUN_MB": ("store_run_mb", "float", 0.01, 1024),
    "STORE_MAX_MB": ("store_max_mb", "float", 0.1, 1_000_000),
    "WORKERS": ("workers", "int", 1, 256),
    "CLASS_RETENTION_SECONDS": ("class_retention_seconds", "float", 60, 30 * 86_400),
    "MAX_CLASSES": ("max_classes", "int", 1, 100_000),
    "CLASS_ATTEMPT_RATE": ("class_attempt_rate", "float", 0.001, 1000),
    "CLASS_ATTEMPT_BURST": ("class_attempt_burst", "int", 1, 10_000),
    "CLASS_CREATE_RATE": ("class_create_rate", "float", 0.0001, 1000),
    "CLASS_CREATE_BURST": ("class_create_burst", "int", 1, 10_000),
    "LOG_FORMAT": ("log_format", "choice", ("json", "text"), None),
    "FIGURE_MAX_SIZE": ("figure_max_size", "int", 200, 8000),
    "ANIMATION_MAX_SIZE": ("animation_max_size", "int", 100, 2000),
    "ANIMATION_MAX_FRAMES": ("animation_max_frames", "int", 2, 120),
    "EXPORT_CACHE_MB": ("export_cache_mb", "int", 0, 100_000),
    "MAX_RUN_BYTES": ("max_run_bytes", "int", 65_536, 256 * 1024 * 1024),
    "DATA_DIR": ("data_dir", "text", None, None),
    "DATASET_STORE_MB": ("dataset_store_mb", "int", 1, 1_000_000),
}
PREFIX = "NNLIVE_"


def _parse(name: str, raw: str, kind: str, lo, hi):
    raw = raw.strip()
    if kind == "text":
        if not raw:
            raise SettingsError(name, f"{name} must not be empty.")
        return raw
    if kind == "redis_url":
        if not raw.startswith(("redis://", "rediss://", "unix://")):
            raise SettingsError(name, f"{name} must be a URL starting with redis://, "
                                f"rediss:// or unix://; got {raw!r}.")
        return raw
    if kind == "choice":
        if raw not in lo:
            raise SettingsError(name, f"{name} must be one of {', '.join(lo)}; got {raw!r}.")
        return raw
    if kind == "origins":
        items = tuple(o.strip().rstrip("/").lower() for o in raw.split(",") if o.strip())
        for origin in items:
            if not _is_origin(origin):
                raise SettingsError(name, f"{name} must be a comma-separated list of origins "
                                    f"such as https://course.example.org; got {origin!r}.")
        return items
    if kind == "ips":
        return _proxy_addresses(name, raw)
    try:
        value = int(raw) if kind == "int" else float(raw)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or not lo <= value <= hi:
        noun = "an integer" if kind == "int" else "a number"
        raise SettingsError(name, f"{name} must be {noun} from {lo} to {hi}; got {raw!r}.")
    return value


def _is_origin(text: str) -> bool:
    """scheme://host[:port] and nothing more."""
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and \
        f"{parts.scheme}://{parts.netloc}" == text


def _proxy_addresses(name: str, raw: str) -> tuple[str, ...]:
    """``10.0.0.5, 172.16.0.0/12`` (addresses or networks), or ``*`` for any."""
    items = tuple(a.strip() for a in raw.split(",") if a.strip())
    for item in items:
        if item == "*":
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingsError(name, f"{name} must be a comma-separated list of proxy "
                                "addresses or networks such as 10.0.0.5,172.16.0.0/12 (or *); "
                                f"got {item!r}.") from None
    return items


def load_settings(env: Mapping[str, str] | None = None, **overrides) -> Settings:
    """Settings from ``env`` (default ``os.environ``), then keyword overrides."""
    env = os.environ if env is None else env
    known = {PREFIX + suffix for suffix in _RULES}
    unknown = sorted(k for k in env if k.startswith(PREFIX) and k not in known)
    if unknown:
        raise SettingsError(unknown[0], f"{unknown[0]} is not a setting; known: "
                            + ", ".join(sorted(known)) + ".")
    values = {}
    for suffix, (field, kind, lo, hi) in _RULES.items():
        if PREFIX + suffix in env:
            values[field] = _parse(PREFIX + suffix, env[PREFIX + suffix], kind, lo, hi)
    values.update(overrides)
    names = {f.name for f in fields(Settings)}
    bad = set(values) - names
    if bad:
        raise SettingsError(sorted(bad)[0], f"unknown setting {sorted(bad)[0]!r}.")
    return Settings(**values)
