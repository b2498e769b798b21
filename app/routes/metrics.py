"""``GET /metrics``: this worker's numbers in the Prometheus text format."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

router = APIRouter()


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    state = request.app.state
    counts = state.sessions.counts()
    for session in state.sessions.sessions.values():
        session.count_sent_frames()
    state.metrics.set_sessions(counts["attached"], counts["sessions"] - counts["attached"])
    return Response(state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
