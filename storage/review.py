"""The review queue: items the classifier put in the "review" band, waiting for an admin's decision.

An item leaves the queue once decided (sent, with the topics it went out under, or not relevant) or once it
is older than the queue's age limit; either way it stays stored and searchable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Item, ItemTopic, ReviewDecision, utcnow

DECISIONS = ("sent", "not_relevant")


class AlreadyDecided(ValueError):
    """Another admin (or a second press) decided this item before."""


def _pending(since: datetime):  # noqa: ANN202 - a Select
    decided = select(ReviewDecision.item_id).where(ReviewDecision.item_id == Item.id).exists()
    return select(Item).where(Item.band == "review", Item.fetched_at >= since, ~decided)


async def next_pending(session: AsyncSession, *, since: datetime, after_id: int = 0) -> Item | None:
    """The oldest waiting item after ``after_id`` (skip moves past one), stored since ``since``."""
    stmt = _pending(since).where(Item.id > after_id).order_by(Item.id).limit(1)
    return (await session.scalars(stmt)).first()


async def count_pending(session: AsyncSession, *, since: datetime) -> int:
    return int(await session.scalar(select(func.count()).select_from(_pending(since).subquery())) or 0)


async def get_decision(session: AsyncSession, item_id: int) -> ReviewDecision | None:
    return await session.get(ReviewDecision, item_id)


async def decide(session: AsyncSession, item_id: int, decision: str, topics: Sequence[str], actor_id: int) -> Item:
    """Record the decision; "sent" puts the item in the send band under ``topics``. LookupError for an item
    that is gone or not in review, AlreadyDecided for one decided before."""
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    item = await session.get(Item, item_id)
    if item is None or item.band != "review":
        if item is not None and await session.get(ReviewDecision, item_id) is not None:
            raise AlreadyDecided(f"item {item_id} was decided before")
        raise LookupError(f"item {item_id} is not waiting for review")
    if await session.get(ReviewDecision, item_id) is not None:
        raise AlreadyDecided(f"item {item_id} was decided before")
    session.add(
        ReviewDecision(item_id=item_id, decision=decision, topics=list(topics), actor_id=actor_id, decided_at=utcnow())
    )
    if decision == "sent":
        scores = (item.annotation or {}).get("scores") or {}
        await session.execute(delete(ItemTopic).where(ItemTopic.item_id == item_id))
        if topics:
            await session.execute(
                insert(ItemTopic),
                [
                    {"item_id": item_id, "topic": tp, "score": float(scores.get(tp, 1.0))}
                    for tp in dict.fromkeys(topics)
                ],
            )
        item.band = "send"
    else:
        item.band = "drop"
    await session.flush()
    await session.refresh(item, ["topics"])
    return item


async def list_decisions(session: AsyncSession) -> list[tuple[Item, ReviewDecision]]:
    """Every decision with its item, oldest first (the retrain reads them)."""
    rows = await session.execute(select(Item, ReviewDecision).join(ReviewDecision, ReviewDecision.item_id == Item.id))
    return [(item, decision) for item, decision in rows.all()]


async def count_decisions_by_feed(session: AsyncSession) -> dict[tuple[int, str], int]:
    rows = await session.execute(
        select(Item.feed_id, ReviewDecision.decision, func.count())
        .join(ReviewDecision, ReviewDecision.item_id == Item.id)
        .group_by(Item.feed_id, ReviewDecision.decision)
    )
    return {(feed_id, decision): int(n) for feed_id, decision, n in rows.all()}
