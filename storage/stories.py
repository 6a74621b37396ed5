"""Story rows for grouping on meaning (ingest.grouping): one vector per story, looked up by band keys."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, Story, StoryKey

__all__ = ["NewStory", "StoredStory", "add_stories", "list_sent_alerts", "list_story_candidates"]

_KEYS = 500  # bound values per statement, under every backend's parameter limit


@dataclass(frozen=True, slots=True)
class NewStory:
    item_id: int
    feed_id: int
    vector: bytes
    countries: Sequence[str]
    kinds: Collection[str]
    topics: Collection[str]
    warning: bool
    published_at: datetime
    keys: Sequence[int]


@dataclass(frozen=True, slots=True)
class StoredStory:
    item_id: int
    feed_id: int
    vector: bytes
    countries: list[str]
    kinds: list[str]
    topics: list[str]
    warning: bool
    published_at: datetime
    keys: tuple[int, ...] = ()  # the asked-for band keys it shares


async def add_stories(session: AsyncSession, stories: Sequence[NewStory]) -> None:
    """Insert stories and their band keys; two statements for any number."""
    if not stories:
        return
    await session.execute(
        insert(Story.__table__),
        [
            {
                "item_id": s.item_id,
                "feed_id": s.feed_id,
                "vector": s.vector,
                "countries": list(s.countries),
                "kinds": sorted(s.kinds),
                "topics": sorted(s.topics),
                "warning": s.warning,
                "published_at": s.published_at,
            }
            for s in stories
        ],
    )
    keys = [{"item_id": s.item_id, "key": k, "published_at": s.published_at} for s in stories for k in s.keys]
    await session.execute(insert(StoryKey.__table__), keys)


async def list_story_candidates(
    session: AsyncSession, keys: Collection[int], since: datetime, until: datetime, *, per_key: int
) -> list[StoredStory]:
    """Stories published in [since, until] that share a band key, at most ``per_key`` (the newest) per key.

    Each key is an index range on (key, published_at), never a scan: the cost follows the stories of the
    window that look alike, not the number stored. The cap bounds a key that many stories crowd."""
    ids: dict[int, list[int]] = {}
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), _KEYS):
        rows = await session.execute(
            select(StoryKey.key, StoryKey.item_id)
            .where(
                and_(
                    StoryKey.key.in_(wanted[start : start + _KEYS]),
                    StoryKey.published_at >= since,
                    StoryKey.published_at <= until,
                )
            )
            .order_by(StoryKey.published_at.desc())
        )
        taken: dict[int, int] = {}
        for key, item_id in rows.tuples():
            if taken.get(key, 0) < per_key:
                taken[key] = taken.get(key, 0) + 1
                ids.setdefault(item_id, []).append(key)
    found: list[StoredStory] = []
    ordered = sorted(ids)
    for start in range(0, len(ordered), _KEYS):
        rows = await session.scalars(select(Story).where(Story.item_id.in_(ordered[start : start + _KEYS])))
        found += [
            StoredStory(
                s.item_id,
                s.feed_id,
                s.vector,
                s.countries,
                s.kinds,
                s.topics,
                s.warning,
                s.published_at,
                tuple(ids[s.item_id]),
            )
            for s in rows
        ]
    return found


async def list_sent_alerts(session: AsyncSession, item_ids: Collection[int]) -> list[OutboxMessage]:
    """Alerts of these items already delivered, with Telegram's message id: the ones to edit."""
    if not item_ids:
        return []
    rows = await session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.item_id.in_(sorted(item_ids)),
            OutboxMessage.kind == "alert",
            OutboxMessage.status == "sent",
            OutboxMessage.message_id.is_not(None),
        )
    )
    return list(rows)
