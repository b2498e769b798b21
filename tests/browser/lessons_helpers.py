"""Numbers the lesson browser tests recompute themselves, the way the page lays them out."""

from __future__ import annotations

import math


def softmax_steps(logits: list[float], label: int) -> dict:
    """exp, probabilities and −log p_label from the logits."""
    top = max(logits)  # the shift cancels in the ratio; it only keeps exp finite
    exps = [math.exp(z - top) for z in logits]
    total = sum(exps)
    probs = [e / total for e in exps]
    return {"exps": [math.exp(z) for z in logits], "probs": probs, "loss": -math.log(probs[label])}
