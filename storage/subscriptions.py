"""Subscription rows: a chat's filters by topic and country, optionally aimed at a forum topic."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Subscription, utcnow


async def add_subscription(
    session: AsyncSession,
    chat_id: int,
    *,
    topic: str | None,
    country: str | None,
    thread_id: int | None = None,
) -> bool:
    """Add one filter; returns False when the chat already had it. The chat row must exist."""
    stmt = select(Subscription.id).where(Subscription.chat_id == chat_id)
    stmt = stmt.where(Subscription.topic.is_(None) if topic is None else Subscription.topic == topic)
    stmt = stmt.where(Subscription.country.is_(None) if country is None else Subscription.country == country)
    stmt = stmt.where(Subscription.thread_id.is_(None) if thread_id is None else Subscription.thread_id == thread_id)
    if await session.scalar(stmt) is not None:
        return False
    session.add(Subscription(chat_id=chat_id, topic=topic, country=country, thread_id=thread_id, created_at=utcnow()))
    await session.flush()
    return True


async def list_subscriptions(session: AsyncSession, chat_id: int) -> list[Subscription]:
    stmt = select(Subscription).where(Subscription.chat_id == chat_id).order_by(Subscription.id)
    return list((await session.scalars(stmt)).all())


async def remove_subscription(session: AsyncSession, chat_id: int, subscription_id: int) -> bool:
    """Remove one filter of this chat (a foreign id is ignored); returns whether one was removed."""
    result = await session.execute(
        delete(Subscription).where(Subscription.id == subscription_id, Subscription.chat_id == chat_id)
    )
    return bool(result.rowcount)


async def remove_matching(session: AsyncSession, chat_id: int, *, topic: str | None, country: str | None) -> int:
    """Remove the chat's filters on ``topic`` (any country when None) and ``country`` (any topic when None)."""
    stmt = delete(Subscription).where(Subscription.chat_id == chat_id)
    if topic is not None:
        stmt = stmt.where(Subscription.topic == topic)
    if country is not None:
        stmt = stmt.where(Subscription.country == country)
    result = await session.execute(stmt)
    return int(result.rowcount or 0)


async def remove_all(session: AsyncSession, chat_id: int) -> int:
    result = await session.execute(delete(Subscription).where(Subscription.chat_id == chat_id))
    return int(result.rowcount or 0)


async def count_subscriptions(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Subscription)) or 0)
