"""The delivery outbox: one row per message owed to a chat.

Alert rows are written in the same transaction as the item they announce, so a crash loses neither.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, Item, ItemCountry, ItemTopic, OutboxMessage, Subscription

PRIORITY_REPLY = 0
PRIORITY_NOTICE = 5
PRIORITY_ALERT = 10
PRIORITY_DIGEST = 20


def _insert(session: AsyncSession):  # noqa: ANN202 - dialect-specific Insert
    return pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


async def enqueue_message(
    session: AsyncSession,
    *,
    chat_id: int,
    kind: str,
    dedupe_key: str,
    payload: dict[str, Any] | None = None,
    item_id: int | None = None,
    thread_id: int | None = None,
    priority: int = PRIORITY_ALERT,
    not_before: datetime | None = None,
) -> bool:
    """Queue one message; returns False when (chat, dedupe_key) was already queued."""
    values: dict[str, Any] = {
        "chat_id": chat_id,
        "kind": kind,
        "dedupe_key": dedupe_key,
        "payload": payload or {},
        "item_id": item_id,
        "thread_id": thread_id,
        "priority": priority,
    }
    if not_before is not None:
        values["not_before"] = not_before
    stmt = _insert(session)(OutboxMessage).values(**values).on_conflict_do_nothing(
        index_elements=["chat_id", "dedupe_key"]
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)


async def list_matching_subscriptions(session: AsyncSession, item_id: int) -> list[Subscription]:
    """Subscriptions of active chats whose topic and country filters fit the item.

    An item with no topic (off-topic) fits nothing: it is stored and searchable, never pushed.
    """
    topic_fits = or_(
        and_(Subscription.topic.is_(None), exists().where(ItemTopic.item_id == item_id)),
        exists().where(ItemTopic.item_id == item_id, ItemTopic.topic == Subscription.topic),
    )
    country_fits = or_(
        Subscription.country.is_(None),
        exists().where(ItemCountry.item_id == item_id, ItemCountry.country == Subscription.country),
    )
    stmt = (
        select(Subscription)
        .join(Chat, Chat.id == Subscription.chat_id)
        .where(Chat.active.is_(True), topic_fits, country_fits)
        .order_by(Subscription.chat_id, Subscription.id)
    )
    return list((await session.scalars(stmt)).all())


async def enqueue_alerts(session: AsyncSession, item: Item) -> int:
    """Queue one alert per (chat, forum thread) whose subscription fits ``item``; returns rows queued."""
    queued = 0
    seen: set[tuple[int, int | None]] = set()
    for sub in await list_matching_subscriptions(session, item.id):
        target = (sub.chat_id, sub.thread_id)
        if target in seen:
            continue
        seen.add(target)
        thread = f":{sub.thread_id}" if sub.thread_id is not None else ""
        queued += await enqueue_message(
            session,
            chat_id=sub.chat_id,
            kind="alert",
            dedupe_key=f"alert:{item.id}{thread}",
            item_id=item.id,
            thread_id=sub.thread_id,
            priority=PRIORITY_ALERT,
        )
    return queued
