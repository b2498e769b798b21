"""Helpers for the lesson browser tests: a server that serves the lessons, and the
numbers the tests recompute themselves (softmax, the regularization example)."""

from __future__ import annotations

import math
import sys

import uvicorn

from app.main import create_app
from app.routes import lessons


def lessons_app():
    """The real app; the lessons router is added only if app/main.py does not have it yet."""
    app = create_app()
    if not any(getattr(r, "path", "") == "/lessons/{slug}" for r in app.routes):
        app.include_router(lessons.router)
    return app


def softmax_steps(logits: list[float], label: int) -> dict:
    """exp, sum, probabilities and −log p_label, the way the lesson lays them out."""
    top = max(logits)  # the shift cancels in the ratio; it only keeps exp finite
    exps = [math.exp(z - top) for z in logits]
    total = sum(exps)
    probs = [e / total for e in exps]
    return {"exps": [math.exp(z) for z in logits], "probs": probs, "loss": -math.log(probs[label])}


if __name__ == "__main__":  # python -m tests.browser.lessons_helpers PORT
    uvicorn.run(lessons_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
