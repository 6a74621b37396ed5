"""Retention: delete what is no longer needed (#14 finding 11). Kept whatever its age: outbox rows not yet sent
(pending), items that such a row still points at, and items announcing an event that has not ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Item, ItemEvent, OutboxMessage


@dataclass(frozen=True)
class PruneCounts:
    outbox: int
    items: int


def _finished_outbox(before: datetime):  # noqa: ANN202 - a SQL condition
    return and_(
        OutboxMessage.status != "pending",
        func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at) < before,
    )


def _old_items(before: datetime, today: str):  # noqa: ANN202 - a SQL condition
    pending = exists().where(OutboxMessage.item_id == Item.id, OutboxMessage.status == "pending")
    upcoming = exists().where(
        ItemEvent.item_id == Item.id,
        or_(func.coalesce(ItemEvent.end_date, ItemEvent.start_date) >= today),
    )
    return and_(Item.fetched_at < before, ~pending, ~upcoming)


async def prune(
    session: AsyncSession, *, now: datetime, outbox_before: datetime, items_before: datetime, dry_run: bool = False
) -> PruneCounts:
    """Delete finished outbox rows older than ``outbox_before`` and items fetched before ``items_before`` (their
    sources, topics, events and search text go with them by cascade); ``dry_run`` only counts."""
    today = now.date().isoformat()
    outbox_where = _finished_outbox(outbox_before)
    items_where = _old_items(items_before, today)
    if dry_run:
        n_outbox = await session.scalar(select(func.count()).select_from(OutboxMessage).where(outbox_where))
        n_items = await session.scalar(select(func.count()).select_from(Item).where(items_where))
        return PruneCounts(int(n_outbox or 0), int(n_items or 0))
    outbox_rows = await session.execute(delete(OutboxMessage).where(outbox_where))
    item_rows = await session.execute(delete(Item).where(items_where).execution_options(synchronize_session=False))
    return PruneCounts(outbox_rows.rowcount or 0, item_rows.rowcount or 0)
