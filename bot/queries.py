"""The command line's data commands: ``feeds``, ``items``, ``search``, ``events`` and ``trends``, their output
as text lines, JSON lines or a PNG file. Each opens the migrated database first (bot/bootstrap.py)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.bootstrap import open_database
from bot.settings import Settings
from bot.text_output import event_text, item_text, result_text
from feeds.errors import FeedError
from feeds.fetch import build_client
from ingest.add_feed import FeedExists, add_feed
from model.durations import human_duration
from model.feed_names import FeedNameError, check_feed_name
from storage import feeds as feed_store
from storage import items as item_store
from storage.db import Database
from storage.events import Event, list_events
from storage.models import Feed, Item
from storage.search import SearchQueryError, SearchResult, search_items


async def feeds_command(settings: Settings, action: str, url: str | None, args: argparse.Namespace) -> int:
    """``feeds list``, ``feeds add URL [--name N]`` (checked, fetched and parsed first), ``feeds remove URL``."""
    if action == "add":
        assert url is not None
        name = None
        if args.name is not None:
            try:
                name = check_feed_name(args.name)
            except FeedNameError as exc:
                print(f"coopwatch: --name: {exc}", file=sys.stderr)
                return 2
        return await _add_feed(settings, url, name)
    async with open_database(settings) as database, database.session() as session:
        if action == "list":
            for feed in await feed_store.list_feeds(session):
                print(feed_line(feed))
            return 0
        assert url is not None
        if not await feed_store.remove_feed(session, url):
            print(f"coopwatch: no feed {url}", file=sys.stderr)
            return 1
        print(f"removed {url}")
        if any(s.url == url for s in settings.feeds.sources):
            print("note: it is listed in the configuration and comes back at the next start", file=sys.stderr)
        return 0


async def _add_feed(settings: Settings, url: str, name: str | None) -> int:
    async with (
        open_database(settings) as database,
        build_client(settings.feeds.limits, max_connections=2) as client,
    ):
        try:
            added = await add_feed(database, client, url, settings.feeds, name=name)
        except FeedExists:
            print(f"coopwatch: {url} is already a feed", file=sys.stderr)
            return 1
        except FeedError as exc:
            print(f"coopwatch: cannot add {url}: {exc.code}: {exc}", file=sys.stderr)
            return 1
    print(f"added feed {added.feed.id}: {added.feed.url} ({added.title}, {added.entries} items now)")
    if added.quiet and settings.feeds.alert_max_age is not None:
        age = human_duration(settings.feeds.alert_max_age)
        print(f"{added.quiet} of them, older than {age} or undated, are stored without alerts (feeds.alert_max_age)")
    return 0


def feed_line(feed: Feed) -> str:
    state = "active" if feed.active else f"paused ({feed.pause_reason})"
    health = f"errors {feed.error_count}, last error {feed.last_error}" if feed.error_count else "ok"
    last_ok = feed.last_ok_at.isoformat(timespec="minutes") if feed.last_ok_at else "never"
    return f"{feed.id}\t{feed.display_name}\t{state}\t{health}\tlast ok {last_ok}\t{feed.url}"


async def items_command(settings: Settings, limit: int, out: TextIO, *, as_json: bool = False) -> int:
    """``items [--json] [--limit N]``: stored items, newest first, as text or JSON lines."""
    async with open_database(settings) as database, database.read_session() as session:
        items = await item_store.list_items(session, limit=limit)
        for i, item in enumerate(items):
            out.write(
                json.dumps(item_json(item), ensure_ascii=False) + "\n" if as_json else "\n" * (i > 0) + item_text(item)
            )
        if not items and not as_json:
            out.write("no stored items yet\n")
    return 0


def item_json(item: Item) -> dict[str, Any]:
    annotation = item.annotation or {}
    return {
        "id": item.id,
        "feed_url": item.feed.url,
        "source": item.feed.display_name,
        "title": item.title,
        "url": item.url,
        "published": item.published_at.isoformat(),
        "summary": item.summary,
        "other_sources": [{"feed_url": s.feed.url, "url": s.url} for s in item_store.other_sources(item)],
        "language": item.language,
        "topics": [t.topic for t in item.topics],
        "scores": annotation.get("scores", {}),
        "countries": [c.country for c in item.countries],
        "orgs": [o.org for o in item.orgs],
        "events": annotation.get("events", []),
        "short_summary": item.short_summary,
        "keywords": item.keywords,
    }


async def search_command(
    settings: Settings, query: str, limit: int, out: TextIO, err: TextIO, *, as_json: bool = False
) -> int:
    async with open_database(settings):
        pass
    return await cli_search(settings.database_url, query, limit, out, err, as_json=as_json)


async def events_command(settings: Settings, upcoming: bool, out: TextIO, *, as_json: bool = False) -> int:
    async with open_database(settings):
        pass
    return await cli_events(settings.database_url, upcoming, out, as_json=as_json)


async def trends_command(settings: Settings, out: Path, **options: Any) -> int:
    async with open_database(settings):
        pass
    return await cli_trends(settings.database_url, str(out), **options)


def result_json(result: SearchResult) -> dict[str, Any]:
    data = asdict(result)
    data["published"] = result.published.isoformat()
    return data


async def cli_search(
    database: str, query: str, limit: int, out: TextIO, err: TextIO | None = None, *, as_json: bool = True
) -> int:
    """``python -m bot search QUERY [--json] [--limit N]``: readable results, or one JSON object per line;
    2 on a bad query."""
    db = Database(database)
    try:
        async with db.session() as session:
            page = await search_items(session, query, limit=limit)
    except SearchQueryError as exc:
        print(f"bad query: {exc}", file=err or sys.stderr)
        return 2
    finally:
        await db.aclose()
    for rank, result in enumerate(page.results, 1):
        out.write(
            json.dumps(result_json(result), ensure_ascii=False) + "\n"
            if as_json
            else "\n" * (rank > 1) + result_text(rank, result)
        )
    if not page.results and not as_json:
        out.write(f"nothing found for {query}\n")
    return 0


def event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "kind": event.kind,
        "start": event.start.isoformat(),
        "end": event.end.isoformat(),
        "location": event.location,
        "countries": list(event.countries),
        "topics": list(event.topics),
        "orgs": list(event.orgs),
        "url": event.url,
        "sources": [{"item_id": s.item_id, "title": s.title, "url": s.url, "source": s.source} for s in event.sources],
    }


async def cli_events(
    database: str, upcoming: bool, out: TextIO, *, today: date | None = None, as_json: bool = True
) -> int:
    """``python -m bot events [--json] [--upcoming]``: every event (or the upcoming ones) as text or JSON lines."""
    today = today or datetime.now(UTC).date()
    db = Database(database)
    try:
        async with db.session() as session:
            page = await list_events(session, today=today, when="upcoming" if upcoming else "all", limit=10_000)
    finally:
        await db.aclose()
    for i, event in enumerate(page.events):
        out.write(
            json.dumps(event_json(event), ensure_ascii=False) + "\n" if as_json else "\n" * (i > 0) + event_text(event)
        )
    if not page.events and not as_json:
        out.write("no upcoming events\n" if upcoming else "no events\n")
    return 0


async def cli_trends(
    database: str,
    out: str,
    *,
    group_by: str = "topic",
    days: int = 30,
    topic: str | None = None,
    country: str | None = None,
    lang: str = "en",
    today: date | None = None,
) -> int:
    """``python -m bot trends --out FILE.png``: writes the chart, prints nothing; 0 on success."""
    # matplotlib takes half a second to load: only `trends` waits for it.
    from presentation.charts import build_trend_chart

    db = Database(database)
    try:
        async with db.session() as session:
            _series, png, _title = await build_trend_chart(
                session,
                group_by=group_by,
                end=today or datetime.now(UTC).date(),
                days=days,
                topic=topic,
                country=country,
                lang=lang,
            )
    finally:
        await db.aclose()
    await asyncio.to_thread(Path(out).write_bytes, png)
    return 0
