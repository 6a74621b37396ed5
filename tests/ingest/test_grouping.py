"""Story grouping on meaning, end to end: two feeds on 127.0.0.1, the real annotator, the store, the outbox
and the sender against the Bot API emulator."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from analysis import Annotator
from bot.app import build_application, running
from bot.settings import load_settings
from delivery.matching import enqueue_edits
from emulator import Emulator, EmulatorConfig
from feeds.fetch import build_client
from ingest.poller import Poller
from model.settings import FeedSettings
from storage.models import Chat, Item, ItemSource, OutboxMessage, Story, StoryKey, utcnow
from tests.bot.conftest import Harness, make_settings, subscribers
from tests.ingest.conftest import add_feeds

ROOT = Path(__file__).resolve().parents[2]
CHAT = 515001


@pytest.fixture(scope="module")
def annotator() -> Annotator:
    settings = load_settings(ROOT / "config.toml", {})
    return Annotator.load(settings.topics, settings.analysis)


@pytest.fixture
async def harness(sqlite_database) -> AsyncIterator[Harness]:
    """The bot with its sender against the emulator; feeds are polled by the test."""
    emulator = Emulator(EmulatorConfig()).start()
    try:
        app = build_application(make_settings(emulator, sqlite_database), sqlite_database)
        async with running(app, poll_feeds=False):
            yield Harness(app, emulator, sqlite_database)
    finally:
        emulator.stop()


def rss(channel: str, language: str, guid: str, title: str, summary: str) -> bytes:
    published = format_datetime(utcnow() - timedelta(hours=1))
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{channel}</title><language>{language}</language>
<item><guid>{guid}</guid><link>https://{guid}.example.org/news/{guid}</link><title>{title}</title>
<description>{summary}</description><pubDate>{published}</pubDate></item>
</channel></rss>""".encode()


QUAKE_EN = (
    "Magnitude 6.8 earthquake strikes Tajikistan's Murghab district",
    "The tremor hit Gorno-Badakhshan in the morning; the Committee of Emergency Situations says houses were "
    "damaged and rescuers were sent to the villages.",
)
QUAKE_RU = (
    "Землетрясение магнитудой 6,8 произошло в Мургабском районе Таджикистана",
    "Толчки ощущались в Горно-Бадахшанской области; КЧС сообщает о повреждённых домах, спасатели направлены в сёла.",
)
QUAKE_AF = (
    "Землетрясение магнитудой 6,3 произошло в провинции Герат в Афганистане",
    "Разрушены глинобитные дома в районе Зиндаджан, власти сообщают о погибших и раненых.",
)


async def poll(harness: Harness, settings: FeedSettings, annotator: Annotator, url: str) -> None:
    """Add the feed and poll it (the feeds added before are not due again), then wake the sender."""
    await add_feeds(harness.database, url)
    async with build_client(settings.limits, max_connections=2) as client:
        [result] = await Poller(harness.database, client, settings, annotator, worker="test").poll_due()
    assert result.status in ("new", "ok"), result.describe()
    harness.runtime.wake_sender()


async def settled(harness: Harness, within: float = 10.0) -> list[OutboxMessage]:
    """The outbox once no row is pending (a message reaches Telegram a moment before its row is marked)."""
    deadline = time.monotonic() + within
    while True:
        async with harness.database.read_session() as session:
            rows = list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())
        if all(r.status != "pending" and r.claimed_by is None for r in rows):
            return rows
        assert time.monotonic() < deadline, f"rows still pending: {[(r.id, r.kind, r.status) for r in rows]}"
        await asyncio.sleep(0.02)


