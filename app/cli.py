"""``nnlive serve --host H --port P [--workers N]``: run the server with uvicorn.

One BLAS thread per process (set before NumPy loads): the matrices are tiny, and
threads would only fight over the two cores; scale with processes instead.
"""

from __future__ import annotations

import argparse
import os
import sys

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")


def uvicorn_config(app, settings, **extra):
    """The uvicorn options nnlive needs, shared by the CLI, tests and benchmarks."""
    import uvicorn

    return uvicorn.Config(
        app, host=settings.host, port=settings.port,
        ws_per_message_deflate=False,  # ≈ 400 µs per frame per client: more than the rest
        ws_max_size=4 * settings.max_message_bytes,  # above the app's limit: close 1009
        # a peer that stops answering is let go within ~10 s, not uvicorn's 40
        ws_ping_interval=extra.pop("ws_ping_interval", 5.0),
        ws_ping_timeout=extra.pop("ws_ping_timeout", 5.0),
        log_level=extra.pop("log_level", "info"), **extra)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)

    from app.logs import FORMATS, log_config
    from app.settings import SettingsError, load_settings

    # the flags go through the same checks as the environment variables
    for name, value in (("NNLIVE_HOST", args.host), ("NNLIVE_PORT", args.port)):
        if value is not None:
            os.environ[name] = str(value)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"nnlive: {exc}", file=sys.stderr)
        return 2
    fmt = args.log_format or getattr(settings, "log_format", "json")
    if fmt not in FORMATS or args.workers < 1:
        print(f"nnlive: --log-format must be one of {', '.join(FORMATS)} and --workers at "
              "least 1.", file=sys.stderr)
        return 2
    redis_url = args.redis_url or getattr(settings, "redis_url", None)
    if args.workers > 1:
        return _serve_workers(settings, args.workers, redis_url, log_config(fmt))
    from app.main import create_app

    server_config = uvicorn_config(create_app(settings, redis_url=redis_url), settings,
                                   log_config=log_config(fmt), access_log=False)
    import uvicorn

    uvicorn.Server(server_config).run()
    return 0


def _serve_workers(settings, workers: int, redis_url: str | None, logging_config) -> int:
    """N uvicorn worker processes on one socket; each builds its app (and its scheduler)
    from the environment, so the shared store's URL must be NNLIVE_REDIS_URL there."""
    import uvicorn

    if redis_url:
        os.environ["NNLIVE_REDIS_URL"] = redis_url
    else:
        print(f"nnlive: warning: {workers} workers without NNLIVE_REDIS_URL: a dropped "
              "session can only be resumed if its reconnect reaches the same worker.",
              file=sys.stderr)
    uvicorn.run("app.main:create_app", factory=True, workers=workers,
                host=settings.host, port=settings.port, ws_per_message_deflate=False,
                ws_max_size=4 * settings.max_message_bytes, log_config=logging_config,
                access_log=False)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nnlive", description="Live neural-network "
                                     "training visualizer for teaching.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host", help="address to bind (default NNLIVE_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default NNLIVE_PORT or 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1); "
                       "with more than one, set NNLIVE_REDIS_URL so sessions resume anywhere")
    serve.add_argument("--redis-url", help="share detached sessions between workers and "
                       "replicas through this Redis (default NNLIVE_REDIS_URL)")
    serve.add_argument("--log-format", help="json (default) or text: one line per request "
                       "and session event (default NNLIVE_LOG_FORMAT)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
