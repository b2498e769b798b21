"""The Docker image serves: built and run where a Docker engine answers; elsewhere the
image's own install and start commands run in a clean virtualenv.

Either way the commands under test are read from the Dockerfile itself, so the file and
the test cannot drift apart. Servers listen on 127.0.0.1 only, on a free port.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.serve import free_port

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _instructions(name: str) -> list[str]:
    text = DOCKERFILE.replace("\\\n", " ")
    return [line.split(None, 1)[1] for line in text.splitlines() if line.startswith(name + " ")]


def _wait_for_health(port: int, deadline_s: float = 30) -> dict:
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                return json.loads(r.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _docker_engine() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0


def test_dockerfile_runs_as_non_root_with_a_healthcheck():
    assert _instructions("USER") and _instructions("USER")[0].strip() != "root"
    assert "/healthz" in _instructions("HEALTHCHECK")[0]
    assert json.loads(_instructions("CMD")[0]) == [
        "nnlive", "serve", "--host", "0.0.0.0", "--port", "8000"]


def test_image_install_and_start_commands_serve(tmp_path):
    if _docker_engine():
        _build_and_run_image()
    else:
        _install_and_start_in_clean_venv(tmp_path)


def _build_and_run_image():
    tag = "nnlive-test:latest"
    subprocess.run(["docker", "build", "-t", tag, str(ROOT)], check=True, timeout=900)
    port = free_port()
    container = subprocess.run(
        ["docker", "run", "-d", "--rm", "-p", f"127.0.0.1:{port}:8000", tag],
        check=True, capture_output=True, text=True).stdout.strip()
    try:
        assert _wait_for_health(port)["status"] == "ok"
    finally:
        subprocess.run(["docker", "stop", container], capture_output=True, timeout=60)


def _install_and_start_in_clean_venv(tmp_path: Path):
    srv = tmp_path / "srv"
    srv.mkdir()
    for copy in _instructions("COPY"):
        *sources, _ = copy.split()
        for source in sources:
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, srv / source,
                                ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(ROOT / source, srv / source)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "VIRTUAL_ENV": str(venv)}
    env.update(_image_env())
    install = _instructions("RUN")[0].split("&&")[0].strip()  # the rest creates the user
    assert install.startswith("pip install")
    subprocess.run(install, shell=True, cwd=srv, env=env, check=True, timeout=600,
                   capture_output=True)
    port = free_port()
    command = json.loads(_instructions("CMD")[0])
    command = [{"0.0.0.0": "127.0.0.1", "8000": str(port)}.get(a, a) for a in command]
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(command, cwd="/", env=env, stdout=log, stderr=log)
    try:
        assert _wait_for_health(port)["status"] == "ok"
        healthcheck = json.loads(re.search(r"CMD (\[.*\])", _instructions("HEALTHCHECK")[0])[1])
        healthcheck = [a.replace("8000", str(port)) for a in healthcheck]
        assert subprocess.run(healthcheck, env=env, timeout=30).returncode == 0
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
            assert page.status == 200 and b"<canvas" in page.read()
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def _image_env() -> dict:
    env = {}
    for line in _instructions("ENV"):
        for key, value in re.findall(r"(\w+)=(\S+)", line):
            env[key] = value
    return env
