"""Feeds as they are published: back catalogues, missing and free-form dates, odd encodings, HTML feed titles,
bad links and empty entries. Each feed here is built like a real one found in the field, and is served over
HTTP on 127.0.0.1 and taken through the real parse and store path."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from analysis import Annotator
from bot.app import build_application, running
from bot.settings import load_settings
from emulator import Emulator, EmulatorConfig
from feeds.fetch import build_client
from ingest.poller import Poller
from storage.db import Database
from storage.models import OutboxMessage, utcnow
from tests.bot.conftest import ADMIN, Harness, make_settings, subscribers

ROOT = Path(__file__).resolve().parents[2]
READER = 410001


@pytest.fixture(scope="module")
def annotator() -> Annotator:
    settings = load_settings(ROOT / "config.toml", {})
    return Annotator.load(settings.topics, settings.analysis)


@pytest.fixture
async def bot(sqlite_database: Database, annotator: Annotator) -> AsyncIterator[Harness]:
    """The real Application against the Bot API emulator; feeds are polled by the test, not on a timer."""
    emulator = Emulator(EmulatorConfig()).start()
    try:
        settings = make_settings(emulator, sqlite_database, feeds={"allow_private_addresses": True})
        app = build_application(settings, sqlite_database, annotator=annotator)
        async with running(app, poll_feeds=False):
            yield Harness(app, emulator, sqlite_database)
    finally:
        emulator.stop()


def rescue_item(n: int, when: datetime) -> str:
    return f"""<item><guid>https://emergency.example.kz/news/{n}</guid>
<link>https://emergency.example.kz/news/{n}</link>
<title>Rescuers of Kazakhstan and Kyrgyzstan evacuate villagers after mudflow No. {n}</title>
<description>Rescue teams of the two emergency ministries evacuated residents and delivered tents and water
to the affected families.</description><pubDate>{format_datetime(when)}</pubDate></item>"""


def year_archive(now: datetime) -> bytes:
    """A ministry's feed as found: a year of old stories (one a fortnight), then two of the last hours."""
    old = [now - timedelta(days=14 * k + 3) for k in range(1, 27)]
    new = [now - timedelta(hours=2), now - timedelta(hours=6)]
    items = "".join(rescue_item(n, when) for n, when in enumerate(new + old))
    return f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Emergency news</title><link>https://emergency.example.kz/</link><language>en</language>
{items}</channel></rss>""".encode()


async def _outbox_count(database: Database, *, status: str | None = None) -> int:
    async with database.read_session() as session:
        query = select(func.count()).select_from(OutboxMessage)
        if status is not None:
            query = query.where(OutboxMessage.status == status)
        return int(await session.scalar(query) or 0)


async def _outbox_drained(database: Database, timeout: float = 10) -> None:  # noqa: ASYNC109
    """Wait for a state, the outbox with nothing pending, so no third alert can still be on its way."""
    async with asyncio.timeout(timeout):
        while await _outbox_count(database, status="pending"):  # noqa: ASYNC110 (a database state, no event)
            await asyncio.sleep(0.05)


async def test_a_new_feed_with_a_year_of_old_items_sends_exactly_its_two_new_stories(bot: Harness, feed_server):
    h = bot
    h.emulator.add_user(ADMIN, "Admin")
    await subscribers(h.database, [READER])
    url = feed_server.set_feed(f"/real/year-archive-{id(h)}.xml", year_archive(utcnow()))

    [added] = await h.say(ADMIN, f"/addfeed {url}")
    assert "28 items now" in added.text
    assert "26 of them, older than 48 h, are stored without alerts" in added.text

    runtime = h.runtime
    async with build_client(runtime.settings.feeds.limits, max_connections=2) as client:
        poller = Poller(h.database, client, runtime.settings.feeds, runtime.annotator, worker="test")
        [result] = await poller.poll_due()
    assert (result.new_items, result.alerts) == (28, 2)
    h.runtime.wake_sender()
    alerts = await h.emulator.wait_for_messages_async(READER, 2, timeout=20)
    await _outbox_drained(h.database)
    assert len(h.emulator.sent_messages(READER)) == 2
    assert sorted("No. 0" in m.text for m in alerts) == [False, True]
    assert all("No. 0" in m.text or "No. 1" in m.text for m in alerts)
    assert await _outbox_count(h.database) == 2
