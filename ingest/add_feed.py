"""Adding a feed: the one use case behind /addfeed, ``python -m bot feeds add`` and an OPML import.

The URL is checked (http or https, and a public address unless ``feeds.allow_private_addresses``), fetched
once, parsed, and only then stored, with the feed's own title and language. A URL that fails any step is
not stored, and the caller gets the typed error with its permanent code (feeds/errors.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from feeds.errors import DnsFailure, FeedError
from feeds.fetch import fetch_feed
from feeds.models import CacheValidators, Fetched, ParsedFeed
from feeds.normalise import dedupe_entries, normalise_entries
from feeds.parse import parse_feed
from feeds.safety import check_url_allowed
from ingest.store import is_alertable
from model.settings import FeedSettings
from storage import feeds as feed_store
from storage.db import Database
from storage.feeds import FeedExists
from storage.models import Feed, utcnow

__all__ = ["AddedFeed", "FeedExists", "ImportResult", "add_feed", "add_feeds", "check_feed_url"]

IMPORT_CONCURRENCY = 4  # an OPML file's feeds are fetched a few at a time


@dataclass(frozen=True)
class AddedFeed:
    feed: Feed
    title: str  # the feed's display name (model.feed_names): its set name, else its own title, else its host
    entries: int  # entries it carries now
    quiet: int = 0  # of those, older than feeds.alert_max_age or undated: the first poll stores them unalerted


@dataclass(frozen=True)
class ImportResult:
    added: list[AddedFeed]
    skipped: list[str]  # URLs already stored
    failed: list[tuple[str, FeedError]]


async def check_feed_url(url: str, settings: FeedSettings, *, offline_ok: bool = False) -> None:
    """The address check every add path shares (/addfeed, ``feeds add``, OPML import, ``[[feeds.sources]]``):
    http or https, and only public addresses unless ``feeds.allow_private_addresses``. Raises the typed
    FeedError (InvalidURL, PrivateAddressRefused, DnsFailure). With ``offline_ok`` a name that does not resolve
    passes (config sources at start-up: the poller reports it), while a private address never does."""
    try:
        await check_url_allowed(url, allow_private=settings.limits.allow_private_addresses)
    except DnsFailure:
        if not offline_ok:
            raise


async def add_feed(
    database: Database,
    client: httpx.AsyncClient,
    url: str,
    settings: FeedSettings,
    *,
    title: str | None = None,
    name: str | None = None,
    full_text: str | None = None,
) -> AddedFeed:
    """Check, fetch, parse and store one feed. Raises FeedExists when the URL is stored already, FeedError when
    it is refused or cannot be fetched or parsed. ``name`` is a display name already checked
    (model.feed_names.check_feed_name); ``title`` stands in for the feed's own title (an OPML outline's)."""
    async with database.read_session() as session:
        if await feed_store.get_feed_by_url(session, url) is not None:
            raise FeedExists(url)
    limits = settings.limits
    await check_feed_url(url, settings)
    response = await fetch_feed(client, url, CacheValidators(), limits)
    if not isinstance(response, Fetched):
        raise FeedError("the server answered 304 Not Modified to a first request")
    parsed = await asyncio.to_thread(parse_feed, response.body, response.url, response.content_type)
    quiet = _count_quiet(parsed, settings)
    async with database.session() as session:
        feed = await feed_store.add_feed(
            session,
            url,
            title=parsed.title or title or None,
            name=name,
            language=parsed.language,
            interval=settings.default_interval,
        )
        if full_text is not None:  # "auto", "always" or "never" (model.settings.FULL_TEXT_MODES)
            await feed_store.set_full_text_modes(session, {url: full_text})
            feed.full_text = full_text
    return AddedFeed(feed, feed.display_name, len(parsed.entries), quiet)


def _count_quiet(parsed: ParsedFeed, settings: FeedSettings) -> int:
    """How many entries the first poll will store without alerting: dated as the poller dates them (same
    normalising and rule, ingest.store.is_alertable), older than ``feeds.alert_max_age`` or undated."""
    now = utcnow()
    items = dedupe_entries(
        normalise_entries(
            parsed.entries, fetched_at=now, feed_language=parsed.language, channel_published=parsed.published
        )
    )
    return sum(1 for item in items if not is_alertable(item, now, settings.alert_max_age, first_poll=True))


async def add_feeds(
    database: Database, client: httpx.AsyncClient, feeds: Sequence[tuple[str, str | None]], settings: FeedSettings
) -> ImportResult:
    """``add_feed`` for each (url, title), a few at a time; one failing feed never stops the others."""
    limit = asyncio.Semaphore(IMPORT_CONCURRENCY)
    result = ImportResult([], [], [])

    async def one(url: str, title: str | None) -> None:
        async with limit:
            try:
                result.added.append(await add_feed(database, client, url, settings, title=title))
            except FeedExists:
                result.skipped.append(url)
            except FeedError as exc:
                result.failed.append((url, exc))

    await asyncio.gather(*(one(url, title) for url, title in feeds))
    return result
