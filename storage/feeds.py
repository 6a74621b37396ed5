"""Feed rows: named queries for the poller, the CLI and the admin commands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from model.polls import PollSuccess
from storage.models import Feed, Item, utcnow


class FeedExists(ValueError):
    """A feed with that URL is already stored."""


async def get_feed(session: AsyncSession, feed_id: int) -> Feed | None:
    return await session.get(Feed, feed_id)


async def get_feed_by_url(session: AsyncSession, url: str) -> Feed | None:
    return await session.scalar(select(Feed).where(Feed.url == url))


async def list_feeds(session: AsyncSession, *, active_only: bool = False) -> list[Feed]:
    stmt = select(Feed).order_by(Feed.id)
    if active_only:
        stmt = stmt.where(Feed.active.is_(True))
    return list((await session.scalars(stmt)).all())


async def claim_due_feeds(
    session: AsyncSession,
    *,
    worker: str,
    now: datetime,
    lease: timedelta,
    limit: int | None = None,
    include_not_due: bool = False,
) -> list[Feed]:
    """Claim due feeds for ``worker`` until ``now + lease``; the caller commits, then polls them.

    On PostgreSQL, ``FOR UPDATE SKIP LOCKED`` lets several workers claim at once without waiting on each
    other or taking the same feed; a worker that dies leaves a lease that runs out, and another takes over.
    """
    stmt = (
        select(Feed)
        .where(Feed.active.is_(True), or_(Feed.claimed_until.is_(None), Feed.claimed_until < now))
        .order_by(Feed.next_poll_at, Feed.id)
    )
    if not include_not_due:
        stmt = stmt.where(Feed.next_poll_at <= now)
    if limit is not None:
        stmt = stmt.limit(limit)
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    feeds = list((await session.scalars(stmt)).all())
    for feed in feeds:
        feed.claimed_by = worker
        feed.claimed_until = now + lease
    await session.flush()
    return feeds


async def add_feed(
    session: AsyncSession,
    url: str,
    *,
    title: str | None = None,
    name: str | None = None,
    language: str | None = None,
    topic_hints: Sequence[str] = (),
    interval: timedelta,
    now: datetime | None = None,
) -> Feed:
    if await get_feed_by_url(session, url) is not None:
        raise FeedExists(url)
    feed = Feed(
        url=url,
        title=title,
        name=name,
        language=language,
        topic_hints=list(topic_hints),
        interval_seconds=int(interval.total_seconds()),
        next_poll_at=now or utcnow(),
    )
    session.add(feed)
    await session.flush()
    return feed


async def sync_configured_feeds(
    session: AsyncSession, sources: Sequence[tuple[str, str | None, str | None, Sequence[str], timedelta]]
) -> int:
    """Insert configured feeds that are not stored yet; stored feeds keep their state, except a name the
    configuration sets (``name = ...``), which it owns. Each source is (url, name, language, hints, interval).
    Returns the added count."""
    stored = {feed.url: feed for feed in (await session.scalars(select(Feed))).all()}
    added = 0
    for url, name, language, hints, interval in sources:
        if url in stored:
            if name is not None and stored[url].name != name:
                stored[url].name = name
            continue
        await add_feed(session, url, name=name, language=language, topic_hints=hints, interval=interval)
        added += 1
    await session.flush()
    return added


async def set_full_text_modes(session: AsyncSession, modes: Mapping[str, str]) -> None:
    """Per feed URL, whether its teasers get their article page: "auto", "always" or "never"."""
    for url, mode in modes.items():
        await session.execute(update(Feed).where(Feed.url == url).values(full_text=mode))


async def remove_feed(session: AsyncSession, url: str) -> bool:
    result = await session.execute(delete(Feed).where(Feed.url == url))
    return bool(result.rowcount)


async def set_feed_active(session: AsyncSession, url: str, active: bool, *, reason: str | None = None) -> bool:
    now = utcnow()
    values: dict[str, object] = {
        "active": active,
        "pause_reason": None if active else reason,
        "paused_at": None if active else now,
    }
    if active:
        values.update(next_poll_at=now, error_count=0, first_error_at=None)
    result = await session.execute(update(Feed).where(Feed.url == url).values(**values))
    return bool(result.rowcount)


async def record_poll_successes(session: AsyncSession, polls: Sequence[PollSuccess]) -> None:
    """Clear the error streak and the claim, store the validators and the next poll: one statement for all."""
    if not polls:
        return
    feeds = Feed.__table__
    c = feeds.c
    stmt = (
        update(feeds)
        .where(c.id == bindparam("b_id"))
        .values(
            etag=bindparam("b_etag"),
            last_modified=bindparam("b_last_modified"),
            last_polled_at=bindparam("b_now"),
            last_ok_at=bindparam("b_now"),
            next_poll_at=bindparam("b_next"),
            error_count=0,
            first_error_at=None,
            last_error=None,
            last_error_message=None,
            claimed_by=None,
            claimed_until=None,
            title=func.coalesce(func.nullif(c.title, ""), bindparam("b_title", type_=c.title.type), c.title),
        )
    )
    params = [
        {
            "b_id": poll.feed_id,
            "b_etag": poll.etag,
            "b_last_modified": poll.last_modified,
            "b_now": poll.now,
            "b_next": poll.next_poll_at,
            "b_title": poll.title[:512] if poll.title else None,
        }
        for poll in polls
    ]
    await session.execute(stmt, params)
    for poll in polls:
        if poll.hub:  # few feeds name a hub; the subscription itself is ingest/websub.py's
            await session.execute(
                update(feeds)
                .where(c.id == poll.feed_id, func.coalesce(c.hub_url, "") != poll.hub)
                .values(hub_url=poll.hub, websub_topic=poll.topic, websub_state=None)
            )
        if poll.new_url and await get_feed_by_url(session, poll.new_url) is None:
            await session.execute(update(feeds).where(c.id == poll.feed_id).values(url=poll.new_url))


async def record_poll_failure(
    session: AsyncSession,
    feed: Feed,
    *,
    now: datetime,
    next_poll_at: datetime,
    code: str,
    message: str,
    pause_after: timedelta,
) -> bool:
    """Store a typed error and the next try; pause after a long streak. Returns True when this call paused it."""
    feed.error_count += 1
    feed.first_error_at = feed.first_error_at or now
    feed.last_error = code
    feed.last_error_message = message[:2000]
    feed.last_error_at = now
    feed.last_polled_at = now
    feed.next_poll_at = next_poll_at
    feed.claimed_by = None
    feed.claimed_until = None
    paused = feed.active and now - feed.first_error_at >= pause_after
    if paused:
        feed.active = False
        feed.paused_at = now
        feed.pause_reason = code
    await session.flush()
    return paused


async def count_items_per_feed(session: AsyncSession, since: datetime) -> dict[int, int]:
    rows = await session.execute(
        select(Item.feed_id, func.count()).where(Item.fetched_at >= since).group_by(Item.feed_id)
    )
    return {feed_id: count for feed_id, count in rows.all()}
