"""Storing polled feeds: new stories with their sources, search text and alerts, repeats as extra sources,
and each feed's poll bookkeeping. The feeds of one group share the transaction and the statements.

Feeds are taken in the order given, as if each were stored alone one after another in that order: a story
two feeds of the group carry is stored by the first and recorded as a source of it for the second
(ingest.dedupe has the rules). A group of any size costs a fixed handful of statements (duplicate look-ups,
one insert per table, one update of the feeds), plus a few per stored item that alerts a chat.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from delivery.matching import enqueue_alerts, enqueue_edits, source_change
from ingest.dedupe import EMPTY_TEXT_HASH, Incoming, Ref, load_index
from ingest.grouping import (
    GroupingRule,
    StoryCache,
    StoryFacts,
    index_keys,
    load_story_index,
    new_story,
    story_facts,
)
from ingest.story_words import StoryWords
from model.items import NormalisedItem, title_key
from model.polls import PollSuccess
from storage import corrections as correction_store
from storage import feeds as feed_store
from storage import items as item_store
from storage import stories as story_store
from storage.items import NewItem, source_language
from storage.locks import lock_for_ingest
from storage.outbox import items_with_subscribers

__all__ = ["PolledFeed", "StoredFeed", "is_alertable", "store_polls"]

CHANNEL_DATE_MAX_AGE = timedelta(hours=48)  # for undated items, when feeds.alert_max_age is 0 (any age)


@dataclass(frozen=True, slots=True)
class PolledFeed:
    """A successful poll: what to record on the feed, and the entries it delivered (none after a 304).

    Entries the feed delivered before (same guid) are skipped; the feed's claim keeps other workers off it
    meanwhile, and were a lease to run out mid-store, the unique (feed, guid) keys refuse the repeat.
    """

    success: PollSuccess
    items: Sequence[NewItem] = ()
    first_poll: bool = False  # the feed's first successful poll: entries without a date of their own stay quiet
    story_words: Mapping[str, StoryWords] = field(default_factory=dict)  # by guid, when the parse pool made them


@dataclass(frozen=True, slots=True)
class StoredFeed:
    new_items: int = 0
    duplicates: int = 0  # entries recorded as another source of a story already stored
    alerts: int = 0
    topics: tuple[str, ...] = ()  # one entry per (new item, assigned topic)


async def store_polls(
    session: AsyncSession,
    polls: Sequence[PolledFeed],
    *,
    near_window: timedelta,
    max_distance: int,
    alert_max_age: timedelta | None = None,
    grouping: GroupingRule | None = None,
    story_cache: StoryCache | None = None,
) -> list[StoredFeed]:
    """Store a group of polls in the caller's transaction; one result per poll, in order.

    With ``grouping``, an entry the exact rules leave new joins a story close in meaning (ingest.grouping);
    alerts already sent for a story that gains a source are edited to name it. ``story_cache`` keeps the stored
    stories read, across calls (the poller holds one).

    Items published more than ``alert_max_age`` before their poll are stored quietly: searchable, in digests
    and trends, never alerted. So a new feed's back catalogue, or a feed republishing its archive, floods no one.
    An undated item filed under its channel's date is judged by that date, even with no ``alert_max_age``.
    """
    arrivals, repeated = await _unseen(session, polls, near_window)
    await _correct(session, repeated, polls)
    placed: list[item_store.Placed] = []
    repeats: list[tuple[Ref, int, NewItem]] = []  # (the story repeated, feed id, entry)
    fresh_of: list[list[NewItem]] = []
    # By id() of the NewItem: its facts, the keys it probes, and the keys its story is filed under.
    facts_of: dict[int, tuple[StoryFacts, list[int], list[int]]] = {}
    if any(arrivals):
        await lock_for_ingest(session)
        index = await load_index(session, [i for feed in arrivals for _, i in feed], max_distance=max_distance)
        if grouping is not None:
            facts_of = _facts(polls, arrivals)
        stories = await load_story_index(
            session,
            [(facts, probe) for facts, probe, _ in facts_of.values()],
            grouping or GroupingRule(),
            story_cache,
        )
        for number, (poll, feed_arrivals) in enumerate(zip(polls, arrivals, strict=True)):
            fresh = []
            by_text: dict[str, Ref] = {}  # this feed's new stories by their text
            for new, incoming in feed_arrivals:
                original = index.match(incoming) or by_text.get(new.entry.content_hash)
                if original is None and id(new) in facts_of:
                    facts, probe, _ = facts_of[id(new)]
                    original = stories.match(incoming.feed_id, facts, probe)
                if original is None:
                    if new.entry.content_hash != EMPTY_TEXT_HASH:
                        by_text[new.entry.content_hash] = (1, len(placed) + len(fresh))
                    fresh.append((new, incoming))
                else:
                    # Another guid with a known text: the same story, its URL kept as another source.
                    repeats.append((original, incoming.feed_id, new))
            for new, incoming in fresh:
                # Joins the index after its whole feed (inside one feed only the exact text repeats above
                # count), for the later feeds of the group.
                if number < len(polls) - 1:
                    index.add_incoming((1, len(placed)), incoming, poll.success.now)
                    if id(new) in facts_of:
                        facts, _, filed = facts_of[id(new)]
                        stories.add((1, len(placed)), incoming.feed_id, facts, filed)
                placed.append((incoming.feed_id, poll.success.now, new))
            fresh_of.append([new for new, _ in fresh])
    else:
        fresh_of = [[] for _ in polls]
    ids = await item_store.insert_items(session, placed)
    seen_at = {poll.success.feed_id: poll.success.now for poll in polls}
    await item_store.add_sources(
        session,
        [
            (
                ref[1] if ref[0] == 0 else ids[ref[1]],
                feed_id,
                new.entry.guid,
                new.entry.url,
                seen_at[feed_id],
                source_language(new),
            )
            for ref, feed_id, new in repeats
        ],
    )
    headlines = [
        (item_id, feed_id, facts_of[id(new)])
        for item_id, (feed_id, _, new) in zip(ids, placed, strict=True)
        if id(new) in facts_of
    ]
    await story_store.add_stories(session, [new_story(i, f, facts, filed) for i, f, (facts, _, filed) in headlines])
    if story_cache is not None:
        for item_id, feed_id, (facts, _, _) in headlines:
            story_cache.put(item_id, feed_id, facts)
    first = {poll.success.feed_id for poll in polls if poll.first_poll}
    alerts = await _enqueue_alerts(session, ids, placed, alert_max_age, first)
    # A stored story's alerts went out already (or wait in the outbox, rendered when sent): edit the sent ones.
    await enqueue_edits(
        session, [(ref[1], source_change(feed_id, new.entry.guid)) for ref, feed_id, new in repeats if ref[0] == 0]
    )
    await feed_store.record_poll_successes(session, [poll.success for poll in polls])
    duplicates = Counter(feed_id for _, feed_id, _ in repeats)
    return [
        StoredFeed(
            len(fresh),
            duplicates[poll.success.feed_id],
            alerts.get(poll.success.feed_id, 0),
            tuple(t for n in fresh if n.annotation is not None for t in n.annotation.topics),
        )
        for poll, fresh in zip(polls, fresh_of, strict=True)
    ]


def _facts(
    polls: Sequence[PolledFeed], arrivals: Sequence[Sequence[tuple[NewItem, Incoming]]]
) -> dict[int, tuple[StoryFacts, list[int], list[int]]]:
    """Story facts and index keys (probed, filed) of the annotated arrivals with an embedding, by id() of their
    NewItem. The vectors are the annotator's own, computed once for the classifier, and the story words the
    parse pool's."""
    found: dict[int, StoryFacts] = {}
    for poll, feed in zip(polls, arrivals, strict=True):
        for new, _ in feed:
            if new.annotation is not None:
                entry = new.entry
                words = poll.story_words.get(entry.guid)
                facts = story_facts(entry.title, entry.summary, new.annotation, entry.published, words)
                if facts is not None:
                    found[id(new)] = facts
    return {key: (facts, *index_keys(facts)) for key, facts in found.items()}


