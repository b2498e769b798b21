"""``make run`` on a terminal: one plain sentence with the address, a plain error when
the port is taken (issue 14, item 13), and the proxy flag (issue 11, item 5)."""

from __future__ import annotations

import os
import pty
import select
import socket
import subprocess
import sys
import time

import psutil

from tests.serve import ROOT, ServerProcess, free_port


def _on_a_terminal(*args: str, until: str | None = None,
                   timeout: float = 30) -> tuple[str, int | None]:
    """``nnlive serve`` with a pseudo-terminal as its output: what it wrote, and its exit
    code. With ``until``, stop reading (and stop the server) once that text appeared;
    without, read until it exits."""
    main, child = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NNLIVE_")}
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", *args], cwd=ROOT,
                            env=env, stdin=child, stdout=child, stderr=child)
    os.close(child)
    text, deadline = "", time.monotonic() + timeout
    try:
        while (until is None or until not in text) and time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if not ready:
                continue
            try:
                text += os.read(main, 4096).decode(errors="replace")
            except OSError:  # the child exited: its terminal is gone
                break
        if until is None:
            proc.wait(10)
        return text, proc.poll()
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)
        os.close(main)


def test_on_a_terminal_it_says_where_to_open_it_in_one_sentence():
    port = free_port()
    text, code = _on_a_terminal("--port", str(port), until="Ctrl+C")
    assert code is None, text
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines == [f"nnlive is running: open http://localhost:{port} in a web browser. "
                     "Ctrl+C stops it."]


def test_a_port_in_use_is_one_plain_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        text, code = _on_a_terminal("--port", str(port))
    assert code == 1
    assert text.strip() == (f"nnlive: port {port} is in use; try `make run PORT={port + 1}` "
                            f"(or nnlive serve --port {port + 1}).")


def test_the_proxy_flag_is_a_setting_and_is_checked():
    port = free_port()
    text, code = _on_a_terminal("--port", str(port), "--forwarded-allow-ips", "10.0.0.0/8",
                                until="Ctrl+C")
    assert code is None and "nnlive is running" in text
    text, code = _on_a_terminal("--port", str(port), "--forwarded-allow-ips", "nginx")
    assert code == 2 and "NNLIVE_FORWARDED_ALLOW_IPS" in text and "'nginx'" in text


def test_the_server_runs_on_the_c_allocator_so_freed_memory_can_go_back():
    """``nnlive serve`` restarts itself with PYTHONMALLOC=malloc (app/cli.py): the same
    process, its arguments kept; a value set by the caller is left alone."""
    with ServerProcess() as server:
        process = psutil.Process(server.proc.pid)
        assert process.environ()["PYTHONMALLOC"] == "malloc"
        assert process.cmdline()[-2:] == ["--port", str(server.port)]
    with ServerProcess(PYTHONMALLOC="pymalloc") as server:
        assert psutil.Process(server.proc.pid).environ()["PYTHONMALLOC"] == "pymalloc"
