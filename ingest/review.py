"""Admins' review decisions carried through: a reviewed item sent goes to its matching subscribers as an
instant alert (the same outbox rows a "send" item gets), audited; the daily count goes to the admins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from delivery.matching import enqueue_alerts
from ingest.notices import notify_admins
from model.settings import BotSettings
from storage import audit
from storage import review as review_store
from storage.db import Database
from storage.models import utcnow


async def decide_and_deliver(
    session: AsyncSession, item_id: int, decision: str, topics: Sequence[str], actor_id: int
) -> int:
    """Record the decision in the caller's transaction; returns the alerts queued (0 unless sent).

    Raises storage.review's LookupError / AlreadyDecided, so a stale or repeated press changes nothing."""
    item = await review_store.decide(session, item_id, decision, topics, actor_id)
    await audit.record(
        session, audit.telegram_actor(actor_id), f"review_{decision}", item_id=item_id, topics=list(topics)
    )
    if decision != "sent" or not topics:
        return 0
    return await enqueue_alerts(session, item)


async def notify_review_count(
    database: Database, bot: BotSettings, *, since: datetime, now: datetime | None = None
) -> int:
    """Tell the admins once a day how many items wait (nothing when none do); returns rows queued."""
    async with database.read_session() as session:
        waiting = await review_store.count_pending(session, since=since)
    if not waiting:
        return 0
    day = (now or utcnow()).strftime("%Y%m%d")
    return await notify_admins(database, bot, key="review.daily", dedupe_key=f"review:{day}", count=waiting)
