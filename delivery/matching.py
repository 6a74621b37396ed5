"""Which chats an item goes to: their subscriptions' topic and country filters (storage finds those), then
each chat's own settings (minimum relevance, words to include or exclude, digest or instant, quiet hours).

The item's outbox rows are written in the transaction that stores it (ingest/store.py), one per chat and
forum thread.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from model.chats import ChatSettings
from storage import chats as chat_store
from storage.models import Item, Subscription, utcnow
from storage.outbox import PRIORITY_ALERT, enqueue_message, list_matching_subscriptions
from storage.search_text import stems
from storage.stories import list_sent_alerts


def _item_stems(item: Item) -> tuple[str, ...]:
    parts = [item.title, item.summary, item.short_summary or "", " ".join(item.keywords or [])]
    return tuple(stems(" ".join(parts)))


def _mentions(text: Sequence[str], phrase: str) -> bool:
    """The item's stems hold the phrase's stems in a row: "flood" finds "floods" but not "floodlight",
    "наводнение" finds "наводнения", "early warning" finds "early-warning"."""
    wanted = stems(phrase)
    if not wanted:  # nothing but stop words: only a word of its own can match
        return False
    n = len(wanted)
    return any(list(text[i : i + n]) == wanted for i in range(len(text) - n + 1))


def _relevance(item: Item, topic: str | None) -> float:
    scores = {t.topic: t.score for t in item.topics}
    if topic is None:
        return max(scores.values(), default=0.0)
    return scores.get(topic, 0.0)


def item_passes(settings: ChatSettings, item: Item, subs: list[Subscription]) -> bool:
    """A chat's own filters: minimum relevance on a matching topic, then include and exclude words, matched
    as words in any inflection (the stems of the search index), not as substrings."""
    if max((_relevance(item, s.topic) for s in subs), default=0.0) < settings.min_relevance:
        return False
    if not settings.include and not settings.exclude:
        return True
    text = _item_stems(item)
    if settings.include and not any(_mentions(text, w) for w in settings.include):
        return False
    return not any(_mentions(text, w) for w in settings.exclude)


def alert_key(item_id: int, thread_id: int | None) -> str:
    return f"alert:{item_id}" + (f":{thread_id}" if thread_id is not None else "")


async def enqueue_alerts(session: AsyncSession, item: Item, *, now: datetime | None = None) -> int:
    """Queue one alert per (chat, forum thread) whose subscription and settings fit ``item``.

    Only subscriptions that existed when the item was stored count, so subscribing never replays
    history. Digest chats get ``held`` rows that their digest collects; quiet hours set ``not_before``.
    Returns the rows queued.
    """
    now = now or utcnow()
    stored_at = item.fetched_at or now
    by_target: dict[tuple[int, int | None], list[Subscription]] = {}
    for sub in await list_matching_subscriptions(session, item.id):
        if sub.created_at is not None and sub.created_at > stored_at:
            continue
        by_target.setdefault((sub.chat_id, sub.thread_id), []).append(sub)
    if not by_target:
        return 0
    chat_ids = {chat_id for chat_id, _ in by_target}
    chats = await chat_store.get_chats(session, chat_ids)
    queued = 0
    for (chat_id, thread_id), subs in by_target.items():
        settings = chat_store.chat_settings(chats[chat_id])
        if settings.paused or not item_passes(settings, item, subs):
            continue
        digest = settings.mode == "digest"
        queued += await enqueue_message(
            session,
            chat_id=chat_id,
            kind="digest_item" if digest else "alert",
            dedupe_key=alert_key(item.id, thread_id),
            item_id=item.id,
            thread_id=thread_id,
            priority=PRIORITY_ALERT,
            not_before=None if digest else settings.quiet_until(now),
            status="held" if digest else "pending",
        )
    return queued


def source_change(feed_id: int, guid: str) -> str:
    """The change key of a story gaining the report ``guid`` of feed ``feed_id`` (enqueue_edits)."""
    return f"{feed_id}:{hashlib.blake2b(guid.encode(), digest_size=8).hexdigest()}"


async def enqueue_edits(session: AsyncSession, changes: Sequence[tuple[int, str]]) -> int:
    """Queue an edit of every alert already sent for these stories: a new source to name, or a correction.

    ``changes`` holds (item id, change key): ``source_change`` for a report recorded as a further source,
    "fix:<hash>" for a corrected text. A key edits each alert once however often it is seen. The edit row
    re-renders the whole alert when it is sent (delivery.sender), so no chat gets a second alert for a story it
    has. Returns the rows queued."""
    by_item: dict[int, list[str]] = {}
    for item_id, change in changes:
        by_item.setdefault(item_id, []).append(change)
    queued = 0
    for alert in await list_sent_alerts(session, by_item):
        for change in by_item[alert.item_id]:
            queued += await enqueue_message(
                session,
                chat_id=alert.chat_id,
                kind="edit",
                dedupe_key=f"edit:{alert.id}:{change}",
                item_id=alert.item_id,
                thread_id=alert.thread_id,
                payload={"message_id": alert.message_id},
                priority=PRIORITY_ALERT,
            )
    return queued
