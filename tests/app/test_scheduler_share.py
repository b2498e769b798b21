"""A class saving up its training budget to train as one stack keeps that share: a heavy
learner after it in the round does not spend it (issue 11: one visitor must not cost
everyone; measured in docs/reliability.md, 50 learners fell to 2.5 frames/s beside one
heavy learner before)."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

import app.live.scheduler as scheduler_module
from app.live.turns import ADDRESS_SHARE
from tests.app import test_scheduler_bank as bank

stacks = bank.stacks  # each call of train_together, recorded
BUDGET = 5e-3  # one tick's training budget (NNLIVE_TRAIN_SHARE 0.5 of 10 ms)


class Hungry:
    """A heavy learner: an epoch longer than a tick, always wanting more."""

    address = "10.0.0.2"
    epoch_cost = 1.0
    trained_at = -1.0

    def __init__(self):
        self.trainer = SimpleNamespace(key=("heavy",), batches_per_epoch=100_000)  # 10 µs a batch
        self.batches: list[int] = []

    def epochs_allowed(self) -> float:
        return 15.0

    def train_batches(self, k: int) -> None:
        self.batches.append(k)
        self.trained_at += 1


@pytest.fixture
def shapes(monkeypatch):
    """Stand-ins say their shape; the scheduler's clock stands still, so what a round
    gives each group depends on the shares alone, not on how fast this machine is."""
    monkeypatch.setattr(scheduler_module, "cohort_key", lambda trainer: trainer.key)
    clock = SimpleNamespace(perf_counter=lambda: 0.0, monotonic=time.monotonic)
    monkeypatch.setattr(scheduler_module, "time", clock)


@pytest.mark.parametrize("heavy_first", [False, True])
def test_a_banking_class_keeps_its_share_from_a_heavy_learner(stacks, shapes, heavy_first):
    learners = bank.group(200)  # 20 ms for all of them; one tick buys 5 ms
    for i, s in enumerate(learners):  # each at home: none of them a crowd
        s.trainer, s.address = SimpleNamespace(key=bank.KEY), f"10.1.{i // 256}.{i % 256}"
    heavy = Hungry()
    s = bank.scheduler()
    sessions = [heavy, *learners] if heavy_first else [*learners, heavy]
    s._turn = len(sessions) - 1  # the round starts at the first session given
    s.train_round(sessions, BUDGET)
    assert stacks == []  # the class banks: its share is not yet a whole stack
    per_batch = heavy.epoch_cost / heavy.trainer.batches_per_epoch
    granted = sum(heavy.batches) * per_batch
    assert granted <= 1.5 * BUDGET / 201  # its own share, not the class's


def test_a_crowded_address_gets_the_share_of_a_few_learners(stacks, shapes):
    """150 sessions from one address beside 10 learners elsewhere: when the tick cannot
    serve them all, the crowd's stack gets the time of ``ADDRESS_SHARE`` sessions."""
    crowd = bank.group(150)
    home = bank.group(10)
    for s in crowd:
        s.trainer = SimpleNamespace(key=bank.KEY)
    for i, s in enumerate(home):
        s.trainer, s.address = SimpleNamespace(key=bank.KEY), f"10.2.0.{i}"
    s = bank.scheduler()
    s._turn = len(crowd) + len(home) - 1
    s.train_round(crowd + home, bank.BANK_LIMIT)  # a full bank: both groups train
    sizes = sorted(len(trainers) for trainers, _ in stacks)
    share = ADDRESS_SHARE / (ADDRESS_SHARE + 10)
    affordable = int(share * bank.BANK_LIMIT / bank.PER_MEMBER)
    assert sizes == [10, min(150, max(16, affordable))]
    assert all(s.booked for s in home)


class Due:
    """A session with a frame due; pushing it costs ``cost`` seconds of ``clock``."""

    def __init__(self, address: str, waited: float, clock=None, cost: float = 0.0,
                 log: list | None = None):
        self.address, self.last_frame_at, self.pushed = address, waited, 0
        self.clock, self.cost, self.log = clock, cost, log

    def frame_due(self, now: float) -> bool:
        return True

    def push_frame(self, now: float) -> None:
        self.pushed += 1
        if self.clock is not None:
            self.clock.t += self.cost
        if self.log is not None:
            self.log.append(self)


def test_a_crowded_address_waits_behind_the_others_when_the_tick_is_short(monkeypatch):
    """150 sessions from one address beside 10 learners elsewhere, a frame costing
    200 µs: the crowd's longest waiters get the frames of ``ADDRESS_SHARE`` sessions
    first, then every other address's, and the crowd's others only what is left."""
    clock = SimpleNamespace(t=0.0)
    monkeypatch.setattr(scheduler_module, "time", SimpleNamespace(
        perf_counter=lambda: clock.t, monotonic=time.monotonic))
    pushed: list = []
    crowd = [Due("10.0.0.9", t, clock, 2e-4, pushed) for t in range(150)]
    home = [Due(f"10.3.0.{i}", 1000 + i, clock, 2e-4, pushed) for i in range(10)]
    s = bank.scheduler()
    s._tick_began = 0.0
    s.frame_round(crowd + home)
    per_tick = round(ADDRESS_SHARE * s.settings.max_fps * scheduler_module.TICK)
    assert all(h.pushed == 1 for h in home)
    assert [c.pushed for c in crowd[:per_tick]] == [1] * per_tick  # who waited longest
    after = [c for c in pushed if c in crowd[per_tick:]]
    assert pushed.index(after[0]) > max(pushed.index(h) for h in home)  # after the others
    assert len(pushed) < len(crowd) + len(home)  # the tick ran out: the rest wait


def test_a_crowded_address_gets_every_frame_the_tick_has_time_for(shapes):
    """A class behind one NAT on a server with time to spare is not held to a share."""
    crowd = [Due("10.0.0.9", t) for t in range(150)]
    home = [Due(f"10.3.0.{i}", 1000 + i) for i in range(10)]
    s = bank.scheduler()
    s._tick_began = 0.0
    s.frame_round(crowd + home)
    assert all(d.pushed == 1 for d in crowd + home)
