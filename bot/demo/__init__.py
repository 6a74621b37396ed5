"""The demo: three bundled sample feeds served on 127.0.0.1, so a first run shows alerts without a network.

``python -m bot run --demo`` uses them, and so does console mode when none of the configured feeds answers.
The feeds were written for the project in the styles of an emergency ministry, a health agency and a disaster
alert service; their dates are placeholders filled at serve time, so the stories are always fresh (and pass
``feeds.alert_max_age``). The demo keeps its own database beside the real one and starts it afresh each time.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
from aiohttp import web
from sqlalchemy.engine import make_url

from bot.settings import Settings
from model.settings import FeedSourceConfig
from storage import chats as chat_store
from storage import subscriptions as sub_store
from storage.db import Database

__all__ = [
    "DEMO_FEEDS",
    "demo_feeds",
    "demo_settings",
    "none_reachable",
    "render_feed",
    "reset_demo_database",
    "subscribe_all",
]

log = logging.getLogger(__name__)

FEEDS_DIR = Path(__file__).with_name("feeds")
# file name -> (title, language, topic hints)
DEMO_FEEDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "emergency.xml": ("Emergency Ministry (demo)", "en", ("emergency_response", "disaster_risk")),
    "health.xml": ("Health Agency (demo)", "en", ("public_health",)),
    "alerts.xml": ("Disaster Alerts (demo)", "en", ("disaster_risk",)),
}
PROBE_TIME = timedelta(seconds=5)  # for the whole reachability probe: a newcomer should not wait longer

_PLACEHOLDER = re.compile(r"\{\{(rfc822|iso|day):([+-]\d+)([mhd]?)\}\}")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "": "days"}


def render_feed(name: str, now: datetime | None = None) -> bytes:
    """The bundled feed ``name`` with its ``{{kind:offset}}`` placeholders filled relative to ``now``:
    ``rfc822:-35m`` (an RSS date), ``iso:-4h`` (an Atom date), ``day:+9`` ("15 December 2026", for event
    dates in the text)."""
    now = now or datetime.now(UTC)

    def fill(match: re.Match[str]) -> str:
        kind, amount, unit = match.groups()
        when = now + timedelta(**{_UNITS[unit]: int(amount)})
        if kind == "rfc822":
            return format_datetime(when)
        if kind == "iso":
            return when.isoformat(timespec="seconds")
        return f"{when.day} {when:%B %Y}"

    return _PLACEHOLDER.sub(fill, (FEEDS_DIR / name).read_text(encoding="utf-8")).encode("utf-8")


async def _serve(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in DEMO_FEEDS:
        raise web.HTTPNotFound()
    body = render_feed(name)
    content_type = "application/atom+xml" if b"<feed" in body else "application/rss+xml"
    return web.Response(body=body, content_type=content_type, charset="utf-8")


@asynccontextmanager
async def demo_feeds() -> AsyncIterator[tuple[FeedSourceConfig, ...]]:
    """Serve the bundled feeds on 127.0.0.1 (a free port) in this event loop; yields them as feed sources."""
    app = web.Application()
    app.router.add_get("/{name}", _serve)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        yield tuple(
            FeedSourceConfig(url=f"http://127.0.0.1:{port}/{name}", name=title, language=lang, topics=hints)
            for name, (title, lang, hints) in DEMO_FEEDS.items()
        )
    finally:
        await runner.cleanup()


def demo_database_url(settings: Settings) -> str:
    """A ``-demo.db`` sibling of the SQLite file (``data/coopwatch-demo.db`` for PostgreSQL), so the real
    database is never touched."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        suffix = path.suffix or ".db"
        return f"sqlite+aiosqlite:///{path.with_name(path.stem + '-demo' + suffix)}"
    return "sqlite+aiosqlite:///data/coopwatch-demo.db"


def demo_settings(settings: Settings, sources: Sequence[FeedSourceConfig]) -> Settings:
    """``settings`` pointed at the demo feeds and the demo database; everything else (topics, analysis, bot)
    stays as configured. Loopback addresses are allowed because the demo feeds are the only ones configured
    and the demo database starts empty each time (``reset_demo_database``)."""
    url = demo_database_url(settings)
    limits = replace(settings.feeds.limits, allow_private_addresses=True)
    feeds = replace(settings.feeds, limits=limits, sources=tuple(sources))
    return replace(settings, database_url=url, feeds=feeds)


def reset_demo_database(settings: Settings) -> None:
    """Remove the demo's SQLite file (and its WAL): the feeds' port changes per run, and stories stored by an
    earlier demo would not alert again."""
    path = Path(make_url(settings.database_url).database or "")
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)


async def none_reachable(sources: Sequence[FeedSourceConfig], within: timedelta = PROBE_TIME) -> bool:
    """True when not one of ``sources`` answers with a success ``within`` that time (offline, or every
    host refusing); returns as soon as one answers."""
    if not sources:
        return True

    async def probe(client: httpx.AsyncClient, url: str) -> bool:
        try:
            async with client.stream("GET", url) as response:
                return response.status_code < 400
        except (httpx.HTTPError, OSError):
            return False

    seconds = within.total_seconds()
    async with httpx.AsyncClient(timeout=seconds, follow_redirects=True) as client:
        tasks = [asyncio.create_task(probe(client, s.url)) for s in sources]
        try:
            with suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    for next_done in asyncio.as_completed(tasks):
                        if await next_done:
                            return False
            return True
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def subscribe_all(database: Database, settings: Settings, chat_id: int) -> None:
    """Subscribe the console chat to every configured topic, so the demo's stories arrive as alerts."""
    async with database.session() as session:
        await chat_store.upsert_chat(session, chat_id=chat_id, type="private", language=settings.bot.default_language)
        for topic in settings.topics:
            await sub_store.add_subscription(session, chat_id, topic=topic.id, country=None)
