"""``nnlive serve`` in a subprocess, as in production: its own process (RSS measurable),
its own warnings filters, its log kept in a file so a test can read it or demand that it
is clean. ``tests/app/live.py`` runs uvicorn in a thread of the test process instead.

Listens on 127.0.0.1 only, on a free port; ``NNLIVE_*`` variables of the caller's shell
are not inherited (a test names the settings it wants).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
# what no server log may ever contain, whatever the clients did
BAD_LOG_MARKS = ("Traceback", "ERROR", "Exception", "Warning")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def strict_json(text: str | bytes):
    """``json.loads`` that refuses NaN and ±Infinity, as a browser's JSON.parse does."""
    def refuse(name):
        raise ValueError(f"{name} in server JSON")
    return json.loads(text, parse_constant=refuse)


class Loopback:
    """The addresses of a server listening on 127.0.0.1:``port``."""

    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/train"


class ServerProcess(Loopback):
    """``with ServerProcess("--workers", "2", NNLIVE_GRACE_SECONDS="1") as srv:`` —
    ``srv.url``, ``srv.ws_url``, ``srv.log()``, ``srv.rss()``. One worker unless
    ``--workers`` or ``workers`` says otherwise (``workers=None``: the command's own
    default, one per core); runs kept in a SQLite file of its own (``srv.store_path``)
    unless ``NNLIVE_STORE_PATH`` says otherwise. ``file_size_limit``: no file the server
    writes may grow past this many bytes (``RLIMIT_FSIZE``: a full disk, as root too)."""

    def __init__(self, *args: str, port: int | None = None, workers: str | None = "1",
                 file_size_limit: int | None = None, **env: str):
        self.port = port or free_port()
        self.file_size_limit = file_size_limit
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("NNLIVE_")}
        # every client comes from 127.0.0.1: arrivals are not rate-limited unless asked
        arrivals = {"NNLIVE_SESSION_RATE": "1000", "NNLIVE_SESSION_BURST": "10000",
                    "NNLIVE_CLASS_CREATE_RATE": "1000", "NNLIVE_CLASS_CREATE_BURST": "10000"}
        self.store_dir = tempfile.mkdtemp(prefix="nnlive-store-")
        self.store_path = os.path.join(self.store_dir, "runs.sqlite3")
        self.env = {**inherited, "OPENBLAS_NUM_THREADS": "1", **arrivals,
                    "NNLIVE_STORE_PATH": self.store_path, **env}
        if workers is not None:
            self.env.setdefault("NNLIVE_WORKERS", workers)
        self.args = args
        self.log_file = tempfile.NamedTemporaryFile(prefix="nnlive-server-", suffix=".log",
                                                    delete=False)
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> ServerProcess:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1",
             "--port", str(self.port), *self.args],
            cwd=ROOT, env=self.env, stdout=self.log_file, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: ``crash`` takes every worker
            preexec_fn=self._limit_files if self.file_size_limit else None)
        deadline = time.monotonic() + 30
        while True:
            assert self.proc.poll() is None, f"server exited:\n{self.log()}"
            assert time.monotonic() < deadline, f"server did not start:\n{self.log()}"
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if not self.log_file.closed:
            self.log_file.close()
            os.unlink(self.log_file.name)
        shutil.rmtree(self.store_dir, ignore_errors=True)

    def _limit_files(self) -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.file_size_limit, self.file_size_limit))

    def crash(self) -> None:
        """``kill -9`` of the server and its workers: nothing gets to save anything."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def health(self) -> dict:
        answer = httpx.get(self.url + "/healthz", timeout=5)
        assert answer.status_code == 200
        return answer.json()

    def rss(self) -> int:
        return psutil.Process(self.proc.pid).memory_info().rss

    def log(self) -> str:
        self.log_file.flush()
        return Path(self.log_file.name).read_text(errors="replace")

    def assert_alive_and_clean(self) -> None:
        """The process is up and its log has no traceback, error or warning in it."""
        assert self.proc.poll() is None, f"server exited:\n{self.log()[-4000:]}"
        log = self.log()
        bad = [line for line in log.splitlines() if any(m in line for m in BAD_LOG_MARKS)]
        assert not bad, "server log:\n" + log[-6000:]
