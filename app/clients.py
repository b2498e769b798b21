"""Who a client is, for the per-address caps, rates and turns: its address, an IPv6
client by its /64; and a token bucket per address.

An IPv6 host usually holds a whole /64 and can pick a new address in it for every
connection, so counting single IPv6 addresses would count nothing. IPv4-mapped IPv6
addresses (``::ffff:10.0.0.7``) are their IPv4 address.
The turns the scheduler takes by address are ``app.live.turns``'.
"""

from __future__ import annotations

import functools
import ipaddress
import time


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
