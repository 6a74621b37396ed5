"""Item rows: known guids, storing annotated items with their sources, and listings (dedupe: ingest.dedupe)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from model.annotation import Annotation
from model.items import NormalisedItem, simhash_bands, title_key
from storage.models import Item, ItemCountry, ItemEvent, ItemOrg, ItemSource, ItemTopic
from storage.search import index_stemmed
from storage.search_text import stemmed_text

_CHUNK = 500  # keeps IN (...) lists under every backend's parameter limit


async def list_known_guids(session: AsyncSession, feed_id: int, guids: Iterable[str]) -> set[str]:
    """The guids this feed has already delivered (stored as an item or recorded as a source)."""
    return {guid for _, guid in await list_known_sources(session, ((feed_id, guid) for guid in guids))}


async def list_known_sources(session: AsyncSession, wanted: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """The (feed id, guid) pairs among ``wanted`` already delivered, for any number of feeds at once."""
    pairs = set(wanted)
    feed_ids = {feed_id for feed_id, _ in pairs}
    guids = list({guid for _, guid in pairs})
    known: set[tuple[int, str]] = set()
    for start in range(0, len(guids), _CHUNK):
        rows = await session.execute(
            select(ItemSource.feed_id, ItemSource.guid).where(
                ItemSource.feed_id.in_(feed_ids), ItemSource.guid.in_(guids[start : start + _CHUNK])
            )
        )
        known.update(pair for pair in rows.tuples() if pair in pairs)
    return known


# A stored item as dedupe sees it: (id, feed id, fetched at, url, content hash, title key, simhash).
Candidate = tuple[int, int, datetime, str | None, str, str | None, int]
# What dedupe asks about an incoming entry: (url, content hash, title key, simhash, start of its near window).
Question = tuple[str | None, str, str | None, int, datetime]
_CANDIDATE_COLUMNS = (Item.id, Item.feed_id, Item.fetched_at, Item.url, Item.content_hash, Item.title_key, Item.simhash)
_BANDS = (Item.simhash_band0, Item.simhash_band1, Item.simhash_band2, Item.simhash_band3)
_QUESTIONS = 500  # per statement: at most 4 x 500 bound values, under every backend's parameter limit


async def list_duplicate_candidates(
    session: AsyncSession, questions: Sequence[Question], *, near: bool
) -> list[Candidate]:
    """Stored items with the same URL or content hash as some question, or the same title key or (``near``) a
    shared simhash band, fetched since the start of its window. One statement per 500 questions; the caller
    applies the dedupe rules to the answer (ingest/dedupe.py)."""
    found: list[Candidate] = []
    for start in range(0, len(questions), _QUESTIONS):
        chunk = questions[start : start + _QUESTIONS]
        since = min(q[4] for q in chunk)
        keys = {q[2] for q in chunk if q[2]}
        # Every term is an index look-up (SQLite: a multi-index OR; PostgreSQL: a BitmapOr).
        matches = [Item.url.in_({q[0] for q in chunk if q[0]}), Item.content_hash.in_({q[1] for q in chunk})]
        if keys:
            matches.append(and_(Item.title_key.in_(keys), Item.fetched_at >= since))
        if near:
            # With four 16-bit bands, two hashes within 3 bits of each other share at least one band exactly.
            bands = zip(*(simhash_bands(q[3]) for q in chunk), strict=True)
            matches += [and_(col.in_(set(b)), Item.fetched_at >= since) for col, b in zip(_BANDS, bands, strict=True)]
        rows = await session.execute(select(*_CANDIDATE_COLUMNS).where(or_(*matches)))
        found.extend(rows.tuples())
    return found


async def add_sources(session: AsyncSession, sources: Sequence[Source]) -> None:
    """Record that other feeds (or the same feed under another guid) carried stored items. One statement.

    The caller has checked with ``list_known_guids`` that each (feed, guid) is new.
    """
    rows = [
        {
            "item_id": source[0],
            "feed_id": source[1],
            "guid": source[2],
            "url": source[3],
            "seen_at": source[4],
            "language": source[5] if len(source) > 5 else None,
        }
        for source in sources
    ]
    if rows:
        await session.execute(insert(ItemSource.__table__), rows)


@dataclass(frozen=True, slots=True)
class NewItem:
    """A story to store: the normalised entry and, once analysis ran, its annotation."""

    entry: NormalisedItem
    annotation: Annotation | None = None
    search_text: tuple[str, str] | None = None  # stemmed title and summary when the caller made them


Placed = tuple[int, datetime, NewItem]  # (feed id, fetched at, item): where and when an item arrived
# (item id, feed id, guid, url, seen at[, language of the source's report])
Source = tuple[int, int, str, str | None, datetime] | tuple[int, int, str, str | None, datetime, str | None]


async def insert_items(session: AsyncSession, placed: Sequence[Placed]) -> list[int]:
    """Insert new items of any feeds with their first source, annotation and search text, in bulk.

    Returns the new ids in the order given. Core inserts, a statement per table: the ORM's per-object
    bookkeeping costs more than parsing the feed did.
    """
    if not placed:
        return []
    rows = [_item_row(feed_id, new, fetched_at) for feed_id, fetched_at, new in placed]
    # Map ids back by (feed, guid), which is unique: asking RETURNING for parameter order makes SQLite insert
    # one row per statement.
    items_table = Item.__table__
    result = await session.execute(
        insert(items_table).returning(items_table.c.id, items_table.c.feed_id, items_table.c.guid), rows
    )
    id_of = {(feed_id, guid): item_id for item_id, feed_id, guid in result.all()}
    ids = [id_of[feed_id, new.entry.guid] for feed_id, _, new in placed]
    topics, countries, orgs, events = [], [], [], []
    for item_id, (_, _, new) in zip(ids, placed, strict=True):
        annotation = new.annotation
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
    sources = [
        (item_id, feed_id, new.entry.guid, new.entry.url, fetched_at, source_language(new))
        for item_id, (feed_id, fetched_at, new) in zip(ids, placed, strict=True)
    ]
    await add_sources(session, sources)
    for model, values in ((ItemTopic, topics), (ItemCountry, countries), (ItemOrg, orgs), (ItemEvent, events)):
        if values:
            await session.execute(insert(model.__table__), values)
    stems = [new.search_text or (stemmed_text(new.entry.title), stemmed_text(new.entry.summary)) for *_, new in placed]
    await index_stemmed(session, [(i, title, body) for i, (title, body) in zip(ids, stems, strict=True)])
    return ids


def source_language(new: NewItem) -> str | None:
    """The language a source reported in: the annotator's, else the feed's."""
    language = new.annotation.language if new.annotation is not None else None
    language = language or new.entry.language
    return language[:16] if language else None


def text_columns(entry: NormalisedItem) -> dict[str, Any]:
    """The columns that follow an entry's text: its title and summary, and the keys the exact story rules match on."""
    bands = simhash_bands(entry.simhash)
    return {
        "title": entry.title,
        "summary": entry.summary,
        "content_hash": entry.content_hash,
        "title_key": title_key(entry.title),
        "simhash": entry.simhash,
        **{f"simhash_band{i}": band for i, band in enumerate(bands)},
    }


