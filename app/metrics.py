"""Prometheus metrics of one app instance, on its own registry (``GET /metrics``).

Each ``create_app()`` gets a fresh ``Metrics``, never the process-global default
registry, so tests can run several apps in one process. Counters are bumped where the
thing happens (a one-liner: ``metrics.epochs.inc(n)``); the session gauges and the
frames sent are brought up to date when scraped (``app.routes.metrics``).

With several worker processes each worker has its own numbers: scrape each one (one
process per container or pod is the simple way), or sum what the proxy lets through.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# event-loop lag buckets: a healthy loop is well under a millisecond late
LAG_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry(auto_describe=True)
        self.sessions = Gauge("nnlive_sessions", "Sessions in this process, by socket state.",
                              ["state"], registry=r)
        self.sessions_opened = Counter(
            "nnlive_sessions_opened", "Sessions opened: new, resumed here, or claimed from "
            "another worker through the shared store.", ["kind"], registry=r)
        self.sessions_refused = Counter(
            "nnlive_sessions_refused", "Sockets refused because a session cap was reached.",
            ["reason"], registry=r)
        self.frames_sent = Counter("nnlive_frames_sent", "Binary frames written to sockets.",
                                   registry=r)
        self.frames_dropped = Counter(
            "nnlive_frames_dropped", "Unsent frames replaced by a newer one (slow readers).",
            registry=r)
        self.epochs = Counter("nnlive_epochs_trained", "Epochs trained by live sessions.",
                              registry=r)
        self.errors = Counter("nnlive_errors", "Error messages sent to clients, by code.",
                              ["code"], registry=r)
        self.loop_lag = Histogram(
            "nnlive_event_loop_lag_seconds", "How much later than asked the scheduler's "
            "sleep returned: time the event loop was busy elsewhere.", buckets=LAG_BUCKETS,
            registry=r)
        self.store_errors = Counter("nnlive_store_errors", "Failed shared-store operations.",
                                    ["op"], registry=r)
        info = Gauge("nnlive_worker", "This worker process (one series per process).",
                     ["pid"], registry=r)
        info.labels(pid=str(os.getpid())).set(1)

    def set_sessions(self, attached: int, detached: int) -> None:
        self.sessions.labels(state="attached").set(attached)
        self.sessions.labels(state="detached").set(detached)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


# for sessions made outside an app (unit tests, benchmarks): counted, never exposed
UNEXPOSED = Metrics()
