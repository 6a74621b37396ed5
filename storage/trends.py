"""Daily item counts for trend charts, spike detection and weekly summaries; top stories of a slice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, Item, ItemCountry, ItemSource, ItemTopic, Subscription
from storage.search import source_name

GroupBy = Literal["topic", "country"]


@dataclass(frozen=True)
class TrendSeries:
    """Counts per day (oldest first) for each key (a topic id or an ISO country code)."""

    group_by: GroupBy
    days: tuple[date, ...]
    series: dict[str, tuple[int, ...]]

    def total(self, key: str) -> int:
        return sum(self.series.get(key, ()))


@dataclass(frozen=True)
class Story:
    item_id: int
    title: str
    url: str | None
    source: str
    published: datetime
    sources: int

    def to_json(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "published": self.published.isoformat(),
            "sources": self.sources,
        }


def day_range(end: date, days: int) -> tuple[date, ...]:
    return tuple(end - timedelta(days=days - 1 - i) for i in range(days))


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return datetime.combine(first, time.min, UTC), datetime.combine(last + timedelta(days=1), time.min, UTC)


def _day(session: AsyncSession) -> ColumnElement[str]:
    # Days are UTC days on both backends; SQLite stores naive UTC, PostgreSQL timestamptz.
    if session.bind.dialect.name == "sqlite":
        return func.strftime("%Y-%m-%d", Item.published_at)
    return func.to_char(func.timezone("UTC", Item.published_at), "YYYY-MM-DD")


async def daily_counts(
    session: AsyncSession,
    *,
    group_by: GroupBy,
    end: date,
    days: int = 30,
    topic: str | None = None,
    country: str | None = None,
    top: int | None = 6,
) -> TrendSeries:
    """Items per UTC day over the ``days`` ending with ``end``, one series per topic or per country.

    ``topic``/``country`` narrow the items; ``top`` keeps the series with the most items (None: all).
    """
    if not 1 <= days <= 366:
        raise ValueError("days must be 1..366")
    span = day_range(end, days)
    start_at, end_at = day_bounds(span[0], span[-1])
    day = _day(session).label("day")
    if group_by == "topic":
        key = ItemTopic.topic.label("key")
        stmt = select(day, key, func.count()).select_from(Item).join(ItemTopic, ItemTopic.item_id == Item.id)
        if country:
            stmt = stmt.where(exists().where(ItemCountry.item_id == Item.id, ItemCountry.country == country))
        if topic:
            stmt = stmt.where(ItemTopic.topic == topic)
    else:
        key = ItemCountry.country.label("key")
        stmt = select(day, key, func.count()).select_from(Item).join(ItemCountry, ItemCountry.item_id == Item.id)
        if topic:
            stmt = stmt.where(exists().where(ItemTopic.item_id == Item.id, ItemTopic.topic == topic))
        if country:
            stmt = stmt.where(ItemCountry.country == country)
    stmt = stmt.where(Item.published_at >= start_at, Item.published_at < end_at).group_by(day, key)
    index = {d.isoformat(): i for i, d in enumerate(span)}
    counts: dict[str, list[int]] = {}
    for day_text, name, n in (await session.execute(stmt)).all():
        if day_text in index:
            counts.setdefault(name, [0] * days)[index[day_text]] += int(n)
    ranked = sorted(counts, key=lambda k: (-sum(counts[k]), k))
    if top is not None:
        ranked = ranked[:top]
    return TrendSeries(group_by, span, {k: tuple(counts[k]) for k in sorted(ranked)})


async def topic_country_counts(session: AsyncSession, *, end: date, days: int) -> dict[tuple[str, str], list[int]]:
    """Items per UTC day for every (topic, country) pair seen in the window; oldest day first."""
    span = day_range(end, days)
    start_at, end_at = day_bounds(span[0], span[-1])
    day = _day(session).label("day")
    stmt = (
        select(day, ItemTopic.topic, ItemCountry.country, func.count())
        .select_from(Item)
        .join(ItemTopic, ItemTopic.item_id == Item.id)
        .join(ItemCountry, ItemCountry.item_id == Item.id)
        .where(Item.published_at >= start_at, Item.published_at < end_at)
        .group_by(day, ItemTopic.topic, ItemCountry.country)
    )
    index = {d.isoformat(): i for i, d in enumerate(span)}
    counts: dict[tuple[str, str], list[int]] = {}
    for day_text, topic, country, n in (await session.execute(stmt)).all():
        if day_text in index:
            counts.setdefault((topic, country), [0] * days)[index[day_text]] += int(n)
    return counts


async def top_stories(
    session: AsyncSession,
    *,
    first: date,
    last: date,
    topics: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
    limit: int = 3,
) -> list[Story]:
    """The stories of [first, last] most worth reading: most outlets, then topic score, then newest."""
    start_at, end_at = day_bounds(first, last)
    n_sources = select(func.count()).where(ItemSource.item_id == Item.id).correlate(Item).scalar_subquery().label("n")
    best_score = select(func.max(ItemTopic.score)).where(ItemTopic.item_id == Item.id)
    if topics:
        best_score = best_score.where(ItemTopic.topic.in_(topics))
    score = best_score.correlate(Item).scalar_subquery().label("score")
    stmt = select(Item, n_sources).where(Item.published_at >= start_at, Item.published_at < end_at)
    if topics is not None:
        topic_clause = exists().where(ItemTopic.item_id == Item.id)
        if topics:
            topic_clause = exists().where(ItemTopic.item_id == Item.id, ItemTopic.topic.in_(topics))
        stmt = stmt.where(topic_clause)
    if countries:
        stmt = stmt.where(exists().where(ItemCountry.item_id == Item.id, ItemCountry.country.in_(countries)))
    stmt = stmt.order_by(n_sources.desc(), score.desc().nulls_last(), Item.published_at.desc(), Item.id.desc())
    rows = (await session.execute(stmt.limit(limit))).all()
    return [Story(item.id, item.title, item.url, source_name(item), item.published_at, int(n or 1)) for item, n in rows]


async def count_items(session: AsyncSession, *, first: date, last: date, topic: str | None, country: str | None) -> int:
    """Items of [first, last] in ``topic`` (None: any topic, off-topic items excluded) and ``country``."""
    start_at, end_at = day_bounds(first, last)
    stmt = select(func.count()).select_from(Item).where(Item.published_at >= start_at, Item.published_at < end_at)
    topic_clause = exists().where(ItemTopic.item_id == Item.id)
    if topic:
        topic_clause = exists().where(ItemTopic.item_id == Item.id, ItemTopic.topic == topic)
    stmt = stmt.where(topic_clause)
    if country:
        stmt = stmt.where(exists().where(ItemCountry.item_id == Item.id, ItemCountry.country == country))
    return int(await session.scalar(stmt) or 0)


async def list_opted_in(session: AsyncSession, setting: str) -> dict[int, list[Subscription]]:
    """Active chats whose ``settings[setting] is True`` (spike_alerts, weekly_summary), with subscriptions."""
    chats = (await session.scalars(select(Chat).where(Chat.active.is_(True)).order_by(Chat.id))).all()
    chosen = [c.id for c in chats if (c.settings or {}).get(setting) is True]
    targets: dict[int, list[Subscription]] = {chat_id: [] for chat_id in chosen}
    if chosen:
        stmt = select(Subscription).where(Subscription.chat_id.in_(chosen)).order_by(Subscription.id)
        for sub in (await session.scalars(stmt)).all():
            targets[sub.chat_id].append(sub)
    return targets
