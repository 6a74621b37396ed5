"""Readers' feedback on alerts: one verdict per user and item (a group's members each count once), and the
figures /stats shows per topic and per feed."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Feedback, Item, ItemTopic, OutboxMessage, ReviewDecision, utcnow

VERDICTS = ("useful", "not_for_me")
REASONS = ("wrong_topic", "wrong_country", "not_news", "duplicate")


async def record(
    session: AsyncSession,
    *,
    item_id: int,
    user_id: int,
    chat_id: int,
    verdict: str,
    reason: str | None = None,
    confirmed: bool = False,
) -> bool:
    """Store or replace this user's verdict on the item; returns True when it is the user's first."""
    if verdict not in VERDICTS or (reason is not None and reason not in REASONS):
        raise ValueError(f"bad feedback {verdict!r}/{reason!r}")
    row = await session.scalar(select(Feedback).where(Feedback.item_id == item_id, Feedback.user_id == user_id))
    first = row is None
    if row is None:
        row = Feedback(item_id=item_id, user_id=user_id)
        session.add(row)
    row.chat_id, row.verdict, row.reason, row.confirmed, row.given_at = chat_id, verdict, reason, confirmed, utcnow()
    await session.flush()
    return first


async def counts_for_item(session: AsyncSession, item_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Feedback.verdict, func.count()).where(Feedback.item_id == item_id).group_by(Feedback.verdict)
    )
    return {verdict: int(n) for verdict, n in rows.all()}


async def list_feedback(session: AsyncSession) -> list[Feedback]:
    return list((await session.scalars(select(Feedback).order_by(Feedback.id))).all())


async def stats_by_topic(session: AsyncSession) -> dict[str, Counter[str]]:
    """Per topic: alerts sent, useful, not_for_me, and review decisions (review_sent, review_not_relevant)."""
    out: dict[str, Counter[str]] = {}
    sent = await session.execute(
        select(ItemTopic.topic, func.count())
        .join(OutboxMessage, OutboxMessage.item_id == ItemTopic.item_id)
        .where(OutboxMessage.kind == "alert", OutboxMessage.status == "sent")
        .group_by(ItemTopic.topic)
    )
    for topic, n in sent.all():
        out.setdefault(topic, Counter())["sent"] += int(n)
    verdicts = await session.execute(
        select(ItemTopic.topic, Feedback.verdict, func.count())
        .join(Feedback, Feedback.item_id == ItemTopic.item_id)
        .group_by(ItemTopic.topic, Feedback.verdict)
    )
    for topic, verdict, n in verdicts.all():
        out.setdefault(topic, Counter())[verdict] += int(n)
    for item, decision in (await session.execute(select(Item, ReviewDecision).join(ReviewDecision))).all():
        topics = decision.topics or (item.annotation or {}).get("review_topics") or ["-"]
        for topic in topics:
            out.setdefault(topic, Counter())[f"review_{decision.decision}"] += 1
    return out


async def stats_by_feed(session: AsyncSession) -> dict[int, Counter[str]]:
    """The same figures per feed (the feed that first carried the item)."""
    out: dict[int, Counter[str]] = {}
    sent = await session.execute(
        select(Item.feed_id, func.count())
        .join(OutboxMessage, OutboxMessage.item_id == Item.id)
        .where(OutboxMessage.kind == "alert", OutboxMessage.status == "sent")
        .group_by(Item.feed_id)
    )
    for feed_id, n in sent.all():
        out.setdefault(feed_id, Counter())["sent"] += int(n)
    verdicts = await session.execute(
        select(Item.feed_id, Feedback.verdict, func.count())
        .join(Feedback, Feedback.item_id == Item.id)
        .group_by(Item.feed_id, Feedback.verdict)
    )
    for feed_id, verdict, n in verdicts.all():
        out.setdefault(feed_id, Counter())[verdict] += int(n)
    decisions = await session.execute(
        select(Item.feed_id, ReviewDecision.decision, func.count())
        .join(ReviewDecision, ReviewDecision.item_id == Item.id)
        .group_by(Item.feed_id, ReviewDecision.decision)
    )
    for feed_id, decision, n in decisions.all():
        out.setdefault(feed_id, Counter())[f"review_{decision}"] += int(n)
    return out