async def _unseen(
    session: AsyncSession, polls: Sequence[PolledFeed], near_window: timedelta
) -> tuple[list[list[tuple[NewItem, Incoming]]], list[tuple[int, NewItem]]]:
    """Per poll, the entries its feed has not delivered before, with what their dedupe needs; and the
    (feed id, entry) pairs it has (a changed title among them is a correction)."""
    known = await item_store.list_known_sources(
        session, ((poll.success.feed_id, new.entry.guid) for poll in polls for new in poll.items)
    )
    unseen, repeated = [], []
    for poll in polls:
        feed_id, since = poll.success.feed_id, poll.success.now - near_window
        fresh = []
        for new in poll.items:
            if (feed_id, new.entry.guid) in known:
                repeated.append((feed_id, new))
            else:
                fresh.append((new, Incoming(feed_id, new.entry, title_key(new.entry.title), since)))
        unseen.append(fresh)
    return unseen, repeated


async def _correct(session: AsyncSession, repeated: Sequence[tuple[int, NewItem]], polls: Sequence[PolledFeed]) -> None:
    """Store the corrections among ``repeated`` and edit the alerts sent for them (marked as updated)."""
    if not repeated:
        return
    by_key = {(feed_id, new.entry.guid): new for feed_id, new in repeated}
    corrected = await correction_store.list_corrected(session, [(f, new.entry) for f, new in repeated])
    if not corrected:
        return
    now = max(poll.success.now for poll in polls)
    rows = []
    for item_id, feed_id, entry in corrected:
        annotation = by_key[feed_id, entry.guid].annotation
        rows.append((item_id, entry, annotation.summary if annotation is not None else None))
    await correction_store.correct_items(session, rows, now)
    await enqueue_edits(session, [(item_id, f"fix:{entry.content_hash[:16]}") for item_id, _, entry in corrected])


