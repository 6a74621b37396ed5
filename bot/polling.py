"""Refreshing feeds: fetch -> parse -> normalise -> dedupe -> annotate -> store, one feed at a time.

The database's ``next_poll_at`` is the schedule: intervals, ``<ttl>``, max-age, Retry-After and back-off
all land there, so they survive restarts and any worker can pick up any due feed.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import resource
import socket
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from analysis import Annotation, Annotator, ItemText
from bot import metrics
from bot.settings import FeedSettings
from feeds.errors import FeedError, RateLimited, UnexpectedFeedError
from feeds.fetch import fetch_feed
from feeds.models import CacheValidators, Fetched, NormalisedItem
from feeds.normalise import dedupe_entries, normalise_entry
from feeds.parse import parse_feed
from feeds.schedule import backoff_interval, next_interval
from storage import feeds as feed_store
from storage import items as item_store
from storage.db import Database
from storage.group_commit import GroupCommit
from storage.models import Feed, utcnow
from storage.outbox import enqueue_alerts
from storage.search_text import stemmed_text

log = logging.getLogger(__name__)

PollStatus = Literal["new", "not_modified", "error"]
PausedCallback = Callable[[Feed], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ParsedItems:
    """What the parse step hands back: the feed's own metadata and its normalised, deduplicated entries."""

    title: str
    language: str | None
    ttl: timedelta | None
    bozo_reason: str | None
    items: list[NormalisedItem]
    search_texts: dict[str, tuple[str, str]]  # guid -> stemmed title and summary, for the search index


def parse_and_normalise(
    body: bytes, url: str, content_type: str | None, feed_language: str | None, fetched_at: datetime
) -> ParsedItems:
    """Pure CPU work, run in the parse pool: feedparser, then plain text, canonical links, fingerprints."""
    parsed = parse_feed(body, url, content_type)
    language = feed_language or parsed.language
    items = dedupe_entries([normalise_entry(e, fetched_at=fetched_at, feed_language=language) for e in parsed.entries])
    # Stemming for the search index is CPU work too: done here, off the process that writes.
    search_texts = {i.guid: (stemmed_text(i.title), stemmed_text(i.summary)) for i in items}
    return ParsedItems(parsed.title, parsed.language, parsed.ttl, parsed.bozo_reason, items, search_texts)


