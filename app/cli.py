"""``nnlive serve --host H --port P``: run the server with uvicorn.

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
        log_level=extra.pop("log_level", "info"), **extra)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nnlive", description="Live neural-network "
                                     "training visualizer for teaching.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host", help="address to bind (default NNLIVE_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default NNLIVE_PORT or 8000)")
    args = parser.parse_args(argv)

    import uvicorn

    from app.settings import SettingsError, load_settings

    # the flags go through the same checks as the environment variables
    for name, value in (("NNLIVE_HOST", args.host), ("NNLIVE_PORT", args.port)):
        if value is not None:
            os.environ[name] = str(value)
    try:
        settings = load_settings()
        from app.main import create_app
    except SettingsError as exc:
        print(f"nnlive: {exc}", file=sys.stderr)
        return 2
    uvicorn.Server(uvicorn_config(create_app(settings), settings)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
