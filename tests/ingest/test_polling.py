"""The ingest spine end to end: real HTTP on loopback, real SQLite and PostgreSQL, storage checked."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from feeds.fetch import build_client
from ingest.poller import Poller
from storage import feeds as feed_store
from storage import items as item_store
from storage.models import Feed, Item, ItemSource
from testkit.feedserver import build_rss
from tests.ingest.conftest import add_feeds, private_refusing


async def _count(database, model) -> int:
    async with database.read_session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)))


async def _feed(database, feed_id: int) -> Feed:
    async with database.read_session() as session:
        return await feed_store.get_feed(session, feed_id)


async def test_first_poll_stores_all_then_304_then_only_the_new_item(database, poller, feed_server):
    path = f"/ingest/fifty-{id(database)}.xml"
    url = feed_server.set_feed(path, build_rss(50, feed_id=f"fifty{id(database)}"))
    [feed_id] = await add_feeds(database, url)

    [first] = await poller.poll_due(all_feeds=True)
    assert (first.status, first.new_items) == ("new", 50)
    assert await _count(database, Item) == 50

    [second] = await poller.poll_due(all_feeds=True)
    assert second.status == "not_modified"
    last_request = feed_server.requests_for(path)[-1]
    assert last_request.headers.get("if-none-match")  # conditional GET sent the stored ETag
    assert await _count(database, Item) == 50

    feed_server.set_feed(path, build_rss(51, feed_id=f"fifty{id(database)}"))
    [third] = await poller.poll_due(all_feeds=True)
    assert (third.status, third.new_items) == ("new", 1)
    [fourth] = await poller.poll_due(all_feeds=True)
    assert fourth.new_items == 0
    assert await _count(database, Item) == 51
    feed = await _feed(database, feed_id)
    assert feed.error_count == 0 and feed.last_ok_at is not None
    assert feed.next_poll_at > datetime.now(UTC) + timedelta(minutes=4)


def _story_rss(guid: str, link: str, title: str, summary: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Syndicator</title>'
        f"<item><guid>{guid}</guid><link>{link}</link><title>{title}</title>"
        f"<description>{summary}</description><pubDate>Mon, 03 Mar 2025 10:00:00 GMT</pubDate></item>"
        "</channel></rss>"
    ).encode()


async def test_a_syndicated_story_is_stored_once_with_both_sources(database, poller, feed_server):
    tag = id(database)
    title = "Kyrgyz and Kazakh rescuers finish a joint mountain search drill"
    summary = "Teams from both emergency ministries practised avalanche search near the border for three days."
    a = feed_server.set_feed(
        f"/synd/a-{tag}", _story_rss("a-1", f"https://a.example/story?utm_source=x&id={tag}", title, summary)
    )
    b = feed_server.set_feed(f"/synd/b-{tag}", _story_rss("b-77", f"https://a.example/story?id={tag}", title, summary))
    # The third copy has its own URL and a lightly edited text: a near duplicate.
    c = feed_server.set_feed(
        f"/synd/c-{tag}",
        _story_rss("c-9", f"https://c.example/news/{tag}", title + ".", summary.replace("three", "3")),
    )
    await add_feeds(database, a, b, c)

    results = await poller.poll_due(all_feeds=True)
    assert sum(r.new_items for r in results) == 1
    assert sum(r.duplicates for r in results) == 2
    assert await _count(database, Item) == 1
    async with database.read_session() as session:
        [item] = await item_store.list_items(session)
        sources = {s.feed.url for s in item.sources}
        assert sources == {a, b, c}
        assert len(item_store.other_sources(item)) == 2
    # Polling again keeps one item and three sources.
    feed_server.clear_requests()
    await poller.poll_due(all_feeds=True)
    assert await _count(database, Item) == 1
    assert await _count(database, ItemSource) == 3


async def test_a_failing_feed_is_recorded_and_does_not_stop_the_others(database, poller, feed_server):
    good = feed_server.set_feed(f"/ok-{id(database)}", build_rss(3, feed_id=f"ok{id(database)}"))
    missing = feed_server.url("/status/404")
    good_id, missing_id = await add_feeds(database, good, missing)
    results = {r.feed_id: r for r in await poller.poll_due(all_feeds=True)}
    assert results[good_id].new_items == 3
    assert (results[missing_id].status, results[missing_id].error_code) == ("error", "not_found")

    feed = await _feed(database, missing_id)
    assert (feed.error_count, feed.last_error, feed.active) == (1, "not_found", True)
    assert "404" in feed.last_error_message
    assert feed.next_poll_at > datetime.now(UTC)
    # A second failure backs off further, and the stored items are untouched.
    first_delay = feed.next_poll_at - feed.last_error_at
    async with database.session() as session:
        row = await feed_store.get_feed(session, missing_id)
        row.next_poll_at = datetime.now(UTC) - timedelta(seconds=1)
    [again] = await poller.poll_due()
    assert again.feed_id == missing_id
    feed = await _feed(database, missing_id)
    assert feed.error_count == 2
    assert feed.next_poll_at - feed.last_error_at > first_delay
    assert await _count(database, Item) == 3


async def test_429_retry_after_is_honoured(database, poller, feed_server):
    [feed_id] = await add_feeds(database, feed_server.url("/status/429?retry_after=7200"))
    [result] = await poller.poll_due(all_feeds=True)
    assert result.error_code == "rate_limited"
    feed = await _feed(database, feed_id)
    assert feed.next_poll_at - feed.last_error_at >= timedelta(seconds=7200)


async def test_a_long_failure_streak_pauses_the_feed_and_calls_back(database, poller, feed_server):
    [feed_id] = await add_feeds(database, feed_server.url("/status/500"))
    paused: list[str] = []

    async def on_paused(feed: Feed) -> None:
        paused.append(feed.url)

    poller.on_paused = on_paused
    await poller.poll_due(all_feeds=True)
    assert paused == []
    async with database.session() as session:
        row = await feed_store.get_feed(session, feed_id)
        row.first_error_at = datetime.now(UTC) - timedelta(days=4)
    [result] = await poller.poll_due(all_feeds=True)
    assert result.paused and result.error_code == "server_error"
    assert paused == [feed_server.url("/status/500")]
    feed = await _feed(database, feed_id)
    assert not feed.active and feed.pause_reason == "server_error"
    assert await poller.poll_due(all_feeds=True) == []  # paused feeds are not polled


async def test_a_permanent_redirect_updates_the_stored_url(database, poller, feed_server):
    target = feed_server.set_feed(f"/moved-{id(database)}", build_rss(2, feed_id=f"mv{id(database)}"))
    start = feed_server.url(f"/redirect/1?status=301&to=/moved-{id(database)}")
    [feed_id] = await add_feeds(database, start)
    [result] = await poller.poll_due(all_feeds=True)
    assert result.new_items == 2
    assert (await _feed(database, feed_id)).url == target


async def test_private_addresses_are_refused_unless_allowed(database, feed_settings, feed_server):
    url = feed_server.set_feed(f"/private-{id(database)}", build_rss(2, feed_id=f"pv{id(database)}"))
    [feed_id] = await add_feeds(database, url)
    settings = private_refusing(feed_settings)
    async with build_client(settings.limits, max_connections=2) as client:
        [result] = await Poller(database, client, settings, worker="test").poll_due(all_feeds=True)
    assert result.error_code == "private_address"
    assert not feed_server.requests_for(f"/private-{id(database)}")  # refused before any request
    assert (await _feed(database, feed_id)).last_error == "private_address"


async def test_two_pollers_on_one_database_fetch_each_feed_once(database, feed_settings, feed_server):
    tag = id(database)
    urls = [feed_server.set_feed(f"/shared-{tag}/{i}", build_rss(2, feed_id=f"s{tag}x{i}")) for i in range(12)]
    await add_feeds(database, *urls)
    async with build_client(feed_settings.limits, max_connections=8) as client:
        first = Poller(database, client, feed_settings, worker="worker-a")
        second = Poller(database, client, feed_settings, worker="worker-b")
        results_a, results_b = await asyncio.gather(first.poll_due(), second.poll_due())
    polled = [r.url for r in results_a + results_b]
    assert sorted(polled) == sorted(urls)
    for i in range(12):
        assert len(feed_server.requests_for(f"/shared-{tag}/{i}")) == 1
    assert await _count(database, Item) == 24


class _BrokenAnnotator:
    """Stands in for a bug in analysis: the feed must fail alone, with a stored error."""

    def annotate_many(self, items):
        raise RuntimeError("classifier exploded")


async def test_an_unexpected_failure_costs_one_feed_one_poll(database, feed_settings, feed_server):
    url = feed_server.set_feed(f"/bug-{id(database)}", build_rss(2, feed_id=f"bug{id(database)}"))
    [feed_id] = await add_feeds(database, url)
    async with build_client(feed_settings.limits, max_connections=2) as client:
        [result] = await Poller(database, client, feed_settings, _BrokenAnnotator(), worker="test").poll_due()
    assert (result.status, result.error_code) == ("error", "unexpected")
    assert "classifier exploded" in result.error
    feed = await _feed(database, feed_id)
    assert feed.last_error == "unexpected" and feed.claimed_by is None
