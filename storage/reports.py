"""Read-only counts for /topics and /stats (bot-owned; items and feeds stay with their own modules)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Feed, Item, ItemTopic


async def count_by_topic(session: AsyncSession, since: datetime) -> dict[str, int]:
    """Items stored since ``since`` per topic."""
    rows = await session.execute(
        select(ItemTopic.topic, func.count())
        .join(Item, Item.id == ItemTopic.item_id)
        .where(Item.fetched_at >= since)
        .group_by(ItemTopic.topic)
    )
    return {topic: int(n) for topic, n in rows.all()}


async def count_items_since(session: AsyncSession, since: datetime) -> int:
    return int(await session.scalar(select(func.count()).select_from(Item).where(Item.fetched_at >= since)) or 0)


async def count_feeds(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(Feed.active, func.count()).group_by(Feed.active))
    counts = {"active": 0, "paused": 0}
    for active, n in rows.all():
        counts["active" if active else "paused"] += int(n)
    return counts
