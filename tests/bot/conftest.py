"""The real Application against the Bot API emulator (its own thread, Telegram's real limits), on a
real SQLite file; helpers to store annotated items through the poller's own store."""

from __future__ import annotations

import asyncio
import itertools
import time
import tomllib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from telegram.ext import Application

from analysis import Annotation
from analysis.config import DEFAULT_TOPICS_PATH
from bot.app import build_application, running
from bot.settings import Settings, settings_from_mapping
from emulator import Emulator, EmulatorConfig, SentMessage
from handlers.runtime import Runtime, get_runtime
from ingest.store import PolledFeed, store_polls
from model.items import NormalisedItem
from model.polls import PollSuccess
from storage import feeds as feed_store
from storage.db import Database
from storage.items import NewItem
from storage.models import Item, utcnow

ADMIN = 700001
TOPICS = tomllib.loads(DEFAULT_TOPICS_PATH.read_text(encoding="utf-8"))["topics"]
_guids = itertools.count(1)


def make_settings(emulator: Emulator, database: Database, **tables: Any) -> Settings:
    raw: dict[str, Any] = {"bot": {"admins": [ADMIN]}, "topics": TOPICS, **tables}
    env = {
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_BASE_URL": emulator.base_url,
        "TELEGRAM_API_BASE_FILE_URL": emulator.base_file_url,
        "COOPWATCH_DATABASE_URL": database.url,
    }
    return settings_from_mapping(raw, env)


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., Emulator]]:
    started: list[Emulator] = []

    def make(**config: Any) -> Emulator:
        emulator = Emulator(EmulatorConfig(**config)).start()
        started.append(emulator)
        return emulator

    yield make
    for emulator in started:
        emulator.stop()


@pytest.fixture
def emulator(make_emulator: Callable[..., Emulator]) -> Emulator:
    return make_emulator()


@dataclass
class Harness:
    app: Application
    emulator: Emulator
    database: Database

    @property
    def runtime(self) -> Runtime:
        return get_runtime(self.app)

    async def say(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        thread: int | None = None,
        expect: int | None = 1,
        timeout: float = 10,  # noqa: ASYNC109
    ) -> list[SentMessage]:
        """A user writes; wait for ``expect`` new bot messages in that chat and return them."""
        before = len(self.emulator.sent_messages(chat_id))
        self.emulator.inject_message(chat_id, text, user_id=user_id, message_thread_id=thread)
        if expect is None:
            await self.consumed()
            return []
        found = await self.emulator.wait_for_messages_async(chat_id, before + expect, timeout=timeout)
        return found[before:]

    async def press(
        self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None, forged: bool = False
    ) -> str:
        query_id = self.emulator.inject_callback(chat_id, message_id, data, user_id=user_id, forged=forged)
        await self.wait(lambda: bool(self.emulator.callback_answers(query_id)))
        return query_id

    async def consumed(self, timeout: float = 10) -> None:  # noqa: ASYNC109
        """Wait until the bot has fetched every queued update and its handlers have returned."""
        deadline = time.monotonic() + timeout
        await asyncio.to_thread(self.emulator.wait_until_consumed, timeout)
        # The emulator counts an update confirmed once the bot asks for the next offset, which the updater does
        # after putting the batch on the application's queue; the application marks each one done
        # (Queue.task_done) when its handlers have returned.
        await asyncio.wait_for(self.app.update_queue.join(), max(deadline - time.monotonic(), 0.1))

    async def wait(self, condition: Callable[[], bool], timeout: float = 10) -> None:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met")
            await asyncio.sleep(0.02)

    async def store_item(self, title: str, **kw: Any) -> Item:
        item = await store_item(self.database, title, **kw)
        self.runtime.wake_sender()
        return item


async def store_item(
    database: Database,
    title: str,
    *,
    topics: dict[str, float] | None = None,
    countries: tuple[str, ...] = ("KZ",),
    summary: str = "Rescue services of the two countries held a joint exercise. More details follow.",
    url: str | None = None,
    feed_url: str = "https://news.example.org/rss",
    feed_title: str | None = "Example News",
    fetched_at: datetime | None = None,
) -> Item:
    """Store an annotated item and its outbox rows through the poller's store (ingest.store.store_polls)."""
    n = next(_guids)
    fetched_at = fetched_at or utcnow()
    topics = {"emergency_response": 0.9} if topics is None else topics
    entry = NormalisedItem(
        guid=f"guid-{n}",
        url=url or f"https://news.example.org/story/{n}",
        title=title,
        summary=summary,
        content_hash=f"{n:064x}",
        simhash=n * 7919,
        published=fetched_at - timedelta(hours=1),
        language="en",
    )
    annotation = Annotation(
        language="en",
        topics=list(topics),
        scores=dict(topics),
        evidence={},
        countries=list(countries),
        orgs=[],
        events=[],
        summary=summary,
        keywords=[],
    )
    async with database.session() as session:
        feed = await feed_store.get_feed_by_url(session, feed_url)
        if feed is None:
            feed = await feed_store.add_feed(session, feed_url, title=feed_title, interval=timedelta(hours=1))
    # The poller's own store: dedupe, the item with its sources and search text, and its alerts, in one transaction.
    next_poll = fetched_at + timedelta(hours=1)
    success = PollSuccess(feed.id, now=fetched_at, next_poll_at=next_poll, etag=None, last_modified=None)
    async with database.session() as session:
        [stored] = await store_polls(
            session, [PolledFeed(success, [NewItem(entry, annotation)])], near_window=timedelta(days=7), max_distance=3
        )
        assert stored.new_items == 1, "the test item repeats one stored before"
        item = await session.scalar(select(Item).where(Item.feed_id == feed.id, Item.guid == entry.guid))
    return item


@pytest.fixture
def bot_tables() -> dict[str, Any]:
    """Config tables for the bot under test; a test module can override this fixture."""
    return {}


@pytest.fixture
async def harness(emulator: Emulator, sqlite_database: Database, bot_tables: dict[str, Any]) -> AsyncIterator[Harness]:
    settings = make_settings(emulator, sqlite_database, **bot_tables)
    app = build_application(settings, sqlite_database)
    async with running(app, poll_feeds=False):
        yield Harness(app, emulator, sqlite_database)


async def subscribers(
    database: Database,
    chat_ids: list[int],
    topic: str | None = "emergency_response",
    country: str | None = None,
    **settings: Any,
) -> None:
    """Chats subscribed directly in storage (for fan-out tests that need many chats fast)."""
    from storage import chats as chat_store
    from storage import subscriptions as sub_store

    async with database.session() as session:
        for chat_id in chat_ids:
            await chat_store.upsert_chat(
                session, chat_id=chat_id, type="private" if chat_id > 0 else "supergroup", language="en"
            )
            await sub_store.add_subscription(session, chat_id, topic=topic, country=country)
            if settings:
                await chat_store.update_settings(session, chat_id, **settings)
