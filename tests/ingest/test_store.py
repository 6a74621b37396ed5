"""Storing polled feeds in groups: one transaction and one set of statements for several feeds, with the same
outcome as storing them one after another."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from feeds.fingerprint import content_hash, simhash
from ingest.store import PolledFeed, StoredFeed, store_polls
from model.annotation import Annotation
from model.items import NormalisedItem
from model.polls import PollSuccess
from storage import chats as chat_store
from storage import feeds as feed_store
from storage import subscriptions as sub_store
from storage.db import Database
from storage.items import NewItem
from storage.models import Feed, Item, ItemSource, OutboxMessage

NOW = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
WINDOW = timedelta(days=7)


def entry(guid: str, title: str, summary: str, url: str | None = None) -> NormalisedItem:
    return NormalisedItem(
        guid=guid,
        url=url,
        title=title,
        summary=summary,
        content_hash=content_hash(title, summary),
        simhash=simhash(f"{title}\n{summary}"),
        published=NOW - timedelta(hours=1),
        language="en",
    )


def poll(feed_id: int, *entries: NormalisedItem, now: datetime = NOW, title: str | None = None) -> PolledFeed:
    success = PollSuccess(feed_id, now, now + timedelta(minutes=30), etag='"v1"', last_modified=None, title=title)
    return PolledFeed(success, [NewItem(e) for e in entries])


async def add_feeds(database: Database, count: int) -> list[int]:
    async with database.session() as session:
        return [
            (await feed_store.add_feed(session, f"https://feeds.example/{i}", interval=timedelta(hours=1))).id
            for i in range(count)
        ]


async def store(database: Database, *polls: PolledFeed) -> list[StoredFeed]:
    async with database.session() as session:
        return await store_polls(session, polls, near_window=WINDOW, max_distance=3)


async def stories(database: Database) -> dict[tuple[int, str], set[tuple[int, str]]]:
    """Each stored item as its (feed, guid), with the (feed, guid) of every source."""
    async with database.read_session() as session:
        items = {i.id: (i.feed_id, i.guid) for i in (await session.scalars(select(Item))).all()}
        result: dict[tuple[int, str], set[tuple[int, str]]] = {key: set() for key in items.values()}
        for source in (await session.scalars(select(ItemSource))).all():
            result[items[source.item_id]].add((source.feed_id, source.guid))
    return result


TITLE = "Kyrgyz and Kazakh rescuers finish a joint mountain search drill"
SUMMARY = "Teams from both emergency ministries practised avalanche search near the border for three days."


async def test_feeds_of_one_group_that_carry_one_story_store_it_once(database: Database) -> None:
    a, b, c, d, e = await add_feeds(database, 5)
    results = await store(
        database,
        poll(a, entry("a-1", TITLE, SUMMARY, "https://a.example/story")),
        poll(b, entry("b-1", "Another story, same link", "Text of b.", "https://a.example/story")),  # same URL
        poll(c, entry("c-1", TITLE, "A shorter syndicated text.", "https://c.example/1")),  # same title
        poll(d, entry("d-1", TITLE + ".", SUMMARY.replace("three", "3"), "https://d.example/1")),  # near copy
        poll(e, entry("e-1", "Flood warning for the Syr Darya basin", "Water levels rise.", "https://e.example/1")),
    )
    assert [(r.new_items, r.duplicates) for r in results] == [(1, 0), (0, 1), (0, 1), (0, 1), (1, 0)]
    assert await stories(database) == {
        (a, "a-1"): {(a, "a-1"), (b, "b-1"), (c, "c-1"), (d, "d-1")},
        (e, "e-1"): {(e, "e-1")},
    }


async def test_inside_one_feed_alike_stories_stay_two_and_known_guids_are_skipped(database: Database) -> None:
    [a, b] = await add_feeds(database, 2)
    first = entry("a-1", TITLE, SUMMARY, "https://a.example/1")
    second = entry("a-2", TITLE, "The second drill of the season ended today.", "https://a.example/2")
    results = await store(database, poll(a, first, second))
    assert [(r.new_items, r.duplicates) for r in results] == [(2, 0)]
    # Polled again with one more entry, and a feed repeating the first: only the new entries count.
    third = entry("a-3", "Mudflow season opens early in the Almaty region", "Rescuers are on duty.")
    results = await store(database, poll(a, first, second, third), poll(b, entry("b-1", TITLE, "Syndicated.")))
    assert [(r.new_items, r.duplicates) for r in results] == [(1, 0), (0, 1)]
    again = await store(database, poll(a, first, second, third), poll(b, entry("b-1", TITLE, "Syndicated.")))
    assert [(r.new_items, r.duplicates) for r in again] == [(0, 0), (0, 0)]
    assert (await stories(database))[(a, "a-1")] == {(a, "a-1"), (b, "b-1")}


async def test_a_stored_story_comes_before_one_stored_in_the_same_group(database: Database) -> None:
    a, c = await add_feeds(database, 2)
    await store(database, poll(a, entry("a-1", TITLE, SUMMARY, "https://a.example/1")))
    # Feed a tells a second story under the same title (two stories inside one feed); c repeats the title.
    results = await store(
        database,
        poll(a, entry("a-2", TITLE, "A second drill, a month later.", "https://a.example/2")),
        poll(c, entry("c-1", TITLE, "Syndicated.", "https://c.example/1")),
    )
    assert [(r.new_items, r.duplicates) for r in results] == [(1, 0), (0, 1)]
    found = await stories(database)
    assert found[(a, "a-1")] == {(a, "a-1"), (c, "c-1")}
    assert found[(a, "a-2")] == {(a, "a-2")}


async def test_title_and_near_matches_need_the_window(database: Database) -> None:
    a, b = await add_feeds(database, 2)
    await store(database, poll(a, entry("a-1", TITLE, SUMMARY, "https://a.example/1"), now=NOW - 2 * WINDOW))
    results = await store(database, poll(b, entry("b-1", TITLE, SUMMARY + " Updated.", "https://b.example/1")))
    assert [(r.new_items, r.duplicates) for r in results] == [(1, 0)]


async def test_poll_bookkeeping_for_a_group(database: Database) -> None:
    a, b = await add_feeds(database, 2)
    async with database.session() as session:
        feed = await feed_store.get_feed(session, b)
        feed.title = "Kept"
        feed.error_count = 4
        feed.claimed_by = "worker-1"
    await store(database, poll(a, title="From the feed"), poll(b, title="Not taken"))
    async with database.read_session() as session:
        rows = {f.id: f for f in (await session.scalars(select(Feed))).all()}
    assert (rows[a].title, rows[b].title) == ("From the feed", "Kept")
    for row in rows.values():
        assert (row.etag, row.error_count, row.claimed_by, row.last_ok_at, row.last_polled_at) == (
            '"v1"',
            0,
            None,
            NOW,
            NOW,
        )
        assert row.next_poll_at == NOW + timedelta(minutes=30)


def _corpus(feeds: list[int], seed: int) -> list[list[NormalisedItem]]:
    """Feeds carrying overlapping stories: the same link, the same text, the same title, or a near copy."""
    rng = random.Random(seed)
    words = "flood quake drill rescue summit health water mudflow border search team region".split()  # noqa: SIM905
    stories = [" ".join(rng.sample(words, 6)) for _ in range(25)]
    polls = []
    for feed in feeds:
        entries = []
        for n, story in enumerate(rng.sample(range(len(stories)), 8)):
            title, summary = stories[story], f"Report {story} on {stories[story]}."
            kind = rng.choice(["url", "text", "title", "near", "own"])
            url = f"https://news.example/{story}" if kind == "url" else f"https://f{feed}.example/{seed}/{n}"
            if kind == "title":
                summary = f"Feed {feed} retells it."
            elif kind == "near":
                title += "!"
            elif kind == "own":
                title, summary = f"{title} {feed} {n}", f"Only feed {feed} has story {n}."
            entries.append(entry(f"{seed}/{feed}-{n}", title, summary, url))
        polls.append(entries)
    return polls


async def test_a_group_stores_what_one_feed_at_a_time_would(database: Database, sqlite_url: str) -> None:
    feeds = await add_feeds(database, 12)
    one_by_one = Database(sqlite_url.replace("coopwatch.db", "one_by_one.db"))
    await one_by_one.upgrade()
    try:
        assert await add_feeds(one_by_one, 12) == feeds
        for seed in range(3):
            corpus = _corpus(feeds, seed)
            now = NOW + timedelta(hours=seed)
            grouped = await store(database, *(poll(f, *e, now=now) for f, e in zip(feeds, corpus, strict=True)))
            alone = [(await store(one_by_one, poll(f, *e, now=now)))[0] for f, e in zip(feeds, corpus, strict=True)]
            assert grouped == alone
            assert await stories(database) == await stories(one_by_one)
    finally:
        await one_by_one.aclose()


def annotated(band: str, topics: list[str], review_topics: list[str]) -> Annotation:
    scores = dict.fromkeys(("disaster_risk", "public_health"), 0.1) | dict.fromkeys(topics + review_topics, 0.6)
    return Annotation("en", topics, scores, {}, ["KZ"], [], [], "", [], band=band, review_topics=review_topics)


async def test_items_keep_their_band_and_only_the_send_band_alerts(database: Database) -> None:
    [feed_id] = await add_feeds(database, 1)
    async with database.session() as session:
        await chat_store.upsert_chat(session, chat_id=101, type="private")
        await sub_store.add_subscription(session, 101, topic=None, country="KZ")
        for sub in await sub_store.list_subscriptions(session, 101):
            sub.created_at = NOW - timedelta(days=1)  # a new subscription never replays history
    sure = entry("a", "Rescuers from two countries reach the flooded valley", "Boats moved families out.")
    unsure = entry("b", "Officials discuss the spring water outlook for the basin", "A working group met.")
    polled = poll(feed_id)
    polled.items.extend(
        [
            NewItem(sure, annotated("send", ["disaster_risk"], [])),
            NewItem(unsure, annotated("review", [], ["disaster_risk"])),
        ]
    )
    await store(database, polled)
    async with database.read_session() as session:
        items = {i.guid: i for i in (await session.scalars(select(Item))).all()}
        alerted = {r.item_id for r in (await session.scalars(select(OutboxMessage))).all()}
    assert (items["a"].band, items["b"].band) == ("send", "review")
    assert items["b"].annotation["review_topics"] == ["disaster_risk"]
    assert alerted == {items["a"].id}
