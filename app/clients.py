"""Who a client is, for the per-address caps and turns: its address, an IPv6 client by
its /64.

An IPv6 host usually holds a whole /64 and can pick a new address in it for every
connection, so counting single IPv6 addresses would count nothing. IPv4-mapped IPv6
addresses (``::ffff:10.0.0.7``) are their IPv4 address.

When the server cannot serve everyone in a tick, the scheduler takes turns by address
before sessions (``fair_order``): a learner alone on an address is served as often as
its frame cap allows, however many sessions another address opens, and what is left
goes to the crowded address. An address with more than ``CROWD`` running sessions
trains as its own stack, whose share of the training time counts at most
``ADDRESS_SHARE`` sessions (``group_weight``): a class behind one NAT on a server that
others saturate trains as 20 learners would, slower each, rather than crowding them out.
"""

from __future__ import annotations

import functools
import ipaddress
import itertools
import time
from collections.abc import Callable, Iterable


@functools.lru_cache(maxsize=4096)
def client_key(address: str) -> str:
    """``10.0.0.7`` → itself; ``2001:db8:1:2:a:b:c:d`` → ``2001:db8:1:2::/64``."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # not an IP (a test client, a Unix socket): taken as it is
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class RateLimiter:
    """A token bucket per key: ``burst`` tokens at once, then ``rate`` a second."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self.buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, at)

    def take(self, key: str, now: float | None = None, amount: float = 1.0) -> bool:
        """Spend ``amount`` tokens of ``key``'s bucket if it has them."""
        now = time.monotonic() if now is None else now
        tokens, at = self.buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens < amount:
            self.buckets[key] = (tokens, now)
            return False
        self.buckets[key] = (tokens - amount, now)
        return True

    def has(self, key: str, now: float | None = None) -> bool:
        """Whether ``key``'s bucket holds a whole token now (nothing is spent)."""
        now = time.monotonic() if now is None else now
        tokens, at = self.buckets.get(key, (self.burst, now))
        return min(self.burst, tokens + (now - at) * self.rate) >= 1.0

    def forget_full(self, now: float | None = None) -> None:
        """Drop the buckets that have refilled (they equal a new one): memory stays
        bounded by the addresses seen in the last burst ÷ rate seconds."""
        now = time.monotonic() if now is None else now
        full = [k for k, (tokens, at) in self.buckets.items()
                if tokens + (now - at) * self.rate >= self.burst]
        for key in full:
            del self.buckets[key]


def fair_order(sessions: Iterable, waited: Callable) -> list:
    """Those who waited longest first (smallest ``waited(session)``), taking turns by
    client address: the longest waiter of each address, then the second of each, …
    One address with a hundred sessions thus gets a turn as often as one with one."""
    by_address: dict[str, list] = {}
    for session in sorted(sessions, key=waited):
        by_address.setdefault(client_key(session.address), []).append(session)
    turns = itertools.zip_longest(*by_address.values())
    return [session for turn in turns for session in turn if session is not None]



CROWD = 8  # active sessions from one address past which it trains as its own group
ADDRESS_SHARE = 20  # the most sessions' worth of training time one crowded address gets


def crowd_of(sessions: Iterable) -> Callable:
    """``session`` → its address if that address has more than ``CROWD`` of
    ``sessions``, else None. The scheduler stacks sessions of one shape and one crowd:
    a class behind one NAT still trains as one stack, while a learner elsewhere never
    waits in a crowded address's stack for its turn."""
    counts: dict[str, int] = {}
    for session in sessions:
        key = client_key(session.address)
        counts[key] = counts.get(key, 0) + 1

    def crowd(session) -> str | None:
        key = client_key(session.address)
        return key if counts[key] > CROWD else None
    return crowd


def group_weight(group: list, crowd: str | None) -> int:
    """A training group's share of a tick, in sessions: its size, but at most
    ``ADDRESS_SHARE`` for one crowded address. When the server is saturated, one address
    with 150 sessions gets what 20 learners get, and learners elsewhere the rest; when it
    is not, the share it leaves unspent carries over (the scheduler's bank)."""
    return len(group) if crowd is None else min(len(group), ADDRESS_SHARE)
