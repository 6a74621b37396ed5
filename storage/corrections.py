"""Corrections: a feed that changes the title of an entry it delivered before (same guid) corrects the story."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from model.items import NormalisedItem
from storage.items import text_columns
from storage.models import Item
from storage.search import index_items

_CHUNK = 300  # (feed, guid) pairs per statement: two bound values each


def _same_title(a: str, b: str) -> bool:
    # Whitespace and case are how feeds differ between polls without anyone correcting anything.
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


async def list_corrected(
    session: AsyncSession, entries: Iterable[tuple[int, NormalisedItem]]
) -> list[tuple[int, int, NormalisedItem]]:
    """(item id, feed id, entry) for each (feed id, entry) whose stored item, under the feed's own guid, has another
    title. A summary that changes alone (view counters, teasers growing) is not a correction."""
    wanted = {(feed_id, entry.guid): entry for feed_id, entry in entries}
    pairs = list(wanted)
    found: list[tuple[int, int, NormalisedItem]] = []
    for start in range(0, len(pairs), _CHUNK):
        chunk = pairs[start : start + _CHUNK]
        rows = await session.execute(
            select(Item.id, Item.feed_id, Item.guid, Item.title).where(tuple_(Item.feed_id, Item.guid).in_(chunk))
        )
        for item_id, feed_id, guid, title in rows.tuples():
            entry = wanted[feed_id, guid]
            if entry.title and not _same_title(title, entry.title):
                found.append((item_id, feed_id, entry))
    return found


async def correct_items(
    session: AsyncSession, corrections: Sequence[tuple[int, NormalisedItem, str | None]], now: datetime
) -> None:
    """Store each (item id, corrected entry, its new short summary or None) and re-index its text. Topics and
    countries stay as first judged: alerts already went out on them, and the correction edits those alerts."""
    for item_id, entry, short_summary in corrections:
        values = {
            **text_columns(entry),
            "updated_at": now,
        }
        if short_summary is not None:
            values["short_summary"] = short_summary
        await session.execute(update(Item).where(Item.id == item_id).values(**values))
    await index_items(session, [item_id for item_id, _, _ in corrections])
