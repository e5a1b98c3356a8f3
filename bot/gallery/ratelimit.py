"""A token bucket per client: a burst of actions, then a steady trickle.

The buckets live in this process's memory, so with several web processes
behind a balancer each one limits on its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimiter:
    """Allows ``burst`` actions at once per key, refilled at ``per_minute`` a minute."""

    def __init__(
        self,
        *,
        burst: int,
        per_minute: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self._burst = float(burst)
        self._rate = per_minute / 60.0
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """Spend one token of ``key``: 0 when allowed, else the seconds until one is free."""
        now = self._clock()
        tokens, stamp = self._buckets.get(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - stamp) * self._rate)

        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self._rate

        if len(self._buckets) >= self._max_keys and key not in self._buckets:
            self._forget_full_buckets(now)
        self._buckets[key] = (tokens - 1.0, now)
        return 0.0

    def _forget_full_buckets(self, now: float) -> None:
        refill = self._burst / self._rate
        self._buckets = {
            key: (tokens, stamp)
            for key, (tokens, stamp) in self._buckets.items()
            if now - stamp < refill
        }
