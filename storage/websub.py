"""WebSub subscriptions, kept on the feed row: which feeds are due a (re)subscription, and the hub's answers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Feed

RETRY_UNVERIFIED = timedelta(hours=1)  # a hub that never came back to verify, or failed, is asked again
RETRY_DENIED = timedelta(days=1)


async def list_due(session: AsyncSession, *, now: datetime, renew_before: timedelta, limit: int = 50) -> list[Feed]:
    """Active feeds that name a hub and need a subscription request: none yet, an old unanswered or failed
    one, a denial a day old, or a lease about to run out."""
    state = Feed.websub_state
    due = or_(
        state.is_(None),
        and_(state.in_(("requested", "failed")), Feed.websub_requested_at < now - RETRY_UNVERIFIED),
        and_(state == "denied", Feed.websub_requested_at < now - RETRY_DENIED),
        and_(state == "active", Feed.websub_lease_until < now + renew_before),
    )
    stmt = select(Feed).where(Feed.active.is_(True), Feed.hub_url.is_not(None), due).order_by(Feed.id).limit(limit)
    return list((await session.scalars(stmt)).all())


async def mark_requested(session: AsyncSession, feed_id: int, *, secret: str, now: datetime) -> None:
    # An active subscription stays active while its renewal waits for the hub's verification.
    await session.execute(
        update(Feed)
        .where(Feed.id == feed_id)
        .values(
            websub_secret=secret,
            websub_requested_at=now,
            websub_state=_keep_active_else("requested"),
        )
    )


async def mark_failed(session: AsyncSession, feed_id: int, *, now: datetime) -> None:
    await session.execute(
        update(Feed).where(Feed.id == feed_id).values(websub_requested_at=now, websub_state=_keep_active_else("failed"))
    )


async def confirm(session: AsyncSession, feed_id: int, *, topic: str, lease: timedelta, now: datetime) -> bool:
    """The hub's verification of a subscription we asked for; False for anything we did not ask."""
    result = await session.execute(
        update(Feed)
        .where(
            Feed.id == feed_id,
            Feed.websub_topic == topic,
            Feed.websub_state.in_(("requested", "active", "failed")),
            Feed.websub_secret.is_not(None),
        )
        .values(websub_state="active", websub_lease_until=now + lease)
    )
    return bool(result.rowcount)


async def deny(session: AsyncSession, feed_id: int, *, topic: str) -> bool:
    result = await session.execute(
        update(Feed).where(Feed.id == feed_id, Feed.websub_topic == topic).values(websub_state="denied")
    )
    return bool(result.rowcount)


async def get_pushed_feed(session: AsyncSession, feed_id: int, *, now: datetime) -> Feed | None:
    """The feed a push is for, when we hold a live subscription to it (verified, lease not run out)."""
    return await session.scalar(
        select(Feed).where(
            Feed.id == feed_id,
            Feed.active.is_(True),
            Feed.websub_state == "active",
            Feed.websub_secret.is_not(None),
            Feed.websub_lease_until > now,
        )
    )


def _keep_active_else(state: str) -> ColumnElement[str]:
    return case((Feed.websub_state == "active", "active"), else_=state)