def make_parse_pool(workers: int) -> Executor | None:
    """Processes for parsing, so a large poll uses another core and never stalls the bot's event loop.

    ``spawn``, not ``fork``: the parent runs threads (aiosqlite, the JobQueue) that fork would copy mid-state.
    """
    if workers <= 0:
        return None
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (run it in the pool to read a worker's)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass(frozen=True, slots=True)
class PollResult:
    feed_id: int
    url: str
    status: PollStatus
    new_items: int = 0
    duplicates: int = 0
    alerts: int = 0
    error_code: str | None = None
    error: str | None = None
    paused: bool = False
    topics: tuple[str, ...] = ()  # one entry per (new item, assigned topic), for the metrics

    def describe(self) -> str:
        if self.status == "error":
            return f"error {self.error_code}: {self.error}" + (" (feed paused)" if self.paused else "")
        if self.status == "not_modified":
            return "304 not modified"
        dup = f", {self.duplicates} already known from other feeds" if self.duplicates else ""
        return f"{self.new_items} new{dup}"


@dataclass
class Poller:
    """Polls feeds with one shared HTTP client, bounded overall and per host."""

    database: Database
    client: httpx.AsyncClient
    settings: FeedSettings
    annotator: Annotator | None = None
    on_paused: PausedCallback | None = None
    parse_pool: Executor | None = None  # None parses in a thread
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    _overall: asyncio.Semaphore = field(init=False)
    _hosts: dict[str, asyncio.Semaphore] = field(init=False, default_factory=dict)
    _writes: GroupCommit = field(init=False)

    def __post_init__(self) -> None:
        self._overall = asyncio.Semaphore(self.settings.max_concurrency)
        self._writes = GroupCommit(self.database)

    def _lease(self) -> timedelta:
        # Long enough for a claimed feed to wait its turn for a slot and then time out in full.
        return timedelta(seconds=self.settings.limits.total_timeout * 4 + 60)

    def _host_slot(self, url: str) -> asyncio.Semaphore:
        host = urlsplit(url).hostname or ""
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.settings.per_host_concurrency)
        return self._hosts[host]

    async def poll_due(
        self,
        *,
        all_feeds: bool = False,
        now: datetime | None = None,
        on_result: Callable[[PollResult], None] | None = None,
    ) -> list[PollResult]:
        """One pass over the due feeds (or every active feed); a failing feed never stops the others.

        Feeds are claimed a few at a time (a lease each) and topped up as polls finish, so several workers
        on one database share them without overlap, no claimed feed waits longer than its lease, and no
        poll waits for the slowest feed of a batch.
        """
        results: list[PollResult] = []

        async def one(feed: Feed) -> None:
            result = await self.refresh_feed(feed)
            results.append(result)
            if on_result is not None:
                on_result(result)

        async def claim(limit: int | None) -> list[Feed]:
            async with self.database.session() as session:
                return await feed_store.claim_due_feeds(
                    session,
                    worker=self.worker,
                    now=now or utcnow(),
                    lease=self._lease(),
                    limit=limit,
                    include_not_due=all_feeds,
                )

        if all_feeds:  # one claim of every active feed: the next poll time does not matter here
            await asyncio.gather(*(one(feed) for feed in await claim(None)))
            return results
        window = self.settings.max_concurrency * 2
        running: set[asyncio.Task[None]] = set()
        exhausted = False
        while True:
            if not exhausted and len(running) <= window // 2:
                feeds = await claim(window - len(running))
                exhausted = not feeds
                running |= {asyncio.create_task(one(feed)) for feed in feeds}
            if not running:
                return results
            done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # refresh_feed reports failures as results; anything raised here is a bug

    async def refresh_feed(self, feed: Feed) -> PollResult:
        result = await self._refresh_guarded(feed)
        metrics.record_poll(result)
        return result

    async def _refresh_guarded(self, feed: Feed) -> PollResult:
        async with self._overall, self._host_slot(feed.url):
            try:
                return await self._refresh(feed)
            except FeedError as exc:
                return await self._record_failure(feed, exc)
            except Exception as exc:  # a bug must cost one feed one poll, not the whole pass
                log.exception("unexpected failure while refreshing %s", feed.url)
                error = UnexpectedFeedError(f"{type(exc).__name__}: {exc}")
                return await self._record_failure(feed, error)

    async def _refresh(self, feed: Feed) -> PollResult:
        limits = self.settings.limits
        validators = CacheValidators(etag=feed.etag, last_modified=feed.last_modified)
        response = await fetch_feed(self.client, feed.url, validators, limits)
        fetched_at = utcnow()
        base = timedelta(seconds=feed.interval_seconds)
        if not isinstance(response, Fetched):

            async def not_modified(session: AsyncSession) -> None:
                row = await feed_store.get_feed(session, feed.id)
                await feed_store.record_poll_success(
                    session,
                    row,
                    now=fetched_at,
                    next_poll_at=fetched_at + self._interval(base, max_age=response.max_age),
                    etag=response.validators.etag or feed.etag,
                    last_modified=response.validators.last_modified or feed.last_modified,
                    new_url=response.permanent_redirect,
                )

            await self._writes.run(not_modified)
            return PollResult(feed.id, feed.url, "not_modified")

        parsed = await self._parse(response, feed.language, fetched_at)
        pending = await self._unseen(feed.id, parsed.items)
        annotations = await self._annotate(pending)
        next_poll = fetched_at + self._interval(
            base, ttl=parsed.ttl, max_age=response.max_age, retry_after=response.retry_after
        )

        async def store(session: AsyncSession) -> tuple[int, int, int, tuple[str, ...]]:
            outcome = await self._store(session, feed.id, pending, annotations, fetched_at, parsed.search_texts)
            row = await feed_store.get_feed(session, feed.id)
            await feed_store.record_poll_success(
                session,
                row,
                now=fetched_at,
                next_poll_at=next_poll,
                etag=response.validators.etag,
                last_modified=response.validators.last_modified,
                title=parsed.title,
                new_url=response.permanent_redirect,
            )
            return outcome

        stored, duplicates, alerts, topics = await self._writes.run(store)
        if parsed.bozo_reason:
            log.info("feed %s is malformed but yielded entries: %s", feed.url, parsed.bozo_reason)
        return PollResult(
            feed.id, feed.url, "new", new_items=stored, duplicates=duplicates, alerts=alerts, topics=topics
        )

    async def _parse(self, response: Fetched, feed_language: str | None, fetched_at: datetime) -> ParsedItems:
        args = (response.body, response.url, response.content_type, feed_language, fetched_at)
        if self.parse_pool is None:
            return await asyncio.to_thread(parse_and_normalise, *args)
        return await asyncio.get_running_loop().run_in_executor(self.parse_pool, parse_and_normalise, *args)

    async def _unseen(self, feed_id: int, entries: Sequence[NormalisedItem]) -> list[NormalisedItem]:
        """Entries this feed has not delivered before, and not yet stored from any other feed."""
        if not entries:
            return []
        async with self.database.read_session() as session:
            known = await item_store.list_known_guids(session, feed_id, (e.guid for e in entries))
        return [e for e in entries if e.guid not in known]

    async def _annotate(self, entries: Sequence[NormalisedItem]) -> list[Annotation | None]:
        if self.annotator is None or not entries:
            return [None] * len(entries)
        texts = [ItemText(e.title, e.summary, e.language, e.published) for e in entries]
        return list(await asyncio.to_thread(self.annotator.annotate_many, texts))

    async def _store(
        self,
        session,
        feed_id: int,
        entries: Sequence[NormalisedItem],
        annotations: Sequence[Annotation | None],
        fetched_at: datetime,
        search_texts: dict[str, tuple[str, str]],
    ) -> tuple[int, int, int, tuple[str, ...]]:
        """Store new stories with their outbox rows; record repeats as extra sources. One transaction.

        ``entries`` are already unseen for this feed (``_unseen``), and the feed's claim keeps other workers
        off it meanwhile; were a lease to run out mid-store, the unique (feed, guid) keys refuse the repeat.
        """
        await item_store.lock_for_dedupe(session)
        fresh = list(zip(entries, annotations, strict=True))
        duplicates_of = await item_store.find_duplicates(
            session,
            [e for e, _ in fresh],
            feed_id=feed_id,
            since=fetched_at - self.settings.near_duplicate_window,
            max_distance=self.settings.near_duplicate_distance,
        )
        new: list[item_store.NewItem] = []
        duplicates = 0
        for entry, annotation in fresh:
            original = duplicates_of.get(entry.guid)
            if original is None:
                new.append(item_store.NewItem(entry, annotation, search_texts.get(entry.guid)))
            else:
                item_store.add_source(session, original, feed_id=feed_id, guid=entry.guid, url=entry.url)
                duplicates += 1
        ids = await item_store.store_items(session, feed_id=feed_id, items=new, fetched_at=fetched_at)
        alerts = 0
        # Only on-topic items can match a subscription; off-topic ones are stored for search alone.
        for item_id, stored in zip(ids, new, strict=True):
            if stored.annotation is not None and stored.annotation.topics:
                alerts += await enqueue_alerts(session, await item_store.get_item(session, item_id))
        await session.flush()
        topics = tuple(t for stored in new if stored.annotation is not None for t in stored.annotation.topics)
        return len(ids), duplicates, alerts, topics

    def _interval(
        self,
        base: timedelta,
        *,
        ttl: timedelta | None = None,
        max_age: timedelta | None = None,
        retry_after: timedelta | None = None,
    ) -> timedelta:
        s = self.settings
        return next_interval(
            base,
            ttl=ttl,
            max_age=max_age,
            retry_after=retry_after,
            min_interval=s.min_interval,
            max_interval=s.max_interval,
            jitter=s.jitter,
        )

    async def _record_failure(self, feed: Feed, exc: FeedError) -> PollResult:
        now = utcnow()
        retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
        delay = backoff_interval(
            timedelta(seconds=feed.interval_seconds),
            feed.error_count + 1,
            retry_after=retry_after,
            jitter=self.settings.jitter,
        )
        async with self.database.session() as session:
            row = await feed_store.get_feed(session, feed.id)
            paused = await feed_store.record_poll_failure(
                session,
                row,
                now=now,
                next_poll_at=now + delay,
                code=exc.code,
                message=str(exc),
                pause_after=self.settings.pause_after,
            )
        log.warning("feed %s failed (%s): %s; next try in %s", feed.url, exc.code, exc, delay)
        if paused:
            log.error("feed %s paused after a failure streak since %s", feed.url, row.first_error_at)
            if self.on_paused is not None:
                await self.on_paused(row)
        return PollResult(feed.id, feed.url, "error", error_code=exc.code, error=str(exc), paused=paused)
