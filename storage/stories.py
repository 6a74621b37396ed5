"""Story rows for grouping on meaning (ingest.grouping): one vector per story, looked up by index keys."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, Story, StoryKey

__all__ = ["NewStory", "StoredStory", "add_stories", "list_sent_alerts", "list_stories", "list_story_keys"]

_UNION = 120  # keys per statement: SQLite allows 500 terms in a compound SELECT, 4 parameters each
_IDS = 500  # ids per IN list


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


async def list_story_keys(
    session: AsyncSession, keys: Collection[int], since: datetime, until: datetime, *, per_key: int
) -> list[tuple[int, int]]:
    """(key, item id) of the stories published in [since, until] filed under any of ``keys``, at most
    ``per_key`` (the newest) per key.

    Each key is its own range on the covering index story_keys (key, published_at, item_id), read newest first
    and cut by LIMIT in the database: the cost follows the number of keys asked, never the number of stories
    stored, however many crowd one key. One statement per ``_UNION`` keys."""
    found: list[tuple[int, int]] = []
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), _UNION):
        parts = [
            select(StoryKey.key, StoryKey.item_id)
            .where(StoryKey.key == key, StoryKey.published_at >= since, StoryKey.published_at <= until)
            .order_by(StoryKey.published_at.desc())
            .limit(per_key)
            .subquery()
            for key in wanted[start : start + _UNION]
        ]
        selects = [select(part.c.key, part.c.item_id) for part in parts]
        statement = union_all(*selects) if len(selects) > 1 else selects[0]
        found.extend((await session.execute(statement)).tuples())
    return found


async def list_stories(session: AsyncSession, item_ids: Collection[int]) -> list[StoredStory]:
    """The stories of these headline items, by id."""
    found: list[StoredStory] = []
    wanted = sorted(set(item_ids))
    # Columns, not ORM objects: a batch reads thousands, and identity-mapping them costs more than the look-up.
    columns = (
        Story.item_id,
        Story.feed_id,
        Story.vector,
        Story.countries,
        Story.kinds,
        Story.topics,
        Story.warning,
        Story.published_at,
    )
    for start in range(0, len(wanted), _IDS):
        rows = await session.execute(select(*columns).where(Story.item_id.in_(wanted[start : start + _IDS])))
        found.extend(StoredStory(*row) for row in rows.tuples())
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