def _item_row(feed_id: int, new: NewItem, fetched_at: datetime) -> dict[str, Any]:
    entry, annotation = new.entry, new.annotation
    row: dict[str, Any] = {
        "feed_id": feed_id,
        "guid": entry.guid,
        "url": entry.url,
        **text_columns(entry),
        "published_at": entry.published,
        "date_source": entry.date_source,
        "fetched_at": fetched_at,
        "language": entry.language,
        "short_summary": None,
        "keywords": [],
        "annotation": {},
        "band": None,
    }
    if annotation is not None:
        data = annotation.to_json()
        row.update(
            language=annotation.language or entry.language,
            short_summary=annotation.summary,
            keywords=list(annotation.keywords),
            annotation={k: data.get(k) for k in ("scores", "evidence", "orgs", "events", "review_topics")},
            band=annotation.band,
        )
    return row


async def get_item(session: AsyncSession, item_id: int) -> Item | None:
    return await session.get(Item, item_id)


async def get_items(session: AsyncSession, item_ids: Collection[int]) -> dict[int, Item]:
    """The items among ``item_ids`` that exist, by id."""
    if not item_ids:
        return {}
    return {i.id: i for i in (await session.scalars(select(Item).where(Item.id.in_(sorted(item_ids))))).all()}


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
    """'Also reported by', oldest first: every other feed's copy, and the item's own feed's copies under another
    guid that bring another link (one text, two URLs in one feed: README "Duplicates"). The item's own row, and
    a repeat of its link or without one from its own feed, add nothing."""
    ordered = sorted(item.sources, key=lambda s: (s.seen_at, s.id or 0))
    return [
        s
        for s in ordered
        if s.feed_id != item.feed_id or (s.guid != item.guid and s.url is not None and s.url != item.url)
    ]
