"""Helpers for search tests: stored items with annotations, inserted as ORM rows and indexed.

storage/items.py (the lead's) is not there yet; once it is, add_item should go through it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Feed, Item, ItemCountry, ItemEvent, ItemOrg, ItemSource, ItemTopic
from storage.search import index_items

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


async def get_feed(session: AsyncSession, title: str = "Test wire", url: str | None = None) -> Feed:
    url = url or f"https://{title.lower().replace(' ', '-')}.example/rss"
    feed = (await session.scalars(select(Feed).where(Feed.url == url))).first()
    if feed is None:
        feed = Feed(url=url, title=title)
        session.add(feed)
        await session.flush()
    return feed


async def add_item(
    session: AsyncSession,
    title: str,
    summary: str = "",
    *,
    published: datetime = NOW,
    topics: dict[str, float] | list[str] = (),
    countries: list[str] = (),
    orgs: list[str] = (),
    language: str | None = "en",
    feed: str = "Test wire",
    url: str | None = None,
    events: list[tuple[str, str | None, str | None, str | None]] = (),
    index: bool = True,
) -> Item:
    source = await get_feed(session, feed)
    digest = hashlib.sha256(f"{title}|{summary}|{published}|{feed}".encode()).hexdigest()
    item = Item(
        feed_id=source.id,
        guid=digest,
        url=url or f"https://news.example/{digest[:12]}",
        title=title,
        summary=summary,
        content_hash=digest,
        simhash=0,
        simhash_band0=0,
        simhash_band1=0,
        simhash_band2=0,
        simhash_band3=0,
        published_at=published,
        fetched_at=published,
        language=language,
    )
    session.add(item)
    await session.flush()
    session.add(ItemSource(item_id=item.id, feed_id=source.id, guid=digest, url=item.url))
    scores = topics if isinstance(topics, dict) else {t: 0.8 for t in topics}
    session.add_all(ItemTopic(item_id=item.id, topic=t, score=s) for t, s in scores.items())
    session.add_all(ItemCountry(item_id=item.id, country=c) for c in countries)
    session.add_all(ItemOrg(item_id=item.id, org=o) for o in orgs)
    session.add_all(
        ItemEvent(item_id=item.id, kind=k, start_date=s, end_date=e, location=loc) for k, s, e, loc in events
    )
    await session.flush()
    if index:
        await index_items(session, [item.id])
    return item
