"""When to poll a feed next: pure functions over timedeltas."""

from __future__ import annotations

import random
from datetime import timedelta

__all__ = ["backoff_interval", "next_interval"]


def next_interval(
    base: timedelta,
    *,
    ttl: timedelta | None,
    max_age: timedelta | None,
    retry_after: timedelta | None,
    min_interval: timedelta,
    max_interval: timedelta,
    jitter: float,
    rng: random.Random | None = None,
) -> timedelta:
    """The feed's interval after a good poll.

    The largest of the base and the server's hints (<ttl>, max-age, Retry-After) wins, so we
    never poll sooner than asked; the result is clamped, then spread by +-``jitter`` (a fraction).
    """
    hints = [hint for hint in (ttl, max_age, retry_after) if hint is not None and hint > timedelta(0)]
    wanted = max([base, *hints])
    clamped = min(max(wanted, min_interval), max_interval)
    return _jittered(clamped, jitter, rng)


def backoff_interval(
    base: timedelta,
    error_count: int,
    *,
    retry_after: timedelta | None,
    max_backoff: timedelta = timedelta(days=1),
    jitter: float,
    rng: random.Random | None = None,
) -> timedelta:
    """The interval after ``error_count`` failures in a row: base * 2**(n-1), capped at ``max_backoff``.

    A Retry-After longer than that is honoured up to the cap too. Jitter never takes it past the cap.
    """
    exponent = max(error_count - 1, 0)
    # Cap the exponent first: 2**n for a long streak would overflow timedelta.
    delay = max_backoff if exponent >= 40 else min(base * (2**exponent), max_backoff)
    if retry_after is not None and retry_after > delay:
        delay = min(retry_after, max_backoff)
    return min(_jittered(delay, jitter, rng), max_backoff)


def _jittered(interval: timedelta, jitter: float, rng: random.Random | None) -> timedelta:
    if jitter <= 0:
        return interval
    factor = 1 + (rng or random).uniform(-jitter, jitter)
    return interval * max(factor, 0.0)