async def test_an_english_and_a_russian_report_of_one_quake_are_one_alert_then_an_edit(
    harness: Harness, feed_settings: FeedSettings, feed_server, annotator: Annotator
) -> None:
    await subscribers(harness.database, [CHAT], topic=None)
    english = feed_server.set_feed(f"/quake-en-{id(harness)}", rss("Asia Quake Desk", "en", "q-en", *QUAKE_EN))
    russian = feed_server.set_feed(f"/quake-ru-{id(harness)}", rss("Новости Памира", "ru", "q-ru", *QUAKE_RU))

    await poll(harness, feed_settings, annotator, english)
    [alert] = await harness.emulator.wait_for_messages_async(CHAT, 1)
    assert "Murghab" in alert.text
    await settled(harness)  # the alert's row records Telegram's message id

    await poll(harness, feed_settings, annotator, russian)
    await harness.wait(lambda: len(harness.emulator.edits(CHAT)) == 1)
    [edit] = harness.emulator.edits(CHAT)
    assert edit.method == "editMessageText" and edit.message_id == alert.message_id
    assert "Murghab" in edit.text and "Also reported by" in edit.text and "(ru)" in edit.text
    rows = await settled(harness)
    assert [(r.kind, r.status) for r in rows] == [("alert", "sent"), ("edit", "sent")]
    assert len(harness.emulator.sent_messages(CHAT)) == 1  # no second alert
    async with harness.database.read_session() as session:
        [item] = (await session.scalars(select(Item))).all()
        sources = (await session.scalars(select(ItemSource).order_by(ItemSource.id))).all()
        assert item.title == QUAKE_EN[0]  # the first report stays the headline
        assert [(s.guid, s.language) for s in sources] == [("q-en", "en"), ("q-ru", "ru")]
        assert len((await session.scalars(select(Story))).all()) == 1
        assert len((await session.scalars(select(StoryKey))).all()) > 0


async def test_two_quakes_in_two_countries_are_two_alerts(
    harness: Harness, feed_settings: FeedSettings, feed_server, annotator: Annotator
) -> None:
    await subscribers(harness.database, [CHAT], topic=None)
    tajik = feed_server.set_feed(f"/quake-tj-{id(harness)}", rss("Asia Quake Desk", "en", "q-tj", *QUAKE_EN))
    afghan = feed_server.set_feed(f"/quake-af-{id(harness)}", rss("Новости региона", "ru", "q-af", *QUAKE_AF))
    await poll(harness, feed_settings, annotator, tajik)
    await harness.emulator.wait_for_messages_async(CHAT, 1)
    await poll(harness, feed_settings, annotator, afghan)
    messages = await harness.emulator.wait_for_messages_async(CHAT, 2)
    assert ["Murghab" in m.text for m in messages] == [True, False]
    rows = await settled(harness)
    assert [r.kind for r in rows] == ["alert", "alert"]
    assert harness.emulator.edits(CHAT) == []


async def test_one_poller_finds_the_stories_it_stored_on_its_earlier_passes(
    harness: Harness, feed_settings: FeedSettings, feed_server, annotator: Annotator
) -> None:
    """The poller keeps the facts of the stories it stored (ingest.grouping.StoryCache): a later pass of the
    same poller joins a report to them, and keeps another country's quake apart."""
    await subscribers(harness.database, [CHAT], topic=None)
    english = feed_server.set_feed(f"/quake-en1-{id(harness)}", rss("Asia Quake Desk", "en", "q-en1", *QUAKE_EN))
    russian = feed_server.set_feed(f"/quake-ru1-{id(harness)}", rss("Новости Памира", "ru", "q-ru1", *QUAKE_RU))
    afghan = feed_server.set_feed(f"/quake-af1-{id(harness)}", rss("Новости региона", "ru", "q-af1", *QUAKE_AF))
    async with build_client(feed_settings.limits, max_connections=2) as client:
        poller = Poller(harness.database, client, feed_settings, annotator, worker="test")
        await add_feeds(harness.database, english)
        await poller.poll_due()
        harness.runtime.wake_sender()
        [alert] = await harness.emulator.wait_for_messages_async(CHAT, 1)
        await settled(harness)
        await add_feeds(harness.database, afghan, russian)
        results = await poller.poll_due()
    assert sorted(r.new_items for r in results) == [0, 1], [r.describe() for r in results]
    harness.runtime.wake_sender()
    await harness.wait(lambda: len(harness.emulator.edits(CHAT)) == 1)
    messages = await harness.emulator.wait_for_messages_async(CHAT, 2)
    assert ["Murghab" in m.text for m in messages] == [True, False]
    assert harness.emulator.edits(CHAT)[0].message_id == alert.message_id
    async with harness.database.read_session() as session:
        assert len((await session.scalars(select(Story))).all()) == 2


async def repoll(harness: Harness, settings: FeedSettings, annotator: Annotator) -> None:
    """Poll every feed again now (a correction comes on the next poll of the same feed)."""
    async with build_client(settings.limits, max_connections=2) as client:
        results = await Poller(harness.database, client, settings, annotator, worker="test").poll_due(all_feeds=True)
    assert all(r.status in ("new", "ok") for r in results), [r.describe() for r in results]
    harness.runtime.wake_sender()


CORRECTED = "Magnitude 6.9 earthquake strikes Tajikistan's Murghab district, two villages cut off"