def is_alertable(entry: NormalisedItem, polled_at: datetime, max_age: timedelta | None, *, first_poll: bool) -> bool:
    """Recent enough to alert. An old channel date never makes breaking news of the items it dates. On a
    feed's first poll an entry without a date of its own stays quiet, whatever the channel says: its age is
    unknown, and a new feed's back catalogue must not flood its readers. Later, a new undated entry is news."""
    if first_poll and max_age is not None and entry.date_source != "entry":
        return False
    limit = max_age if max_age is not None or entry.date_source != "channel" else CHANNEL_DATE_MAX_AGE
    return limit is None or entry.published >= polled_at - limit


async def _enqueue_alerts(
    session: AsyncSession,
    ids: Sequence[int],
    placed: Sequence[item_store.Placed],
    max_age: timedelta | None,
    first_polls: set[int],
) -> dict[int, int]:
    """Alerts for the new items, counted per feed. Only recent on-topic items can match a subscription;
    off-topic and old ones are stored for search alone."""
    on_topic = {
        item_id: feed_id
        for item_id, (feed_id, polled_at, new) in zip(ids, placed, strict=True)
        if new.annotation is not None
        and new.annotation.topics
        and is_alertable(new.entry, polled_at, max_age, first_poll=feed_id in first_polls)
    }
    # One query tells which items fit anyone; only those are loaded and matched chat by chat.
    fitting = await items_with_subscribers(session, on_topic)
    alerts: dict[int, int] = {}
    for item_id, feed_id in on_topic.items():
        if item_id in fitting:
            item = await item_store.get_item(session, item_id)
            alerts[feed_id] = alerts.get(feed_id, 0) + await enqueue_alerts(session, item)
    return alerts
