"""Item rows: dedupe look-ups, storing an annotated item with its sources, and listings."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from analysis import Annotation
from feeds.fingerprint import hamming, simhash_bands
from feeds.models import NormalisedItem
from storage.models import Item, ItemCountry, ItemEvent, ItemOrg, ItemSource, ItemTopic
from storage.search import index_stemmed
from storage.search_text import stemmed_text

_CHUNK = 500  # keeps IN (...) lists under every backend's parameter limit
_WORD = re.compile(r"\w+")
_TITLE_KEY_MIN_WORDS = 5  # shorter titles ("Daily brief") are shared by unrelated stories


def title_key(title: str) -> str | None:
    """A key equal for titles with the same words; syndicated copies keep the title but trim the text."""
    words = _WORD.findall(title.casefold())
    if len(words) < _TITLE_KEY_MIN_WORDS:
        return None
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


_DEDUPE_LOCK = 0x636F6F70  # any constant shared by every Coopwatch process on the database


async def lock_for_dedupe(session: AsyncSession) -> None:
    """Make concurrent feed stores take turns until the caller commits, so two feeds carrying one story
    can't both store it. SQLite writers already take turns (storage.db); PostgreSQL uses an advisory lock.
    """
    if session.bind.dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(_DEDUPE_LOCK)))


async def list_known_guids(session: AsyncSession, feed_id: int, guids: Iterable[str]) -> set[str]:
    """The guids this feed has already delivered (stored as an item or recorded as a source)."""
    wanted = list(dict.fromkeys(guids))
    known: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = await session.scalars(
            select(ItemSource.guid).where(ItemSource.feed_id == feed_id, ItemSource.guid.in_(chunk))
        )
        known.update(rows.all())
    return known


async def find_duplicates(
    session: AsyncSession,
    entries: Sequence[NormalisedItem],
    *,
    feed_id: int,
    since: datetime,
    max_distance: int,
) -> dict[str, int]:
    """Map each entry's guid to the stored item it repeats: same canonical URL, same text, or near-same text.

    Same title or near-same text counts only across feeds and within the window: inside one feed, two guids
    are two stories (two quakes of similar size read alike). Batched: a feed costs a handful of queries,
    not several per item.
    """
    if not entries:
        return {}
    urls = [e.url for e in entries if e.url]
    hashes = [e.content_hash for e in entries]
    by_key: dict[str, int] = {}
    for start in range(0, max(len(urls), len(hashes)), _CHUNK):
        rows = await session.execute(
            select(Item.id, Item.url, Item.content_hash)
            .where(
                or_(Item.url.in_(urls[start : start + _CHUNK]), Item.content_hash.in_(hashes[start : start + _CHUNK]))
            )
            .order_by(Item.id)
        )
        for item_id, url, content_hash in rows.all():
            if url:
                by_key.setdefault(url, item_id)
            by_key.setdefault(content_hash, item_id)
    keys = {e.guid: title_key(e.title) for e in entries}
    wanted = [k for k in set(keys.values()) if k]
    for start in range(0, len(wanted), _CHUNK):
        rows = await session.execute(
            select(Item.id, Item.title_key)
            .where(
                Item.title_key.in_(wanted[start : start + _CHUNK]), Item.feed_id != feed_id, Item.fetched_at >= since
            )
            .order_by(Item.id)
        )
        for item_id, key in rows.all():
            by_key.setdefault(key, item_id)
    # Candidates by (band position, band value): an entry is compared only with stored items sharing a band.
    by_band: dict[tuple[int, int], list[tuple[int, int]]] = {}
    if max_distance > 0:
        for item_id, value in await _near_candidates(session, [e.simhash for e in entries], since, feed_id):
            for position, band in enumerate(simhash_bands(value)):
                by_band.setdefault((position, band), []).append((item_id, value))
    found: dict[str, int] = {}
    for entry in entries:
        match = next((by_key[k] for k in (entry.url, entry.content_hash, keys[entry.guid]) if k and k in by_key), None)
        if match is None and by_band:
            near = (c for pos, band in enumerate(simhash_bands(entry.simhash)) for c in by_band.get((pos, band), ()))
            match = min((i for i, value in near if hamming(value, entry.simhash) <= max_distance), default=None)
        if match is not None:
            found[entry.guid] = match
    return found


async def _near_candidates(
    session: AsyncSession, simhashes: Sequence[int], since: datetime, feed_id: int
) -> list[tuple[int, int]]:
    # With four 16-bit bands, two hashes within 3 bits of each other share at least one band exactly.
    bands = list(zip(*(simhash_bands(value) for value in simhashes), strict=True))
    columns = (Item.simhash_band0, Item.simhash_band1, Item.simhash_band2, Item.simhash_band3)
    rows = await session.execute(
        select(Item.id, Item.simhash)
        .where(
            Item.fetched_at >= since,
            Item.feed_id != feed_id,
            or_(*(col.in_(set(b)) for col, b in zip(columns, bands, strict=True))),
        )
        .order_by(Item.id)
    )
    return [(item_id, value) for item_id, value in rows.all()]


def add_source(session: AsyncSession, item_id: int, *, feed_id: int, guid: str, url: str | None) -> None:
    """Record that another feed (or the same feed under another guid) carried the item.

    The caller has checked with ``list_known_guids`` that (feed, guid) is new.
    """
    session.add(ItemSource(item_id=item_id, feed_id=feed_id, guid=guid, url=url))


@dataclass(frozen=True, slots=True)
class NewItem:
    """A story to store: the normalised entry and, once analysis ran, its annotation."""

    entry: NormalisedItem
    annotation: Annotation | None = None
    search_text: tuple[str, str] | None = None  # stemmed title and summary when the caller made them


async def store_items(
    session: AsyncSession, *, feed_id: int, items: Sequence[NewItem], fetched_at: datetime
) -> list[int]:
    """Insert new items with their first source and annotation, in bulk, in the caller's transaction.

    Returns the new ids in the order given. Core inserts: the ORM's per-object bookkeeping costs more than
    parsing the feed did.
    """
    if not items:
        return []
    rows = [_item_row(feed_id, new, fetched_at) for new in items]
    # Map ids back by guid (unique per feed): asking RETURNING for parameter order makes SQLite insert
    # one row per statement.
    items_table = Item.__table__
    result = await session.execute(insert(items_table).returning(items_table.c.id, items_table.c.guid), rows)
    id_of = {guid: item_id for item_id, guid in result.all()}
    ids = [id_of[new.entry.guid] for new in items]
    sources, topics, countries, orgs, events = [], [], [], [], []
    for item_id, new in zip(ids, items, strict=True):
        entry, annotation = new.entry, new.annotation
        sources.append(
            {"item_id": item_id, "feed_id": feed_id, "guid": entry.guid, "url": entry.url, "seen_at": fetched_at}
        )
        if annotation is None:
            continue
        topics += [
            {"item_id": item_id, "topic": t, "score": float(annotation.scores.get(t, 0.0))}
            for t in dict.fromkeys(annotation.topics)
        ]
        countries += [{"item_id": item_id, "country": c} for c in dict.fromkeys(annotation.countries)]
        orgs += [{"item_id": item_id, "org": o[:64]} for o in dict.fromkeys(annotation.orgs)]
        events += [
            {
                "item_id": item_id,
                "kind": e.kind,
                "start_date": e.start.isoformat() if e.start else None,
                "end_date": e.end.isoformat() if e.end else None,
                "location": e.location[:256] if e.location else None,
            }
            for e in annotation.events
        ]
    for model, values in (
        (ItemSource, sources),
        (ItemTopic, topics),
        (ItemCountry, countries),
        (ItemOrg, orgs),
        (ItemEvent, events),
    ):
        if values:
            await session.execute(insert(model.__table__), values)
    stems = [n.search_text or (stemmed_text(n.entry.title), stemmed_text(n.entry.summary)) for n in items]
    await index_stemmed(session, [(i, title, body) for i, (title, body) in zip(ids, stems, strict=True)])
    return ids


def _item_row(feed_id: int, new: NewItem, fetched_at: datetime) -> dict[str, Any]:
    entry, annotation = new.entry, new.annotation
    bands = simhash_bands(entry.simhash)
    row: dict[str, Any] = {
        "feed_id": feed_id,
        "guid": entry.guid,
        "url": entry.url,
        "title": entry.title,
        "summary": entry.summary,
        "content_hash": entry.content_hash,
        "title_key": title_key(entry.title),
        "simhash": entry.simhash,
        "simhash_band0": bands[0],
        "simhash_band1": bands[1],
        "simhash_band2": bands[2],
        "simhash_band3": bands[3],
        "published_at": entry.published,
        "fetched_at": fetched_at,
        "language": entry.language,
        "short_summary": None,
        "keywords": [],
        "annotation": {},
    }
    if annotation is not None:
        data = annotation.to_json()
        row.update(
            language=annotation.language or entry.language,
            short_summary=annotation.summary,
            keywords=list(annotation.keywords),
            annotation={k: data.get(k) for k in ("scores", "evidence", "orgs", "events")},
        )
    return row


async def get_item(session: AsyncSession, item_id: int) -> Item | None:
    return await session.get(Item, item_id)


async def list_items(
    session: AsyncSession, *, limit: int = 50, topic: str | None = None, country: str | None = None
) -> list[Item]:
    """Newest stored items first, optionally by topic and country."""
    stmt = select(Item).order_by(Item.published_at.desc(), Item.id.desc()).limit(limit)
    if topic:
        stmt = stmt.where(Item.id.in_(select(ItemTopic.item_id).where(ItemTopic.topic == topic)))
    if country:
        stmt = stmt.where(Item.id.in_(select(ItemCountry.item_id).where(ItemCountry.country == country)))
    return list((await session.scalars(stmt)).unique().all())


async def count_items(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Item)) or 0)


def other_sources(item: Item) -> Sequence[ItemSource]:
    """Sources besides the feed that first carried the item: 'also reported by'."""
    return [s for s in item.sources if s.feed_id != item.feed_id]
