from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest

from feeds.fetch import build_client
from ingest.poller import Poller
from model.settings import FeedSettings, FetchLimits
from storage import feeds as feed_store
from storage.db import Database


@pytest.fixture
def feed_settings() -> FeedSettings:
    limits = FetchLimits(connect_timeout=2, read_timeout=2, total_timeout=5, allow_private_addresses=True)
    return FeedSettings(limits=limits, jitter=0.0, min_interval=timedelta(minutes=5))


@pytest.fixture
async def poller(database: Database, feed_settings: FeedSettings) -> AsyncIterator[Poller]:
    client = build_client(feed_settings.limits, max_connections=8)
    try:
        yield Poller(database, client, feed_settings, worker="test")
    finally:
        await client.aclose()


async def add_feeds(database: Database, *urls: str) -> list[int]:
    ids = []
    async with database.session() as session:
        for url in urls:
            feed = await feed_store.add_feed(session, url, interval=timedelta(minutes=30))
            ids.append(feed.id)
    return ids


def private_refusing(settings: FeedSettings) -> FeedSettings:
    return replace(settings, limits=replace(settings.limits, allow_private_addresses=False))
