"""A real uvicorn on a free 127.0.0.1 port in a thread, and a small WebSocket client."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass

import uvicorn
from websockets.asyncio.client import connect

from app.cli import uvicorn_config
from app.main import create_app
from app.protocol import decode_frame
from app.settings import load_settings
from tests.serve import Loopback

# every test client comes from 127.0.0.1: one address opening sessions as fast as a test
# can, which the default rate of new sessions per address would refuse
LOOPBACK_ARRIVALS = {"session_rate": 1000.0, "session_burst": 10_000,
                     "class_create_rate": 1000.0, "class_create_burst": 10_000}


class LiveServer(Loopback):
    """``with LiveServer(grace_seconds=1) as server:`` — ``server.url``, ``server.ws_url``.
    New sessions are not rate-limited unless ``session_rate``/``session_burst`` say so.
    Runs are kept in a SQLite file of its own (``server.store_path``) unless
    ``store_path`` says otherwise."""

    def __init__(self, **overrides):
        self.store_dir = tempfile.mkdtemp(prefix="nnlive-store-")
        self.store_path = os.path.join(self.store_dir, "runs.sqlite3")
        self.settings = load_settings({}, **{**LOOPBACK_ARRIVALS, "store_path": self.store_path,
                                             **overrides})
        self.app = create_app(self.settings)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn_config(self.app, self.settings, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()
        shutil.rmtree(self.store_dir, ignore_errors=True)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self.app.state.scheduler.task.get_loop()

    def call(self, fn, timeout: float = 5):
        """Run ``fn()`` on the server's event loop and return its result."""
        async def wrapper():
            return fn()
        return asyncio.run_coroutine_threadsafe(wrapper(), self.loop).result(timeout)

    def task_names(self) -> list[str]:
        """Names of the server loop's live tasks (but the one asking)."""
        return self.call(lambda: sorted(t.get_name() for t in asyncio.all_tasks()
                                        if not t.done() and t is not asyncio.current_task()))


@dataclass
class Frame:
    header: dict
    payload: bytes

    def grid(self) -> bytes:
        g = self.header["grid"]
        return self.payload[g["offset"] : g["offset"] + g["length"]]


class Client:
    def __init__(self, ws):
        self.ws = ws
        self.frames: list[Frame] = []

    @classmethod
    def connect(cls, url: str, **kwargs):
        return _Connect(cls, url, kwargs)

    async def send(self, type: str, **fields) -> None:
        await self.ws.send(json.dumps({"type": type, **fields}))

    async def recv(self, timeout: float = 10):
        data = await asyncio.wait_for(self.ws.recv(), timeout)
        if isinstance(data, bytes):
            frame = Frame(*decode_frame(data))
            self.frames.append(frame)
            return frame
        return json.loads(data)

    async def expect(self, kind: str, timeout: float = 10, limit: int = 2000, **match):
        """The next JSON message of ``type == kind`` (and ``match``), skipping others."""
        deadline = time.monotonic() + timeout
        for _ in range(limit):
            message = await self.recv(max(0.01, deadline - time.monotonic()))
            if isinstance(message, dict) and message["type"] == kind and all(
                    message.get(k) == v for k, v in match.items()):
                return message
        raise AssertionError(f"no {kind} message in {limit} messages")

    async def frame(self, where=lambda f: True, timeout: float = 10, limit: int = 2000):
        """The next frame for which ``where(frame)`` holds, skipping everything else."""
        deadline = time.monotonic() + timeout
        for _ in range(limit):
            message = await self.recv(max(0.01, deadline - time.monotonic()))
            if isinstance(message, Frame) and where(message):
                return message
        raise AssertionError(f"no matching frame in {limit} messages")

    async def start(self, **config) -> tuple[dict, Frame]:
        """start → (dataset, epoch-0 frame)."""
        await self.send("start", config=config)
        dataset = await self.expect("dataset")
        first = await self.frame()
        return dataset, first

    async def pause(self) -> tuple[dict, Frame]:
        """pause → (the paused status, the frame of the epoch it paused at)."""
        await self.send("pause")
        paused = await self.expect("status", state="paused")
        return paused, await self.frame(lambda f: f.header["epoch"] == paused["epoch"])


class _Connect:
    def __init__(self, cls, url, kwargs):
        self.cls, self.url, self.kwargs = cls, url, {"max_size": None, **kwargs}

    async def __aenter__(self) -> Client:
        self.cm = connect(self.url, **self.kwargs)
        ws = await self.cm.__aenter__()
        return self.cls(ws)

    async def __aexit__(self, *exc):
        return await self.cm.__aexit__(*exc)
