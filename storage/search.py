"""Full-text search over items: keeping the index in step, and the ranked, filtered query.

SQLite: FTS5 over item_search (stemmed text), BM25 via ``rank``. PostgreSQL: tsvector + GIN, ts_rank_cd.
Both index the same stems (storage.search_text), so they find the same items. The ranking is multiplied
by a recency factor so that, at equal relevance, a fresh story comes first.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, TextIO
from urllib.parse import urlsplit

from sqlalchemy import (
    ColumnElement,
    bindparam,
    column,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Feed, Item, ItemCountry, ItemOrg, ItemSearch, ItemTopic
from storage.search_query import Filters, SearchQuery, SearchQueryError, Term, parse_query
from storage.search_text import highlight, snippet, stemmed_text

__all__ = [
    "SearchPage",
    "SearchQueryError",
    "SearchResult",
    "cli_search",
    "index_items",
    "recency_factor",
    "search_items",
]

RECENCY_HALF_LIFE_DAYS = 30.0
# SQLite re-ranks the best BM25 candidates by recency; this many at least (the boost is at most 2x).
CANDIDATE_POOL = 200
_INDEX_BATCH = 500
_FTS = table("items_fts", column("rowid"), column("rank"))  # FTS5 virtual table (SQLite only)


@dataclass(frozen=True)
class SearchResult:
    item_id: int
    title: str
    title_html: str
    url: str | None
    published: datetime
    source: str
    snippet_html: str
    score: float


@dataclass(frozen=True)
class SearchPage:
    query: str
    results: list[SearchResult]
    offset: int
    limit: int
    has_more: bool


def recency_factor(published: datetime, now: datetime) -> float:
    """1.0 for a story published now, falling to 0.5 for an old one (half the way every 30 days)."""
    age_days = max(0.0, (now - published).total_seconds() / 86400.0)
    return 0.5 + 0.5 * 0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS)


async def index_items(session: AsyncSession, item_ids: Iterable[int]) -> int:
    """(Re)index items after they are stored or changed; call it in the transaction that stores them.

    Stemming runs in Python, so no database trigger can do this part; the FTS5 triggers then follow
    item_search. Returns the number of items indexed. Deleting an item removes it (ON DELETE CASCADE).
    """
    ids = sorted(set(item_ids))
    done = 0
    for start in range(0, len(ids), _INDEX_BATCH):
        chunk = ids[start : start + _INDEX_BATCH]
        rows = (await session.execute(select(Item.id, Item.title, Item.summary).where(Item.id.in_(chunk)))).all()
        await session.execute(delete(ItemSearch).where(ItemSearch.item_id.in_(chunk)))
        values = [
            {"item_id": r.id, "title": stemmed_text(r.title or ""), "body": stemmed_text(r.summary or "")} for r in rows
        ]
        if values:
            await session.execute(insert(ItemSearch), values)
        done += len(values)
    return done


async def search_items(
    session: AsyncSession, query: str, *, limit: int = 10, offset: int = 0, now: datetime | None = None
) -> SearchPage:
    """One page of results for ``query``; raises SearchQueryError when the query cannot be read."""
    if not 1 <= limit <= 100 or offset < 0:
        raise ValueError("limit must be 1..100 and offset >= 0")
    parsed = parse_query(query)
    now = now or datetime.now(UTC)
    if not parsed.has_text:
        scored = await _latest(session, parsed.filters, limit + 1, offset)
    elif session.bind.dialect.name == "sqlite":
        scored = await _sqlite_ranked(session, parsed, limit + 1, offset, now)
    else:
        scored = await _postgres_ranked(session, parsed, limit + 1, offset, now)
    results = [_result(item, score, parsed) for item, score in scored[:limit]]
    return SearchPage(query=query, results=results, offset=offset, limit=limit, has_more=len(scored) > limit)


def _filter_clauses(filters: Filters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.topics:
        clauses.append(exists().where(ItemTopic.item_id == Item.id, ItemTopic.topic.in_(filters.topics)))
    if filters.countries:
        clauses.append(exists().where(ItemCountry.item_id == Item.id, ItemCountry.country.in_(filters.countries)))
    if filters.orgs:
        clauses.append(exists().where(ItemOrg.item_id == Item.id, func.upper(ItemOrg.org).in_(filters.orgs)))
    if filters.sources:
        matches = [
            or_(func.lower(Feed.title).like(pattern, escape="\\"), func.lower(Feed.url).like(pattern, escape="\\"))
            for pattern in (_like_pattern(s) for s in filters.sources)
        ]
        clauses.append(Item.feed_id.in_(select(Feed.id).where(or_(*matches))))
    if filters.langs:
        clauses.append(func.lower(Item.language).in_(filters.langs))
    if filters.since:
        clauses.append(Item.published_at >= datetime.combine(filters.since, time.min, UTC))
    if filters.until:
        clauses.append(Item.published_at < datetime.combine(filters.until + timedelta(days=1), time.min, UTC))
    return clauses


def _like_pattern(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def _latest(session: AsyncSession, filters: Filters, limit: int, offset: int) -> list[tuple[Item, float]]:
    stmt = (
        select(Item)
        .where(*_filter_clauses(filters))
        .order_by(Item.published_at.desc(), Item.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(item, 0.0) for item in (await session.scalars(stmt)).all()]


async def _sqlite_ranked(
    session: AsyncSession, parsed: SearchQuery, limit: int, offset: int, now: datetime
) -> list[tuple[Item, float]]:
    # The MATCH string is built from quoted stems and is bound as a parameter, never spliced into SQL.
    pool = max(CANDIDATE_POOL, 2 * (offset + limit))
    clauses = _filter_clauses(parsed.filters)
    stmt = select(_FTS.c.rowid, _FTS.c.rank).where(text("items_fts MATCH :match"))
    if clauses:
        stmt = stmt.join(Item, Item.id == _FTS.c.rowid).where(*clauses)
    stmt = stmt.order_by(_FTS.c.rank).limit(pool)
    rows = (await session.execute(stmt, {"match": parsed.fts_match()})).all()
    if not rows:
        return []
    bm25 = {int(r[0]): -float(r[1]) for r in rows}  # FTS5 bm25 is negative: lower is better
    items = (await session.scalars(select(Item).where(Item.id.in_(bm25)))).all()
    scored = [(item, bm25[item.id] * recency_factor(item.published_at, now)) for item in items]
    scored.sort(key=lambda pair: (-pair[1], -pair[0].published_at.timestamp(), -pair[0].id))
    return scored[offset : offset + limit]


def _tsquery(term: Term) -> ColumnElement[Any]:
    return func.phraseto_tsquery("simple", bindparam(None, " ".join(term.stems), unique=True))


def _postgres_tsquery(parsed: SearchQuery) -> ColumnElement[Any]:
    expr: ColumnElement[Any] | None = None
    for group in parsed.groups:
        alt = _tsquery(group[0])
        for term in group[1:]:
            alt = alt.op("||")(_tsquery(term))
        expr = alt if expr is None else expr.op("&&")(alt)
    assert expr is not None
    for term in parsed.excluded:
        expr = expr.op("&&")(func.tsquery_not(_tsquery(term)))
    return expr


async def _postgres_ranked(
    session: AsyncSession, parsed: SearchQuery, limit: int, offset: int, now: datetime
) -> list[tuple[Item, float]]:
    tsv = literal_column("item_search.tsv", type_=TSVECTOR)
    query = _postgres_tsquery(parsed)
    now_param = bindparam("now", now, type_=Item.published_at.type)
    age_days = func.greatest(0.0, func.extract("epoch", now_param - Item.published_at) / 86400.0)
    recency = 0.5 + 0.5 * func.power(0.5, age_days / RECENCY_HALF_LIFE_DAYS)
    score = (func.ts_rank_cd(tsv, query) * recency).label("score")
    stmt = (
        select(Item, score)
        .join(ItemSearch, ItemSearch.item_id == Item.id)
        .where(tsv.op("@@")(query), *_filter_clauses(parsed.filters))
        .order_by(score.desc(), Item.published_at.desc(), Item.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(row[0], float(row[1])) for row in (await session.execute(stmt)).all()]


def source_name(item: Item) -> str:
    feed = item.feed
    if feed.title:
        return feed.title
    return urlsplit(feed.url).hostname or feed.url


def _result(item: Item, score: float, parsed: SearchQuery) -> SearchResult:
    wanted = parsed.wanted_stems
    text_ = item.summary or item.short_summary or ""
    return SearchResult(
        item_id=item.id,
        title=item.title,
        title_html=highlight(item.title, wanted),
        url=item.url,
        published=item.published_at,
        source=source_name(item),
        snippet_html=snippet(text_, wanted),
        score=round(score, 6),
    )


def result_json(result: SearchResult) -> dict[str, Any]:
    data = asdict(result)
    data["published"] = result.published.isoformat()
    return data


async def cli_search(database: str, query: str, limit: int, out: TextIO, err: TextIO | None = None) -> int:
    """``python -m bot search QUERY --json [--limit N]``: one JSON object per line; 2 on a bad query."""
    from storage.db import Database

    db = Database(database)
    try:
        async with db.session() as session:
            page = await search_items(session, query, limit=limit)
    except SearchQueryError as exc:
        print(f"bad query: {exc}", file=err or sys.stderr)
        return 2
    finally:
        await db.aclose()
    for result in page.results:
        out.write(json.dumps(result_json(result), ensure_ascii=False) + "\n")
    return 0
