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
from emulator import Emulator, EmulatorConfig
from feeds.fetch import build_client
from ingest.poller import Poller
from model.settings import FeedSettings
from storage.models import Item, ItemSource, OutboxMessage, Story, StoryKey, utcnow
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
