"""Small helpers for the admin tests: buttons of a sent message, and rows read back from storage."""

from __future__ import annotations

from sqlalchemy import select

from emulator import SentMessage
from storage.db import Database
from storage.models import AuditEntry, Subscription


def buttons(message: SentMessage) -> dict[str, str]:
    """callback_data -> button text."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return {b["callback_data"]: b["text"] for row in rows for b in row if "callback_data" in b}


async def subscriptions_of(database: Database, chat_id: int) -> set[tuple[str | None, str | None]]:
    async with database.read_session() as session:
        rows = await session.scalars(select(Subscription).where(Subscription.chat_id == chat_id))
        return {(s.topic, s.country) for s in rows}


async def audit_actions(database: Database) -> list[tuple[str, str, int | None]]:
    async with database.read_session() as session:
        rows = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.actor, e.action, e.chat_id) for e in rows]


def current(emulator, chat_id: int, message_id: int) -> SentMessage:  # noqa: ANN001 - the test Emulator
    """The bot's message as it is now, after any edits."""
    return next(m for m in emulator.sent_messages(chat_id) if m.message_id == message_id)


async def store_review_item(
    database: Database, title: str, proposed: dict[str, float], *, countries: tuple[str, ...] = ("KZ",), age=None
):  # noqa: ANN001, ANN201 - a test helper
    """An item the classifier put in the review band (no topic to send, ``proposed`` for an admin), stored
    through the poller's own store."""
    import itertools
    from datetime import timedelta

    from analysis import Annotation
    from ingest.store import PolledFeed, store_polls
    from model.items import NormalisedItem
    from model.polls import PollSuccess
    from storage import feeds as feed_store
    from storage.items import NewItem
    from storage.models import Item, utcnow

    global _counter
    _counter = globals().get("_counter") or itertools.count(1)
    n = next(_counter)
    fetched = utcnow() - (age or timedelta())
    entry = NormalisedItem(
        guid=f"review-{n}",
        url=f"https://review.example.org/{n}",
        title=title,
        summary="Officials met to discuss the next steps. More to follow.",
        content_hash=f"{n + 10**6:064x}",
        simhash=(n + 500) * 104729,
        published=fetched - timedelta(hours=1),
        language="en",
    )
    annotation = Annotation(
        language="en",
        topics=[],
        scores=dict(proposed),
        evidence={tp: {"terms": ["joint", "drill"]} for tp in proposed},
        countries=list(countries),
        orgs=[],
        events=[],
        summary="Officials met to discuss the next steps.",
        keywords=[],
        band="review",
        review_topics=list(proposed),
    )
    async with database.session() as session:
        feed = await feed_store.get_feed_by_url(session, "https://review.example.org/rss")
        if feed is None:
            feed = await feed_store.add_feed(
                session, "https://review.example.org/rss", title="Review Source", interval=timedelta(hours=1)
            )
    success = PollSuccess(
        feed.id, now=fetched, next_poll_at=fetched + timedelta(hours=1), etag=None, last_modified=None
    )
    async with database.session() as session:
        await store_polls(
            session, [PolledFeed(success, [NewItem(entry, annotation)])], near_window=timedelta(days=7), max_distance=3
        )
        return await session.scalar(select(Item).where(Item.guid == entry.guid))
