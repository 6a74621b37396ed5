"""Ingest with the real annotator: topics and entities are stored with the item, and the item's outbox
rows are written in the same transaction, only for the subscriptions the item fits."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from analysis import Annotator
from bot.settings import load_settings
from feeds.fetch import build_client
from ingest.poller import Poller
from model.annotation import ItemText
from storage import chats, subscriptions
from storage.models import Item, OutboxMessage, utcnow
from tests.ingest.conftest import add_feeds

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def annotator() -> Annotator:
    settings = load_settings(ROOT / "config.toml", {})
    return Annotator.load(settings.topics, settings.analysis)


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Региональные новости</title><language>ru</language>
<item><guid>rescue-1</guid><link>https://news.example.kz/rescue-1</link>
<title>Спасатели МЧС Казахстана и Кыргызстана провели совместные поисковые работы после схода селя</title>
<description>Спасательные отряды двух стран эвакуировали жителей горного села и доставили палатки,
одеяла и питьевую воду пострадавшим семьям.</description>
<pubDate>Tue, 04 Mar 2025 09:00:00 GMT</pubDate></item>
<item><guid>football-1</guid><link>https://news.example.kz/football-1</link>
<title>Сборная Узбекистана по футболу начала тренировочный сбор в Ташкенте</title>
<description>Главный тренер вызвал двадцать шесть игроков на матчи отборочного турнира.</description>
<pubDate>Tue, 04 Mar 2025 10:00:00 GMT</pubDate></item>
</channel></rss>"""


async def test_annotated_items_reach_only_fitting_subscriptions(database, feed_settings, feed_server, annotator):
    async with database.session() as session:
        for chat_id in (101, 202, 303):
            await chats.upsert_chat(session, chat_id=chat_id, type="private")
        await subscriptions.add_subscription(session, 101, topic="emergency_response", country="KZ")
        await subscriptions.add_subscription(session, 202, topic="public_health", country=None)
        await subscriptions.add_subscription(session, 303, topic=None, country="UZ")
        # Subscriptions predate the items: a new subscription never replays history.
        for sub in (
            await subscriptions.list_subscriptions(session, 101)
            + await subscriptions.list_subscriptions(session, 202)
            + await subscriptions.list_subscriptions(session, 303)
        ):
            sub.created_at = utcnow() - timedelta(minutes=5)

    recent = format_datetime(utcnow() - timedelta(hours=1))  # older items are stored quietly (feeds.alert_max_age)
    body = FEED.replace("Tue, 04 Mar 2025 09:00:00 GMT", recent).replace("Tue, 04 Mar 2025 10:00:00 GMT", recent)
    url = feed_server.set_feed(f"/annotated-{id(database)}", body.encode())
    await add_feeds(database, url)
    async with build_client(feed_settings.limits, max_connections=2) as client:
        [result] = await Poller(database, client, feed_settings, annotator, worker="test").poll_due()
    assert (result.new_items, result.alerts) == (2, 1)

    async with database.read_session() as session:
        items = {i.guid: i for i in (await session.scalars(select(Item))).all()}
        rescue, football = items["rescue-1"], items["football-1"]
        # a rescue after a mudflow: emergency response, and the mudflow may also make it disaster risk
        assert "emergency_response" in {t.topic for t in rescue.topics}
        assert "public_health" not in {t.topic for t in rescue.topics}
        assert {c.country for c in rescue.countries} >= {"KZ", "KG"}
        assert rescue.language == "ru" and rescue.short_summary
        assert football.topics == []  # off-topic: stored and searchable, never pushed
        assert rescue.band == "send" and football.band in ("review", "drop")
        rows = (await session.scalars(select(OutboxMessage))).all()
        assert [(r.chat_id, r.item_id, r.kind) for r in rows] == [(101, rescue.id, "alert")]


def archive_feed(now: datetime) -> bytes:
    """A year of old rescue stories, then two published in the last hours."""
    old = [now - timedelta(days=30 * month + 3) for month in range(1, 13)]
    new = [now - timedelta(hours=2), now - timedelta(hours=5)]
    items = "".join(
        f"""<item><guid>story-{n}</guid><link>https://news.example.kz/story-{n}</link>
<title>Спасатели МЧС Казахстана и Кыргызстана вместе ищут пострадавших после схода селя №{n}</title>
<description>Спасательные отряды двух стран эвакуировали жителей и доставили палатки и воду.</description>
<pubDate>{format_datetime(when)}</pubDate></item>"""
        for n, when in enumerate(old + new)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Архив</title>
<language>ru</language>{items}</channel></rss>""".encode()


async def test_a_new_feed_alerts_only_its_recent_items_and_stores_the_archive_quietly(
    database, feed_settings, feed_server, annotator
):
    async with database.session() as session:
        await chats.upsert_chat(session, chat_id=101, type="private")
        await subscriptions.add_subscription(session, 101, topic="emergency_response", country=None)
        for sub in await subscriptions.list_subscriptions(session, 101):
            sub.created_at = utcnow() - timedelta(minutes=5)
    url = feed_server.set_feed(f"/archive-{id(database)}", archive_feed(utcnow()))
    await add_feeds(database, url)
    async with build_client(feed_settings.limits, max_connections=2) as client:
        [result] = await Poller(database, client, feed_settings, annotator, worker="test").poll_due()
    assert (result.new_items, result.alerts) == (14, 2)
    async with database.read_session() as session:
        alerted = {r.item_id for r in (await session.scalars(select(OutboxMessage))).all()}
        items = {i.id: i.guid for i in (await session.scalars(select(Item))).all()}
    assert sorted(items[i] for i in alerted) == ["story-12", "story-13"]


@pytest.mark.xfail(strict=True, reason="known classifier error: a joint search operation also scores as training")
def test_a_joint_search_operation_is_not_training(annotator):
    title = "Спасатели МЧС Казахстана и Кыргызстана провели совместные поисковые работы после схода селя"
    summary = "Спасательные отряды двух стран эвакуировали жителей горного села и доставили палатки и воду."
    annotation = annotator.annotate(ItemText(title=title, summary=summary))
    assert "capacity_building" not in annotation.topics
