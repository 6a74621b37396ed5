"""The events calendar: item_events grouped into events, each with every item that reported it.

The analysis stage writes one item_events row per event an item mentions. Several outlets announce the
same training or summit, so rows of the same kind, with overlapping dates, a compatible place and shared
countries become one Event with several sources.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Item, ItemEvent
from storage.search import source_name

When = Literal["upcoming", "past", "all"]
PAST_HORIZON_DAYS = 365
_PLACE_NOISE = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class EventSource:
    item_id: int
    title: str
    url: str | None
    source: str
    published: datetime


@dataclass(frozen=True)
class EventRow:
    """One item_events row with what grouping needs from its item."""

    id: int
    kind: str
    start: date
    end: date
    location: str | None
    countries: frozenset[str]
    topics: frozenset[str]
    orgs: frozenset[str]
    source: EventSource


@dataclass(frozen=True)
class Event:
    id: int  # the smallest item_events id of the group: stable while its rows exist
    kind: str
    start: date
    end: date
    location: str | None
    countries: tuple[str, ...]
    topics: tuple[str, ...]
    orgs: tuple[str, ...]
    sources: tuple[EventSource, ...]

    @property
    def url(self) -> str | None:
        return next((s.url for s in self.sources if s.url), None)

    @property
    def title(self) -> str:
        return self.sources[0].title


@dataclass(frozen=True)
class EventPage:
    events: list[Event]
    offset: int
    limit: int
    has_more: bool


def _place(location: str | None) -> str:
    return _PLACE_NOISE.sub(" ", location or "").casefold().replace("ё", "е").strip()


def _same_event(a: EventRow, b: EventRow) -> bool:
    if a.kind != b.kind or a.start > b.end or b.start > a.end:
        return False
    pa, pb = _place(a.location), _place(b.location)
    if pa and pb and pa not in pb and pb not in pa:
        return False
    return not (a.countries and b.countries and not a.countries & b.countries)


def group_events(rows: Sequence[EventRow]) -> list[Event]:
    """Merge rows that describe the same event; the result is sorted by start date, then id."""
    ordered = sorted(rows, key=lambda r: (r.kind, r.start, r.id))
    parent = list(range(len(ordered)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, row in enumerate(ordered):
        # Rows are sorted by start; earlier rows that still run on row.start are the only candidates.
        for j in range(i - 1, -1, -1):
            other = ordered[j]
            if other.kind != row.kind:
                break
            if _same_event(other, row):
                parent[root(i)] = root(j)
    groups: dict[int, list[EventRow]] = {}
    for i, row in enumerate(ordered):
        groups.setdefault(root(i), []).append(row)
    events = [_merge(members) for members in groups.values()]
    events.sort(key=lambda e: (e.start, e.id))
    return events


def _merge(rows: list[EventRow]) -> Event:
    places = Counter(r.location.strip() for r in rows if r.location and r.location.strip())
    sources: dict[int, EventSource] = {}
    for row in sorted(rows, key=lambda r: (r.source.published, r.id)):
        sources.setdefault(row.source.item_id, row.source)
    return Event(
        id=min(r.id for r in rows),
        kind=rows[0].kind,
        start=min(r.start for r in rows),
        end=max(r.end for r in rows),
        location=places.most_common(1)[0][0] if places else None,
        countries=tuple(sorted(set().union(*(r.countries for r in rows)))),
        topics=tuple(sorted(set().union(*(r.topics for r in rows)))),
        orgs=tuple(sorted(set().union(*(r.orgs for r in rows)))),
        sources=tuple(sources.values()),
    )


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None  # the analysis stage wrote something unreadable: leave it off the calendar


async def load_event_rows(session: AsyncSession, *, start: date, end: date) -> list[EventRow]:
    """item_events rows whose dates touch [start, end]; rows without a readable start are skipped."""
    last_day = func.coalesce(ItemEvent.end_date, ItemEvent.start_date)
    stmt = (
        select(ItemEvent, Item)
        .join(Item, Item.id == ItemEvent.item_id)
        .where(
            ItemEvent.start_date.is_not(None),
            ItemEvent.start_date <= end.isoformat(),
            last_day >= start.isoformat(),
        )
    )
    rows: list[EventRow] = []
    for event, item in (await session.execute(stmt)).all():
        first = _parse_date(event.start_date)
        if first is None:
            continue
        last = max(first, _parse_date(event.end_date) or first)
        rows.append(
            EventRow(
                id=event.id,
                kind=event.kind.casefold(),
                start=first,
                end=last,
                location=event.location,
                countries=frozenset(c.country for c in item.countries),
                topics=frozenset(t.topic for t in item.topics),
                orgs=frozenset(o.org.upper() for o in item.orgs),
                source=EventSource(item.id, item.title, item.url, source_name(item), item.published_at),
            )
        )
    return rows


async def list_events(
    session: AsyncSession,
    *,
    today: date,
    when: When = "upcoming",
    topic: str | None = None,
    country: str | None = None,
    org: str | None = None,
    limit: int = 10,
    offset: int = 0,
    horizon_days: int = PAST_HORIZON_DAYS,
) -> EventPage:
    """Upcoming events (still running or starting on/after ``today``, soonest first), or past ones (latest
    first, up to ``horizon_days`` back), optionally by topic, country (ISO2) or organisation."""
    horizon = timedelta(days=horizon_days)
    if when == "upcoming":
        rows = await load_event_rows(session, start=today, end=today + horizon * 3)
    elif when == "past":
        rows = await load_event_rows(session, start=today - horizon, end=today - timedelta(days=1))
    else:
        rows = await load_event_rows(session, start=today - horizon, end=today + horizon * 3)
    events = group_events(rows)
    if when == "upcoming":
        events = [e for e in events if e.end >= today]
    elif when == "past":
        events = [e for e in reversed(events) if e.end < today]
    if topic:
        events = [e for e in events if topic in e.topics]
    if country:
        events = [e for e in events if country.upper() in e.countries]
    if org:
        events = [e for e in events if org.upper() in e.orgs]
    page = events[offset : offset + limit]
    return EventPage(events=page, offset=offset, limit=limit, has_more=len(events) > offset + limit)
