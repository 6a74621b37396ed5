"""Full-text search over items: keeping the index in step, and the ranked, filtered query.

SQLite: FTS5 over item_search (stemmed text), BM25 via ``rank``. PostgreSQL: tsvector + GIN, ts_rank_cd.
Both index the same stems (storage.search_text, stop words left out), so they find the same items. The
ranking is multiplied by a recency factor so that, at equal relevance, a fresh story comes first.

Ranking window: scoring costs time per matching item, and a very common word ("чрезвычайных",
"emergency") matches a third of the archive. When a query (filters included) matches more than ``window``
items, only the ``window`` most recent matches (highest item ids: ids grow as items arrive) are ranked,
by the same BM25 x recency as always; BM25's word statistics still come from the whole index. Older
matches stay reachable with until:/since: or a more specific word. Both backends apply the same window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

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
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from model.feed_names import display_name
from storage.models import Feed, Item, ItemCountry, ItemOrg, ItemSearch, ItemTopic
from storage.search_query import Filters, SearchQuery, SearchQueryError, Term, parse_query
from storage.search_text import highlight, snippet, stemmed_text

__all__ = [
    "SearchPage",
    "SearchQueryError",
    "SearchResult",
    "index_items",
    "index_new_items",
    "index_stemmed",
    "recency_factor",
    "search_items",
]

RECENCY_DAYS = 30.0
# SQLite re-ranks the best BM25 candidates by recency; this many at least (the boost is at most 2x).
CANDIDATE_POOL = 200
# Queries matching more items than this rank only the newest this many (see the module docstring).
RANK_WINDOW = 5000
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
    """1.0 for a story published now, 0.75 at 30 days, tending to 0.5 for old ones (the SQL uses the same)."""
    age_days = max(0.0, (now - published).total_seconds() / 86400.0)
    return 0.5 + 0.5 / (1.0 + age_days / RECENCY_DAYS)


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
        done += await index_new_items(session, [(r.id, r.title, r.summary) for r in rows])
    return done


async def index_new_items(session: AsyncSession, texts: Sequence[tuple[int, str | None, str | None]]) -> int:
    """Index items just inserted, from the (id, title, summary) the caller already holds."""
    rows = [(item_id, stemmed_text(title or ""), stemmed_text(summary or "")) for item_id, title, summary in texts]
    return await index_stemmed(session, rows)


async def index_stemmed(session: AsyncSession, rows: Sequence[tuple[int, str, str]]) -> int:
    """Index items whose (id, stemmed title, stemmed summary) the caller made with ``stemmed_text``."""
    values = [{"item_id": item_id, "title": title, "body": body} for item_id, title, body in rows]
    if values:
        await session.execute(insert(ItemSearch.__table__), values)
    return len(values)


async def search_items(
    session: AsyncSession,
    query: str,
    *,
    limit: int = 10,
    offset: int = 0,
    now: datetime | None = None,
    window: int = RANK_WINDOW,
) -> SearchPage:
    """One page of results for ``query``; raises SearchQueryError when the query cannot be read.

    ``window`` bounds how many of the newest matches are ranked (it must hold the page).
    """
    if not 1 <= limit <= 100 or offset < 0 or window < offset + limit:
        raise ValueError("limit must be 1..100, offset >= 0 and window >= offset + limit")
    parsed = parse_query(query)
    now = now or datetime.now(UTC)
    if not parsed.has_text:
        scored = await _latest(session, parsed.filters, limit + 1, offset)
    elif session.bind.dialect.name == "sqlite":
        scored = await _sqlite_ranked(session, parsed, limit + 1, offset, now, window)
    else:
        scored = await _postgres_ranked(session, parsed, limit + 1, offset, now, window)
    results = _results(scored[:limit], parsed)
    return SearchPage(query=query, results=results, offset=offset, limit=limit, has_more=len(scored) > limit)


def _filter_clauses(filters: Filters, item_id: Any = Item.id) -> list[ColumnElement[bool]]:
    """All the filters; see _tag_clauses and _item_clauses."""
    return _tag_clauses(filters, item_id) + _item_clauses(filters)


def _tag_clauses(filters: Filters, item_id: Any) -> list[ColumnElement[bool]]:
    """topic:, country: and org:, tested against ``item_id`` (no need to read the wide items row)."""
    clauses: list[ColumnElement[bool]] = []
    if filters.topics:
        clauses.append(exists().where(ItemTopic.item_id == item_id, ItemTopic.topic.in_(filters.topics)))
    if filters.countries:
        clauses.append(exists().where(ItemCountry.item_id == item_id, ItemCountry.country.in_(filters.countries)))
    if filters.orgs:
        clauses.append(exists().where(ItemOrg.item_id == item_id, func.upper(ItemOrg.org).in_(filters.orgs)))
    return clauses


def _item_clauses(filters: Filters) -> list[ColumnElement[bool]]:
    """source:, lang:, since: and until:, which read the items row."""
    clauses: list[ColumnElement[bool]] = []
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


def _shown(*source: Any) -> list[Any]:
    """The columns a result shows, so one query per search fetches everything (no relationship loads)."""
    return [
        *source,
        Item.published_at,
        Item.title,
        Item.url,
        Item.summary,
        Item.short_summary,
        Feed.title.label("feed_title"),
        Feed.name.label("feed_name"),
        Feed.url.label("feed_url"),
    ]


async def _latest(session: AsyncSession, filters: Filters, limit: int, offset: int) -> list[tuple[Row, float]]:
    stmt = (
        select(*_shown(Item.id))
        .join(Feed, Feed.id == Item.feed_id)
        .where(*_filter_clauses(filters))
        .order_by(Item.published_at.desc(), Item.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(row, 0.0) for row in (await session.execute(stmt)).all()]


async def _sqlite_ranked(
    session: AsyncSession, parsed: SearchQuery, limit: int, offset: int, now: datetime, window: int
) -> list[tuple[Row, float]]:
    # The MATCH string is built from quoted stems and is bound as a parameter, never spliced into SQL.
    pool = max(CANDIDATE_POOL, 2 * (offset + limit))
    params = {"match": parsed.fts_match()}
    tags = _tag_clauses(parsed.filters, _FTS.c.rowid)
    clauses = _item_clauses(parsed.filters)
    # One pass: FTS5 walks the matches newest id first (no scoring), the filters drop rows, and it stops at
    # the window; BM25 ("rank", computed only for the rows kept) then picks the candidates.
    newest = select(_FTS.c.rowid.label("id"), _FTS.c.rank.label("rank")).where(text("items_fts MATCH :match"), *tags)
    if clauses:  # reading items rows costs most of a filtered query: only when a filter needs them
        newest = newest.join(Item, Item.id == _FTS.c.rowid).where(*clauses)
    newest = newest.where(*_id_range(parsed.filters)).order_by(_FTS.c.rowid.desc()).limit(window).subquery()
    # FTS5's rank is negative: lower is better; recency re-ranks the candidates below.
    best = select(newest.c.id, newest.c.rank).order_by(newest.c.rank).limit(pool).subquery()
    now_text = now.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    age_days = func.max(0.0, func.julianday(now_text) - func.julianday(Item.published_at))
    score = (-best.c.rank * _recency_sql(age_days)).label("score")
    # Order the candidates on narrow rows, then fetch the shown columns for the page only.
    page = (
        select(best.c.id, score, Item.published_at.label("published"))
        .select_from(best)
        .join(Item, Item.id == best.c.id)
        .order_by(score.desc(), Item.published_at.desc(), best.c.id.desc())
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    stmt = (
        select(*_shown(page.c.id, page.c.score))
        .select_from(page)
        .join(Item, Item.id == page.c.id)
        .join(Feed, Feed.id == Item.feed_id)
        .order_by(page.c.score.desc(), page.c.published.desc(), page.c.id.desc())
    )
    rows = (await session.execute(stmt, params)).all()
    return [(row, float(row.score)) for row in rows]


def _id_range(filters: Filters) -> list[ColumnElement[bool]]:
    """since:/until: as an item id range from item_days (SQLite): FTS5 then walks only that range.

    A superset (the exact date test still runs on the items row), so results do not change; without it a
    selective query would walk every match of a common word to the oldest one."""
    days = table("item_days", column("day"), column("min_id"), column("max_id"))
    bounds: list[ColumnElement[bool]] = []
    if filters.since:
        low = select(func.min(days.c.min_id)).where(days.c.day >= filters.since.isoformat()).scalar_subquery()
        bounds.append(_FTS.c.rowid >= low)
    if filters.until:
        high = select(func.max(days.c.max_id)).where(days.c.day <= filters.until.isoformat()).scalar_subquery()
        bounds.append(_FTS.c.rowid <= high)
    return bounds


def _recency_sql(age_days: ColumnElement[Any]) -> ColumnElement[Any]:
    # Plain arithmetic, so SQLite builds without math functions run it too; mirrors recency_factor.
    return 0.5 + 0.5 / (1.0 + age_days / RECENCY_DAYS)


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
    session: AsyncSession, parsed: SearchQuery, limit: int, offset: int, now: datetime, window: int
) -> list[tuple[Row, float]]:
    tsv = literal_column("item_search.tsv", type_=TSVECTOR)
    query = _postgres_tsquery(parsed)
    clauses = _filter_clauses(parsed.filters)
    # The same window as SQLite: the id of the window-th newest match (filters applied) bounds the ranking.
    probe = (
        select(ItemSearch.item_id)
        .join(Item, Item.id == ItemSearch.item_id)
        .where(tsv.op("@@")(query), *clauses)
        .order_by(ItemSearch.item_id.desc())
        .limit(1)
        .offset(window - 1)
    )
    floor = (await session.execute(probe)).scalar_one_or_none()
    if floor is not None:
        clauses.append(ItemSearch.item_id >= floor)
    now_param = bindparam("now", now, type_=Item.published_at.type)
    age_days = func.greatest(0.0, func.extract("epoch", now_param - Item.published_at) / 86400.0)
    score = (func.ts_rank_cd(tsv, query) * _recency_sql(age_days)).label("score")
    stmt = (
        select(*_shown(Item.id, score))
        .join(ItemSearch, ItemSearch.item_id == Item.id)
        .join(Feed, Feed.id == Item.feed_id)
        .where(tsv.op("@@")(query), *clauses)
        .order_by(score.desc(), Item.published_at.desc(), Item.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(row, float(row.score)) for row in (await session.execute(stmt)).all()]


def source_name(item: Item) -> str:
    return item.feed.display_name


def _results(scored: list[tuple[Row, float]], parsed: SearchQuery) -> list[SearchResult]:
    wanted = parsed.wanted_stems
    return [
        SearchResult(
            item_id=row.id,
            title=row.title,
            title_html=highlight(row.title, wanted),
            url=row.url,
            published=row.published_at,
            source=display_name(row.feed_name, row.feed_title, row.feed_url),
            snippet_html=snippet(row.summary or row.short_summary or "", wanted),
            score=round(score, 6),
        )
        for row, score in scored
    ]
