"""``nnlive serve --host H --port P [--workers N]``: run the server with uvicorn.

One worker process per core by default (``--workers N`` or ``NNLIVE_WORKERS``
overrides; ``app.processes.cores``): the workers share the listening socket and the
store of runs (the SQLite file of ``NNLIVE_STORE_PATH``, or Redis), so a learner whose
reconnect lands on another worker continues the same run. One BLAS thread per process
(set before NumPy loads): the matrices are tiny, and threads would only fight over
the cores; scale with processes instead.

The server runs on the C library's allocator (``PYTHONMALLOC=malloc``; the command
starts itself again with it, unless the variable is set): Python's own small-object
arenas are handed back only when wholly empty, so after a large sweep the process kept
≈ 50 MB it no longer used; with malloc, ``malloc_trim`` gives it back (app/memory.py).
Training speed was the same within measurement noise (docs/reliability.md).

On a terminal (``make run``) it says in one sentence where to open the site and logs
only problems, as text; a port already in use is one plain line, not a traceback.
Elsewhere (a container, a service) it logs every request and session event as JSON.
"""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")


def ws_max_size(settings) -> int:
    """The transport's limit, above the app's (which answers with an error instead):
    4 × NNLIVE_MAX_MESSAGE_BYTES, or a load message's NNLIVE_MAX_RUN_BYTES and room."""
    return max(4 * settings.max_message_bytes, settings.max_run_bytes + 65_536)


def uvicorn_config(app, settings, **extra):
    """The uvicorn options nnlive needs, shared by the CLI, tests and benchmarks."""
    import uvicorn

    return uvicorn.Config(
        app, host=settings.host, port=settings.port,
        ws_per_message_deflate=False,  # ≈ 400 µs per frame per client: more than the rest
        ws_max_size=ws_max_size(settings),  # above the app's limit: close 1009
        # a peer that stops answering is let go within ~10 s, not uvicorn's 40
        ws_ping_interval=extra.pop("ws_ping_interval", 5.0),
        ws_ping_timeout=extra.pop("ws_ping_timeout", 5.0),
        proxy_headers=False,  # the app believes X-Forwarded-* from its own list only
        log_level=extra.pop("log_level", "info"), **extra)


FLAG_SETTINGS = (("host", "NNLIVE_HOST"), ("port", "NNLIVE_PORT"),
                 ("forwarded_allow_ips", "NNLIVE_FORWARDED_ALLOW_IPS"),
                 ("public_origin", "NNLIVE_PUBLIC_ORIGIN"), ("workers", "NNLIVE_WORKERS"),
                 ("redis_url", "NNLIVE_REDIS_URL"), ("store_path", "NNLIVE_STORE_PATH"))


def main(argv: list[str] | None = None) -> int:
    if argv is None and "PYTHONMALLOC" not in os.environ:
        _restart_with_system_malloc()
    args = _parser().parse_args(argv)

    from app.logs import FORMATS, log_config
    from app.processes import cores
    from app.settings import SettingsError, load_settings

    # the flags go through the same checks as the environment variables
    for flag, name in FLAG_SETTINGS:
        if getattr(args, flag) is not None:
            os.environ[name] = str(getattr(args, flag))
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"nnlive: {exc}", file=sys.stderr)
        return 2
    terminal = sys.stderr.isatty() and args.log_format is None \
        and "NNLIVE_LOG_FORMAT" not in os.environ
    fmt = "text" if terminal else args.log_format or settings.log_format
    if fmt not in FORMATS:
        print(f"nnlive: --log-format must be one of {', '.join(FORMATS)}.", file=sys.stderr)
        return 2
    workers = settings.workers or cores()
    os.environ["NNLIVE_WORKERS"] = str(workers)  # each worker knows its share
    try:
        sock = listen(settings.host, settings.port)
    except OSError as exc:
        print(f"nnlive: {bind_error(exc, settings.host, settings.port)}", file=sys.stderr)
        return 1
    logging_config = log_config(fmt, "warning" if terminal else "info")
    if terminal:
        print(f"nnlive is running: open {browser_address(settings.host, sock)} in a web "
              "browser. Ctrl+C stops it.", file=sys.stderr, flush=True)
    if workers > 1:
        sock.close()  # uvicorn's supervisor binds it again for its workers
        return _serve_workers(settings, workers, logging_config)
    from app.main import create_app

    server_config = uvicorn_config(create_app(load_settings()), settings,
                                   log_config=logging_config, access_log=False)
    import uvicorn

    uvicorn.Server(server_config).run(sockets=[sock])
    return 0


def _restart_with_system_malloc() -> None:
    """Replace this process by the same command with ``PYTHONMALLOC=malloc`` (read only
    when the interpreter starts); same process id, same arguments."""
    os.environ["PYTHONMALLOC"] = "malloc"
    os.execv(sys.executable, [sys.executable, "-m", "app.cli", *sys.argv[1:]])


def listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound here so a port in use is a plain error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family)


def bind_error(exc: OSError, host: str, port: int) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (f"port {port} is in use; try `make run PORT={port + 1}` "
                f"(or nnlive serve --port {port + 1}).")
    if exc.errno == errno.EACCES:
        return f"port {port} needs privileges; try `make run PORT=8000`."
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}."


def browser_address(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = "localhost" if host in ("0.0.0.0", "::", "127.0.0.1", "::1") else host
    return f"http://{shown}:{port}"


def _serve_workers(settings, workers: int, logging_config) -> int:
    """N uvicorn worker processes on one socket; each builds its app (and its scheduler
    and store) from the environment, where the flags were put."""
    import uvicorn

    if settings.store_path is not None and settings.store_path.lower() == "none" \
            and not settings.redis_url:
        print(f"nnlive: warning: {workers} workers with NNLIVE_STORE_PATH=none: a dropped "
              "session can only be resumed if its reconnect reaches the same worker.",
              file=sys.stderr)
    uvicorn.run("app.main:create_app", factory=True, workers=workers,
                host=settings.host, port=settings.port, ws_per_message_deflate=False,
                ws_max_size=ws_max_size(settings), log_config=logging_config,
                access_log=False, proxy_headers=False)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nnlive", description="Live neural-network "
                                     "training visualizer for teaching.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host", help="address to bind (default NNLIVE_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default NNLIVE_PORT or 8000)")
    serve.add_argument("--workers", help="worker processes (default NNLIVE_WORKERS, or one "
                       "per core); they share the store of runs")
    serve.add_argument("--store-path", help="the SQLite file runs are kept in (default "
                       "NNLIVE_STORE_PATH, or ~/.local/share/nnlive/runs.sqlite3; none: keep "
                       "runs in memory only)")
    serve.add_argument("--redis-url", help="keep runs in this Redis instead, shared by "
                       "several machines (default NNLIVE_REDIS_URL)")
    serve.add_argument("--log-format", help="json (default) or text: one line per request "
                       "and session event (default NNLIVE_LOG_FORMAT; on a terminal, text "
                       "with problems only)")
    serve.add_argument("--forwarded-allow-ips", help="proxies (addresses or networks, "
                       "comma-separated, or *) whose X-Forwarded-For and X-Forwarded-Proto "
                       "are believed (default NNLIVE_FORWARDED_ALLOW_IPS: none)")
    serve.add_argument("--public-origin", help="where the site is served, e.g. "
                       "https://nnlive.example.edu: the only Host answered, and the origin "
                       "pages must come from (default NNLIVE_PUBLIC_ORIGIN)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
