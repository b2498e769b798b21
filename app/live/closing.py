"""Sockets closed in the background: one replaced by a newer socket of its session, or
whose session another worker claimed."""

from __future__ import annotations

import asyncio
import contextlib

from starlette.websockets import WebSocket


async def close_socket(websocket: WebSocket, code: int, reason: str) -> None:
    """Close; bounded in time by the websockets library's close timeout (10 s), after
    which it aborts the connection: a client that does not read never takes the close
    frame, and cancelling here would leave uvicorn flushing to it until a ping fails."""
    with contextlib.suppress(Exception):
        await websocket.close(code, reason)


class Closer:
    """Closes sockets without waiting; holds the tasks (the loop keeps only weak
    references to them) until they end."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task] = set()

    def later(self, websocket: WebSocket, code: int, reason: str) -> None:
        task = asyncio.create_task(close_socket(websocket, code, reason))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
