"""Group commit: units that arrive together share a transaction; one failing unit sinks no other."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ingest.group_commit import GroupCommit
from storage import feeds as feed_store
from storage.db import Database
from storage.models import Feed


async def test_units_share_a_transaction_and_a_failing_unit_fails_alone(database: Database) -> None:
    writes = GroupCommit(database)

    def adder(url: str):
        async def add(session) -> int:
            return (await feed_store.add_feed(session, url, interval=timedelta(minutes=30))).id

        return add

    async def broken(session) -> None:
        await feed_store.add_feed(session, "https://dup.example/feed", interval=timedelta(minutes=30))
        raise RuntimeError("this unit is broken")

    results = await asyncio.gather(
        writes.run(adder("https://a.example/feed")),
        writes.run(broken),
        writes.run(adder("https://b.example/feed")),
        return_exceptions=True,
    )
    assert isinstance(results[0], int) and isinstance(results[2], int)
    assert isinstance(results[1], RuntimeError)
    async with database.read_session() as session:
        urls = set((await session.scalars(select(Feed.url))).all())
        assert urls == {"https://a.example/feed", "https://b.example/feed"}  # the broken unit left nothing
        assert await session.scalar(select(func.count()).select_from(Feed)) == 2


async def test_a_unit_that_fails_alone_raises_to_its_caller(database: Database) -> None:
    writes = GroupCommit(database)

    async def broken(session) -> None:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        await writes.run(broken)


async def test_a_batch_apply_gets_the_group_and_a_bad_unit_is_retried_alone(database: Database) -> None:
    calls: list[list[str]] = []

    async def apply(session, urls):
        calls.append(list(urls))
        if "bad" in urls:
            raise ValueError("bad unit")
        return [(await feed_store.add_feed(session, u, interval=timedelta(minutes=30))).id for u in urls]

    writes = GroupCommit(database, apply)
    results = await asyncio.gather(
        *(writes.run(u) for u in ("https://a.example/feed", "bad", "https://b.example/feed")), return_exceptions=True
    )
    assert isinstance(results[0], int) and isinstance(results[2], int)
    assert isinstance(results[1], ValueError)
    a, b = "https://a.example/feed", "https://b.example/feed"
    assert calls == [[a, "bad", b], [a], ["bad"], [b]]  # the group, then each unit alone


async def test_linger_gathers_units_that_arrive_soon_unless_none_are_expected(database: Database) -> None:
    groups: list[list[int]] = []

    async def apply(session, units):
        groups.append(list(units))
        return list(units)

    coming = {2, 3}  # units on their way, as the poller counts feeds still being fetched or parsed
    writes = GroupCommit(database, apply, linger=5.0, expected=lambda: len(coming))

    async def later(unit: int) -> int:
        await asyncio.sleep(0.05)
        coming.discard(unit)
        return await writes.run(unit)

    started = asyncio.get_running_loop().time()
    assert await asyncio.gather(writes.run(1), later(2), later(3)) == [1, 2, 3]
    assert groups == [[1, 2, 3]]  # the writer waited for the two that were on their way, no longer
    assert asyncio.get_running_loop().time() - started < 1.0

    coming.add(5)
    cancelled = asyncio.get_running_loop().call_later(0.05, lambda: (coming.clear(), writes.wake()))
    assert await writes.run(4) == 4  # 5 never comes: wake() ends the wait
    assert groups[-1] == [4]
    assert asyncio.get_running_loop().time() - started < 2.0
    cancelled.cancel()
