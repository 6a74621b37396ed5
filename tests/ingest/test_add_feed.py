"""The add_feed use case behind /addfeed, `feeds add` and OPML import: check, fetch, parse, then store."""

from __future__ import annotations

import pytest

from feeds.errors import NotAFeed, NotFound, PrivateAddressRefused
from feeds.fetch import build_client
from ingest.add_feed import FeedExists, add_feed, add_feeds
from storage import feeds as feed_store
from tests.ingest.conftest import private_refusing


async def stored_urls(database) -> list[str]:
    async with database.read_session() as session:
        return [f.url for f in await feed_store.list_feeds(session)]


async def test_a_feed_is_fetched_parsed_and_stored_with_its_own_title(database, feed_settings, feed_server):
    url = feed_server.url("/data/rss2.xml")
    async with build_client(feed_settings.limits, max_connections=2) as client:
        added = await add_feed(database, client, url, feed_settings)
        assert added.entries > 0 and added.title and added.title != url
        assert added.feed.title == added.title
        with pytest.raises(FeedExists):
            await add_feed(database, client, url, feed_settings)
    assert await stored_urls(database) == [url]


async def test_a_refused_or_broken_feed_is_not_stored(database, feed_settings, feed_server):
    async with build_client(feed_settings.limits, max_connections=2) as client:
        with pytest.raises(PrivateAddressRefused):  # loopback, and the settings do not allow it
            await add_feed(database, client, feed_server.url("/data/rss2.xml"), private_refusing(feed_settings))
        with pytest.raises(NotFound):
            await add_feed(database, client, feed_server.url("/status/404"), feed_settings)
        with pytest.raises(NotAFeed):
            await add_feed(database, client, feed_server.url("/html"), feed_settings)
    assert await stored_urls(database) == []


async def test_an_import_adds_what_it_can_and_reports_the_rest(database, feed_settings, feed_server):
    good, bad = feed_server.url("/data/atom.xml"), feed_server.url("/status/410")
    async with build_client(feed_settings.limits, max_connections=2) as client:
        await add_feed(database, client, good, feed_settings)
        refused = await add_feeds(database, client, [(good, None), (bad, "Gone")], private_refusing(feed_settings))
        result = await add_feeds(database, client, [(good, None), (bad, "Gone")], feed_settings)
    assert refused.skipped == [good] and [(u, e.code) for u, e in refused.failed] == [(bad, "private_address")]
    assert (
        result.added == [] and result.skipped == [good] and [(u, e.code) for u, e in result.failed] == [(bad, "gone")]
    )
    assert await stored_urls(database) == [good]
