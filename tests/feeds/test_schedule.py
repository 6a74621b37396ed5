"""next_interval and backoff_interval."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from feeds.schedule import backoff_interval, next_interval

MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def interval(base=timedelta(minutes=15), *, ttl=None, max_age=None, retry_after=None, jitter=0.0, rng=None):
    return next_interval(
        base,
        ttl=ttl,
        max_age=max_age,
        retry_after=retry_after,
        min_interval=5 * MIN,
        max_interval=6 * HOUR,
        jitter=jitter,
        rng=rng,
    )


def test_base_interval_without_hints():
    assert interval() == timedelta(minutes=15)


@pytest.mark.parametrize("hint", ["ttl", "max_age", "retry_after"])
def test_a_longer_hint_wins(hint):
    assert interval(**{hint: HOUR}) == HOUR


def test_the_largest_hint_wins_and_shorter_hints_never_speed_up():
    assert interval(ttl=30 * MIN, max_age=45 * MIN, retry_after=20 * MIN) == 45 * MIN
    assert interval(ttl=2 * MIN, max_age=timedelta(0)) == 15 * MIN


def test_clamped_to_min_and_max():
    assert interval(base=MIN) == 5 * MIN
    assert interval(ttl=3 * DAY) == 6 * HOUR
    assert interval(retry_after=timedelta(days=30)) == 6 * HOUR


def test_jitter_stays_within_the_fraction_and_varies():
    rng = random.Random(7)
    values = [interval(base=HOUR, jitter=0.1, rng=rng) for _ in range(200)]
    assert all(54 * MIN <= v <= 66 * MIN for v in values)
    assert len(set(values)) > 100
    assert min(values) < 57 * MIN and max(values) > 63 * MIN


def test_seeded_rng_is_repeatable():
    assert interval(jitter=0.2, rng=random.Random(1)) == interval(jitter=0.2, rng=random.Random(1))


def backoff(errors, *, retry_after=None, jitter=0.0, rng=None, base=timedelta(minutes=10)):
    return backoff_interval(base, errors, retry_after=retry_after, jitter=jitter, rng=rng)


def test_backoff_doubles_per_error():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [10 * MIN, 20 * MIN, 40 * MIN, 80 * MIN]


def test_backoff_is_capped_at_one_day_even_after_a_long_streak():
    assert backoff(10) == DAY
    assert backoff(10_000) == DAY


def test_backoff_honours_a_longer_retry_after_up_to_the_cap():
    assert backoff(1, retry_after=2 * HOUR) == 2 * HOUR
    assert backoff(3, retry_after=MIN) == 40 * MIN
    assert backoff(1, retry_after=timedelta(days=5)) == DAY


def test_backoff_jitter_never_exceeds_the_cap():
    rng = random.Random(3)
    values = [backoff(2, jitter=0.25, rng=rng) for _ in range(100)]
    assert all(15 * MIN <= v <= 25 * MIN for v in values)
    capped = [backoff(50, jitter=0.25, rng=rng) for _ in range(100)]
    assert max(capped) == DAY and min(capped) >= 0.75 * DAY


def test_custom_cap():
    assert backoff_interval(HOUR, 5, retry_after=None, max_backoff=4 * HOUR, jitter=0) == 4 * HOUR
