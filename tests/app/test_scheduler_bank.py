"""The scheduler banks training time so a class of one shape trains as one large stack.

Sessions here are stand-ins with the few attributes the scheduler reads; the stacked
training itself is recorded, not run (its arithmetic is tested in tests/core).
"""

from types import SimpleNamespace

import pytest

import app.live.scheduler as scheduler_module
from app.live.scheduler import BANK_LIMIT, Scheduler
from app.settings import load_settings

PER_MEMBER = 1e-4  # seconds per member-epoch, as if measured
KEY = ("one shape",)


class StandIn:
    def __init__(self, trained_at: float):
        self.address = "10.0.0.1"  # one client address: turns go by waiting time alone
        self.trained_at = trained_at
        self.epoch_cost = PER_MEMBER
        self.trainer = SimpleNamespace()
        self.booked: list[int] = []

    def epochs_allowed(self) -> float:
        return 5.0

    def trained(self, asked, done, cost) -> None:
        self.booked.append(asked)


@pytest.fixture
def stacks(monkeypatch):
    """Each call of train_together as the list of members it got, and n."""
    calls = []

    def record(trainers, epochs):
        calls.append((trainers, epochs))
        return [[{}] * epochs for _ in trainers]

    monkeypatch.setattr(scheduler_module, "train_together", record)
    return calls


def scheduler() -> Scheduler:
    manager = SimpleNamespace(settings=load_settings({}), metrics=SimpleNamespace(loop_lag=None))
    s = Scheduler(manager)
    s._cohort_cost[KEY] = PER_MEMBER
    return s


def group(n: int) -> list[StandIn]:
    return [StandIn(trained_at=float(i)) for i in range(n)]


def test_a_group_the_quota_cannot_buy_whole_waits_for_the_bank(stacks):
    sessions = group(40)  # 4 ms for all of them; the quota buys 10
    scheduler()._train_group(KEY, sessions, quota=1e-3, bank_full=0.9 * BANK_LIMIT)
    assert stacks == [] and all(not s.booked for s in sessions)


def test_with_its_share_of_a_full_bank_the_whole_group_is_one_stack(stacks):
    sessions = group(40)
    scheduler()._train_group(KEY, sessions, quota=0.9 * BANK_LIMIT, bank_full=0.9 * BANK_LIMIT)
    (trainers, epochs), = stacks
    assert len(trainers) == 40 and epochs == 4  # 18 ms buys 4 epochs of 40 at 0.1 ms
    assert all(s.booked == [4] for s in sessions)


def test_a_class_bigger_than_the_bank_trains_those_who_waited_longest(stacks):
    sessions = group(300)[::-1]  # the order given is not the waiting order
    scheduler()._train_group(KEY, sessions, quota=0.9 * BANK_LIMIT, bank_full=0.9 * BANK_LIMIT)
    (trainers, epochs), = stacks
    affordable = int(0.9 * BANK_LIMIT / PER_MEMBER)
    assert len(trainers) == affordable and epochs == 1
    trained = sorted(s.trained_at for s in sessions if s.booked)
    assert trained == [float(i) for i in range(affordable)]
