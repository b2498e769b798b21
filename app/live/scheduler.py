"""One budgeted scheduler trains every session in small time slices on the event loop.

Why one scheduler and not a task per session: with 100 learners, 100 tasks each
training "a bit then sleep" crowd the loop and starve the sockets (measured: 4
frames/s per learner); one loop that spends at most ``train_share`` of each tick on
training, shares that time fairly (round robin, each session a quota of what is left),
and then builds the frames that are due keeps the sockets served.

Each tick: accrue every running session's epoch credit (speed × elapsed time), train
within the training budget, build due frames (oldest first) within the frame budget,
then sleep so the loop can read and write sockets. How much later than asked that
sleep returns is the event loop's lag (``nnlive_event_loop_lag_seconds``): time spent
on sockets, requests, or anything that blocked the loop.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import Counter

from app.live.sessions import SessionManager
from app.live.sweeps import live_sweeps, push_sweep_frames, train_sweeps
from app.live.turns import ADDRESS_SHARE, crowd_of, fair_order, group_weight
from core.cohort import cohort_key, train_together

TICK = 0.010           # seconds per scheduler round
MIN_IDLE = 0.001       # the loop always gets at least this long for socket I/O per tick
MIN_STACK = 16         # sessions of one shape trained together, at the least, when due
BANK_LIMIT = 0.020     # seconds of unspent training budget carried over, so a whole
                       # shape's sessions can train as one stack (cheaper each) every few ticks
HOUSEKEEPING_EVERY = 1.0  # seconds between looks for expired sessions (and store upkeep)
CHECKPOINT_LOOK_EVERY = 0.05  # seconds between looks for runs to checkpoint

log = logging.getLogger("nnlive.scheduler")


class Scheduler:
    def __init__(self, manager: SessionManager):
        self.manager = manager
        self.settings = manager.settings
        self.train_budget = self.settings.train_share * TICK
        self.frame_budget = max(0.002, (1 - self.settings.train_share) * TICK - 2 * MIN_IDLE)
        self._tick_began = time.perf_counter()
        self._turn = 0
        self._cohort_cost: dict[tuple, float] = {}  # seconds per member-epoch, by shape
        self._banked = 0.0  # training budget not spent in earlier ticks (≤ BANK_LIMIT)
        self._last = time.perf_counter()
        self._last_housekeeping = self._last_checkpoints = 0.0
        self._sweep_turns = itertools.count()  # where each round of sweeps starts
        self.lag = manager.metrics.loop_lag
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self.run(), name="nnlive-scheduler")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except asyncio.CancelledError:
                pass
            self.task = None

    async def run(self) -> None:
        while True:
            begin = time.perf_counter()
            try:
                self.tick(begin)
            except Exception:  # one bad tick must never stop training for everyone
                log.exception("scheduler tick failed")
            pause = max(MIN_IDLE, TICK - (time.perf_counter() - begin))
            slept_from = time.perf_counter()
            await asyncio.sleep(pause)
            self.lag.observe(max(0.0, time.perf_counter() - slept_from - pause))

    def tick(self, now: float) -> None:
        self._tick_began = now
        sessions = list(self.manager.sessions.values())
        for session in sessions:
            session.accrue(now - self._last)
        self._last = now
        active, sweeping = [s for s in sessions if s.wants_training()], live_sweeps(sessions)
        # a live sweep is one more learner in the fair share of the training budget, and
        # takes what the runs leave of it (a run at 60 epochs/s needs little)
        sweep_share = self.train_budget * len(sweeping) / max(1, len(active) + len(sweeping))
        began = time.perf_counter()
        allowance = min(BANK_LIMIT, self._banked + self.train_budget - sweep_share)
        spent = self.train_round(active, allowance)
        self._banked = max(0.0, allowance - spent) if active else 0.0
        train_sweeps(sweeping, self.train_budget - (time.perf_counter() - began),
                     next(self._sweep_turns))
        self.frame_round(sessions)
        push_sweep_frames(sessions, self.frame_budget / 2)
        # what the frames left of the tick goes to runs at full speed (speed 0), not to idling
        idle = self._tick_began + TICK - 2 * MIN_IDLE - time.perf_counter()
        fastest = [s for s in active if s.speed == 0 and s.wants_training()]
        if idle > MIN_IDLE and fastest:
            self.train_round(fastest, idle)
        if now - self._last_checkpoints > CHECKPOINT_LOOK_EVERY:
            self.manager.checkpoints(time.monotonic())
            self._last_checkpoints = now
        if now - self._last_housekeeping > HOUSEKEEPING_EVERY:
            self.manager.housekeeping(now)
            self._last_housekeeping = now

    def train_round(self, active: list, budget: float | None = None) -> float:
        """Round robin from a rotating start; each session gets a quota of what is left.
        Returns the seconds spent.

        Sessions of one shape (``cohort_key``) train as one stack, bit for bit as alone
        but several times cheaper each: a class that opened one lesson shares a shape.
        An address with many sessions stacks apart from the others (``crowd_of``), and
        its stack's share of the time is that of at most ``ADDRESS_SHARE`` sessions.
        """
        if not active:
            return 0.0
        began = time.perf_counter()
        self._turn = (self._turn + 1) % len(active)
        order = active[self._turn:] + active[: self._turn]
        groups: dict[tuple, list] = {}
        crowd = crowd_of(order)  # a crowded address stacks apart (app/live/turns.py)
        for session in order:
            key = (*cohort_key(session.trainer), crowd(session))
            groups.setdefault(key, []).append(session)
        deadline = time.perf_counter() + (self.train_budget if budget is None else budget)
        # a crowded address weighs at most ADDRESS_SHARE sessions (app/live/turns.py)
        weights = {key: group_weight(group, key[-1]) for key, group in groups.items()}
        waiting = total = sum(weights.values())
        for key, group in groups.items():
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            quota = left * weights[key] / waiting
            waiting -= weights[key]
            # a group may wait for its share of a full bank, not for more
            if self._train_group(key, group, quota, 0.9 * BANK_LIMIT * weights[key] / total):
                deadline -= quota  # it banks: its share stays banked, not spent by the rest
        return time.perf_counter() - began

    def _train_group(self, key: tuple, group: list, quota: float, bank_full: float) -> bool:
        """Train one shape's sessions within ``quota`` seconds: as one stack when several
        are due, the first of them (the order rotates) when the quota buys fewer.
        True when the group banks its quota instead (a hungry group after it, such as a
        heavy learner, must not spend it)."""
        members = [s for s in group if s.epochs_allowed() >= 1]
        long = [s for s in members if s.epoch_cost > self.train_budget]
        end = time.perf_counter() + quota * len(long) / max(1, len(members))
        for session in fair_order(long, lambda s: s.trained_at):
            if time.perf_counter() > end:
                break  # the rest wait their turn (one batch each would overrun the tick)
            self._train_sliced(session, quota / len(members))  # an epoch over a tick: slice it
        members = [s for s in members if s not in long]
        if not members:
            return False
        per_member = self._cohort_cost.get(key, max(s.epoch_cost for s in members))
        affordable = quota / max(per_member, 1e-7)  # member-epochs this quota buys
        if affordable < len(members):
            if len(members) > 1 and quota < bank_full:
                return True  # bank the quota: in a few ticks they train as one bigger stack
            # those who waited longest first, by turns of client address (app/live/turns.py);
            # small stacks cost more each: at least 16
            members = fair_order(members, lambda s: s.trained_at)
            members, n = members[: max(MIN_STACK, int(affordable))], 1
        else:
            n = int(min(min(s.epochs_allowed() for s in members), affordable / len(members)))
        if len(members) == 1:
            guarded(members[0], members[0].train, n)
            return False
        start = time.perf_counter()
        try:
            new = train_together([s.trainer for s in members], n)
        except Exception:
            for session in members:  # each run stays at its last finished epoch
                session.trainer.back_to_last_epoch()
                session.fault("stacked training failed")
            log.exception("stacked training failed for %d sessions", len(members))
            return False
        spent = (time.perf_counter() - start) / n / len(members)  # per member-epoch
        if len(self._cohort_cost) > 256:  # shapes come and go; keep the estimates bounded
            self._cohort_cost.clear()
        self._cohort_cost[key] = 0.8 * self._cohort_cost.get(key, spent) + 0.2 * spent
        for session, entries in zip(members, new):
            session.trained(n, len(entries), spent)
        return False

    def _train_sliced(self, session, quota: float) -> None:
        per_batch = session.epoch_cost / session.trainer.batches_per_epoch
        guarded(session, session.train_batches, max(1, int(quota / max(per_batch, 1e-7))))

    def frame_round(self, sessions: list) -> None:
        """Build due frames, those waiting longest first by turns of client address
        (one address's many sessions never crowd out another's), with what is left of the tick
        (at least the frame budget): sockets are served while the scheduler sleeps."""
        now = time.monotonic()
        due = fair_order((s for s in sessions if s.frame_due(now)), lambda s: s.last_frame_at)
        deadline = max(time.perf_counter() + self.frame_budget,
                       self._tick_began + TICK - 2 * MIN_IDLE)
        # a crowded address goes first with the frames of ADDRESS_SHARE sessions a tick;
        # its others come after everyone else's, in what is left of the tick: a class
        # behind one NAT gets every frame the server has time for, never another's
        crowd, given = crowd_of(sessions), Counter()
        per_crowd = max(1, round(ADDRESS_SHARE * self.settings.max_fps * TICK))
        first, after = [], []
        for session in due:
            address = crowd(session)
            if address is not None:
                given[address] += 1
                if given[address] > per_crowd:
                    after.append(session)
                    continue
            first.append(session)
        for session in first + after:
            if time.perf_counter() > deadline:
                break
            guarded(session, session.push_frame, now)


def guarded(session, work, *args) -> None:
    """Run one session's ``work``; a failure pauses that session alone and tells it."""
    try:
        work(*args)
    except Exception:
        log.exception("session %s failed", session.token[:6])
        session.fault("the server failed on this run; it is paused, its last epoch kept")
