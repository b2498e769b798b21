"""Turns by client address, when the server cannot serve everyone in a tick.

The scheduler takes turns by address before sessions (``fair_order``): a learner alone
on an address is served as often as its frame cap allows, however many sessions another
address opens, and what is left goes to the crowded address. An address with more than
``CROWD`` running sessions trains as its own stack, whose share of the training time
counts at most ``ADDRESS_SHARE`` sessions (``group_weight``): a class behind one NAT on
a server that others saturate trains as 20 learners would, slower each, rather than
crowding them out. An address is ``app.clients.client_key``'s (IPv6: its /64).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

from app.clients import client_key


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
