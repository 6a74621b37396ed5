"""Group commit: units that arrive together share a transaction; one failing unit sinks no other."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storage import feeds as feed_store
from storage.db import Database
from storage.group_commit import GroupCommit
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
