"""Refreshing feeds: fetch -> parse -> normalise -> dedupe -> annotate -> store, one feed at a time.

The database's ``next_poll_at`` is the schedule: intervals, ``<ttl>``, max-age, Retry-After and back-off
all land there, so they survive restarts and any worker can pick up any due feed.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import resource
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

import httpx

from analysis import Annotation, Annotator, ItemText
from feeds.article import RobotsCache, fetch_article_text, lead_paragraphs, wants_full_text
from feeds.errors import FeedError, RateLimited, UnexpectedFeedError
from feeds.fetch import fetch_feed
from feeds.models import CacheValidators, Fetched
from feeds.normalise import dedupe_entries, normalise_entries
from feeds.parse import parse_feed
from feeds.schedule import backoff_interval, next_interval
from ingest import metrics
from ingest.group_commit import GroupCommit
from ingest.grouping import StoryCache, story_rule
from ingest.store import PolledFeed, StoredFeed, store_polls
from ingest.story_words import StoryWords, story_words
from model.items import NormalisedItem
from model.polls import PollResult, PollSuccess
from model.settings import FeedSettings
from storage import corrections as correction_store
from storage import feeds as feed_store
from storage import items as item_store
from storage.db import Database
from storage.items import NewItem
from storage.models import Feed, utcnow
from storage.search_text import stemmed_text

log = logging.getLogger(__name__)

# Stores of feeds that finish together share a transaction and its statements (ingest.group_commit): up to
# this many feeds, waiting at most this long for feeds still being fetched or parsed to join.
_STORE_GROUP = 16
_STORE_LINGER = 0.05

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
    story_words: dict[str, StoryWords]  # guid -> hazard kinds and warning, for story grouping
    hub: str | None = None  # WebSub: the hub the feed names, and its rel="self"
    self_url: str | None = None


def parse_and_normalise(
    body: bytes,
    url: str,
    content_type: str | None,
    feed_language: str | None,
    fetched_at: datetime,
    with_story_words: bool = False,
) -> ParsedItems:
    """Pure CPU work, run in the parse pool: feedparser, then plain text, canonical links, fingerprints."""
    parsed = parse_feed(body, url, content_type)
    language = feed_language or parsed.language
    items = dedupe_entries(
        normalise_entries(
            parsed.entries, fetched_at=fetched_at, feed_language=language, channel_published=parsed.published
        )
    )
    # Stemming for the search index and story words are CPU work too: done here, off the process that writes.
    search_texts = {i.guid: (stemmed_text(i.title), stemmed_text(i.summary)) for i in items}
    words = {i.guid: story_words(i.title, i.summary) for i in items} if with_story_words else {}
    return ParsedItems(
        parsed.title,
        parsed.language,
        parsed.ttl,
        parsed.bozo_reason,
        items,
        search_texts,
        words,
        parsed.hub,
        parsed.self_url,
    )


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


@dataclass
class Poller:
    """Polls feeds with one shared HTTP client, bounded overall and per host."""

    database: Database
    client: httpx.AsyncClient
    settings: FeedSettings
    annotator: Annotator | None = None
    on_paused: PausedCallback | None = None
    parse_pool: Executor | None = None  # None parses in a thread
    push_poll_interval: timedelta | None = field(default=None, kw_only=True)  # websub.poll_interval, when on
    on_new_hub: Callable[[], None] | None = field(default=None, kw_only=True)  # a feed named a hub it had not
    worker: str = field(kw_only=True)  # the name its feed claims carry (bot/bootstrap.py worker_id)
    _overall: asyncio.Semaphore = field(init=False)
    _hosts: dict[str, asyncio.Semaphore] = field(init=False, default_factory=dict)
    _writes: GroupCommit[PolledFeed, StoredFeed] = field(init=False)
    _arriving: set[int] = field(init=False, default_factory=set)  # feeds holding a slot, not yet at the store
    _page_hosts: dict[str, asyncio.Semaphore] = field(init=False, default_factory=dict)  # article pages
    _robots: RobotsCache = field(init=False)

    def __post_init__(self) -> None:
        self._overall = asyncio.Semaphore(self.settings.max_concurrency)
        self._robots = RobotsCache(self.client, self.settings.limits)
        store = partial(
            store_polls,
            near_window=self.settings.near_duplicate_window,
            max_distance=self.settings.near_duplicate_distance,
            alert_max_age=self.settings.alert_max_age,
            grouping=story_rule(self.settings),
            story_cache=StoryCache(),
        )
        self._writes = GroupCommit(
            self.database, store, max_group=_STORE_GROUP, linger=_STORE_LINGER, expected=lambda: len(self._arriving)
        )

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
            self._arriving.add(feed.id)
            try:
                return await self._refresh(feed)
            except FeedError as exc:
                error = exc
            except Exception as exc:  # a bug must cost one feed one poll, not the whole pass
                log.exception("unexpected failure while refreshing %s", feed.url)
                error = UnexpectedFeedError(f"{type(exc).__name__}: {exc}")
            finally:
                self._arrived(feed.id)  # before a failure is recorded: a lingering store group need not wait
            return await self._record_failure(feed, error)

    def _arrived(self, feed_id: int) -> None:
        """The feed will not (or no longer) join a store group: a lingering group need not wait for it."""
        if feed_id in self._arriving:
            self._arriving.discard(feed_id)
            self._writes.wake()

    async def _store(self, polled: PolledFeed) -> StoredFeed:
        self._arrived(polled.success.feed_id)
        return await self._writes.run(polled)

    async def _refresh(self, feed: Feed) -> PollResult:
        limits = self.settings.limits
        validators = CacheValidators(etag=feed.etag, last_modified=feed.last_modified)
        response = await fetch_feed(self.client, feed.url, validators, limits)
        fetched_at = utcnow()
        base = self._base_interval(feed, fetched_at)
        if not isinstance(response, Fetched):
            success = PollSuccess(
                feed.id,
                now=fetched_at,
                next_poll_at=fetched_at + self._interval(base, max_age=response.max_age),
                etag=response.validators.etag or feed.etag,
                last_modified=response.validators.last_modified or feed.last_modified,
                new_url=response.permanent_redirect,
            )
            await self._store(PolledFeed(success))
            return PollResult(feed.id, feed.url, "not_modified")

        return await self._ingest(feed, response, fetched_at, base)

    async def ingest_push(self, feed: Feed, body: bytes, content_type: str | None) -> PollResult:
        """A body a WebSub hub pushed for ``feed``: the same parse -> annotate -> store path as a poll, with
        the feed's validators and next poll left as they are. Raises a FeedError leaf (``NotAFeed``...)."""
        pushed = Fetched(
            url=feed.url,
            body=body,
            content_type=content_type,
            validators=CacheValidators(etag=feed.etag, last_modified=feed.last_modified),
        )
        async with self._overall:
            self._arriving.add(feed.id)
            try:
                return await self._ingest(feed, pushed, utcnow(), None)
            finally:
                self._arrived(feed.id)

    async def _ingest(self, feed: Feed, response: Fetched, fetched_at: datetime, base: timedelta | None) -> PollResult:
        """``base`` None: a push, which leaves the schedule and the validators alone."""
        parsed = await self._parse(response, feed.language, fetched_at)
        # The store skips what this feed delivered before; with an annotator, leave it out first, unannotated.
        pending = parsed.items if self.annotator is None else await self._unseen(feed.id, parsed.items)
        pending, search_texts = await self._with_full_text(feed, pending, parsed.search_texts)
        annotations = await self._annotate(pending)
        if base is None:
            next_poll_at = feed.next_poll_at
        else:
            interval = self._interval(base, ttl=parsed.ttl, max_age=response.max_age, retry_after=response.retry_after)
            next_poll_at = fetched_at + interval
        success = PollSuccess(
            feed.id,
            now=fetched_at,
            next_poll_at=next_poll_at,
            etag=response.validators.etag,
            last_modified=response.validators.last_modified,
            title=parsed.title,
            new_url=response.permanent_redirect,
            hub=parsed.hub,
            topic=(parsed.self_url or feed.url) if parsed.hub else None,
        )
        items = [
            NewItem(entry, annotation, search_texts.get(entry.guid))
            for entry, annotation in zip(pending, annotations, strict=True)
        ]
        # An entry an article page changed (a new object) gets its story words from the page's text, later.
        as_parsed = {id(e) for e in parsed.items}
        words = {
            e.guid: parsed.story_words[e.guid] for e in pending if id(e) in as_parsed and e.guid in parsed.story_words
        }
        stored = await self._store(PolledFeed(success, items, first_poll=feed.last_ok_at is None, story_words=words))
        if parsed.hub and parsed.hub != feed.hub_url and self.on_new_hub is not None:
            self.on_new_hub()  # subscribe now, not at the next maintenance run
        if parsed.bozo_reason:
            log.info("feed %s is malformed but yielded entries: %s", feed.url, parsed.bozo_reason)
        return PollResult(
            feed.id,
            feed.url,
            "new",
            new_items=stored.new_items,
            duplicates=stored.duplicates,
            alerts=stored.alerts,
            topics=stored.topics,
        )

    async def _parse(self, response: Fetched, feed_language: str | None, fetched_at: datetime) -> ParsedItems:
        args = (response.body, response.url, response.content_type, feed_language, fetched_at)
        args += (self.settings.story_grouping and self.annotator is not None,)
        if self.parse_pool is None:
            return await asyncio.to_thread(parse_and_normalise, *args)
        return await asyncio.get_running_loop().run_in_executor(self.parse_pool, parse_and_normalise, *args)

    async def _unseen(self, feed_id: int, entries: Sequence[NormalisedItem]) -> list[NormalisedItem]:
        """Entries this feed has not delivered before, and those it delivered with another title (corrections:
        the store edits their alerts)."""
        if not entries:
            return []
        async with self.database.read_session() as session:
            known = await item_store.list_known_guids(session, feed_id, (e.guid for e in entries))
            seen = [(feed_id, e) for e in entries if e.guid in known]
            corrected = {entry.guid for _, _, entry in await correction_store.list_corrected(session, seen)}
        return [e for e in entries if e.guid not in known or e.guid in corrected]

    async def _with_full_text(
        self, feed: Feed, entries: list[NormalisedItem], search_texts: dict[str, tuple[str, str]]
    ) -> tuple[list[NormalisedItem], dict[str, tuple[str, str]]]:
        """Teasers get the lead paragraphs of their article page, newest first, within one fetch timeout;
        a page that fails or is still loading leaves its item as the feed gave it."""
        s = self.settings
        wanted = [e for e in entries if e.url and wants_full_text(feed.full_text, e.summary, s.full_text_min_chars)]
        if not wanted or s.full_text_per_poll == 0:
            return entries, search_texts
        wanted = await self._unseen(feed.id, wanted)  # a page is fetched once, for a new item only
        wanted.sort(key=lambda e: e.published, reverse=True)
        if len(wanted) > s.full_text_per_poll:
            log.info("feed %s: %d teasers, fetching the newest %d pages", feed.url, len(wanted), s.full_text_per_poll)
        tasks = [asyncio.create_task(self._lead_of(e)) for e in wanted[: s.full_text_per_poll]]
        done, late = await asyncio.wait(tasks, timeout=s.limits.total_timeout) if tasks else (set(), set())
        for task in late:
            task.cancel()
        if late:
            log.info(
                "feed %s: %d article pages not loaded in time, their items keep the feed's text", feed.url, len(late)
            )
        leads = dict(task.result() for task in done if task.result() is not None)
        if not leads:
            return entries, search_texts
        texts = dict(search_texts)
        for guid, (_, stemmed) in leads.items():
            texts[guid] = (texts.get(guid, ("", ""))[0], stemmed)
        return [replace(e, summary=leads[e.guid][0]) if e.guid in leads else e for e in entries], texts

    async def _lead_of(self, entry: NormalisedItem) -> tuple[str, tuple[str, str]] | None:
        url = entry.url or ""
        host = urlsplit(url).hostname or ""
        slot = self._page_hosts.setdefault(host, asyncio.Semaphore(self.settings.per_host_concurrency))
        try:
            async with slot:
                text = await fetch_article_text(
                    self.client, url, self.settings.limits, self._robots, max_bytes=self.settings.full_text_max_bytes
                )
        except FeedError as exc:
            log.info("article page %s left out (%s): %s", url, exc.code, exc)
            return None
        except Exception:  # a page that breaks the extractor costs that item its full text, nothing more
            log.exception("article page %s left out: the extractor failed", url)
            return None
        lead = lead_paragraphs(text, entry.title)
        if len(lead) <= len(entry.summary):
            return None
        return entry.guid, (lead, await asyncio.to_thread(stemmed_text, lead))

    async def _annotate(self, entries: Sequence[NormalisedItem]) -> list[Annotation | None]:
        if self.annotator is None or not entries:
            return [None] * len(entries)
        texts = [ItemText(e.title, e.summary, e.language, e.published, dict(e.extras)) for e in entries]
        return list(await asyncio.to_thread(self.annotator.annotate_many, texts))

    def _base_interval(self, feed: Feed, now: datetime) -> timedelta:
        """A feed a hub pushes is polled only as a safety net (``websub.poll_interval``)."""
        base = timedelta(seconds=feed.interval_seconds)
        lease = feed.websub_lease_until
        if self.push_poll_interval and feed.websub_state == "active" and lease is not None and lease > now:
            return max(base, self.push_poll_interval)
        return base

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