async def test_a_corrected_title_edits_the_alert_and_marks_it_updated(
    harness: Harness, feed_settings: FeedSettings, feed_server, annotator: Annotator
) -> None:
    await subscribers(harness.database, [CHAT], topic=None)
    path = f"/quake-fix-{id(harness)}"
    url = feed_server.set_feed(path, rss("Asia Quake Desk", "en", "q-fix", *QUAKE_EN))
    await poll(harness, feed_settings, annotator, url)
    [alert] = await harness.emulator.wait_for_messages_async(CHAT, 1)
    assert "Updated" not in alert.text
    await settled(harness)

    feed_server.set_feed(path, rss("Asia Quake Desk", "en", "q-fix", CORRECTED, QUAKE_EN[1]))
    await repoll(harness, feed_settings, annotator)
    await harness.wait(lambda: len(harness.emulator.edits(CHAT)) == 1)
    [edit] = harness.emulator.edits(CHAT)
    assert edit.message_id == alert.message_id and "two villages cut off" in edit.text and "Updated" in edit.text
    assert [(r.kind, r.status) for r in await settled(harness)] == [("alert", "sent"), ("edit", "sent")]
    assert len(harness.emulator.sent_messages(CHAT)) == 1
    async with harness.database.read_session() as session:
        [item] = (await session.scalars(select(Item))).all()
        assert item.title == CORRECTED and item.updated_at is not None

    # The same text again is no correction, and a summary that changes alone is none either.
    feed_server.set_feed(path, rss("Asia Quake Desk", "en", "q-fix", CORRECTED, QUAKE_EN[1] + " Updated 10:40."))
    await repoll(harness, feed_settings, annotator)
    assert [(r.kind, r.status) for r in await settled(harness)] == [("alert", "sent"), ("edit", "sent")]


async def test_an_edit_of_an_alert_the_chat_deleted_is_dropped_and_the_chat_stays(
    harness: Harness, feed_settings: FeedSettings, feed_server, annotator: Annotator
) -> None:
    await subscribers(harness.database, [CHAT], topic=None)
    english = feed_server.set_feed(f"/gone-en-{id(harness)}", rss("Asia Quake Desk", "en", "g-en", *QUAKE_EN))
    russian = feed_server.set_feed(f"/gone-ru-{id(harness)}", rss("Новости Памира", "ru", "g-ru", *QUAKE_RU))
    await poll(harness, feed_settings, annotator, english)
    [alert] = await harness.emulator.wait_for_messages_async(CHAT, 1)
    await settled(harness)
    harness.emulator.log.delete(CHAT, alert.message_id)  # a group admin removed the alert

    await poll(harness, feed_settings, annotator, russian)
    rows = await harness_rows_when(harness, lambda rows: len(rows) == 2 and rows[1].status != "pending")
    assert [(r.kind, r.status) for r in rows] == [("alert", "sent"), ("edit", "dropped")]
    assert rows[1].last_error.startswith("edit_gone")
    async with harness.database.read_session() as session:
        [chat] = (await session.scalars(select(Chat).where(Chat.id == CHAT))).all()
        assert chat.active  # a missing message is not a missing chat


async def harness_rows_when(harness: Harness, done, within: float = 10.0) -> list[OutboxMessage]:
    """The outbox rows once ``done(rows)`` holds and no row is claimed."""
    deadline = time.monotonic() + within
    while True:
        rows = await settled(harness, within)
        if done(rows):
            return rows
        assert time.monotonic() < deadline, [(r.kind, r.status) for r in rows]
        await asyncio.sleep(0.02)


async def test_an_edit_that_changes_nothing_is_done_not_failed(
    harness: Harness, feed_settings: FeedSettings, feed_server, annotator: Annotator
) -> None:
    await subscribers(harness.database, [CHAT], topic=None)
    url = feed_server.set_feed(f"/same-{id(harness)}", rss("Asia Quake Desk", "en", "s-en", *QUAKE_EN))
    await poll(harness, feed_settings, annotator, url)
    await harness.emulator.wait_for_messages_async(CHAT, 1)
    [alert_row] = await settled(harness)
    async with harness.database.session() as session:
        assert await enqueue_edits(session, [(alert_row.item_id, "test:unchanged")]) == 1
    harness.runtime.wake_sender()
    rows = await harness_rows_when(harness, lambda rows: len(rows) == 2 and rows[1].status != "pending")
    assert [(r.kind, r.status) for r in rows] == [("alert", "sent"), ("edit", "sent")]  # "message is not modified"
    assert harness.emulator.edits(CHAT) == []
