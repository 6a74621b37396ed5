"""Retention: delete what is no longer needed (#14 finding 11), then give the space back (SQLite).

Kept whatever its age: outbox rows still owed to a chat (``pending``, and ``held`` for a digest), every item an
outbox row that stays still points at (a chat still references that story), and items announcing an event that
has not ended. Finished rows (sent, digested, failed, dropped) go after ``outbox_before``; items fetched before
``items_before`` go with their sources, topics, events and search text (by cascade).

SQLite does not shrink its file on delete. A database made by this version has ``auto_vacuum=INCREMENTAL``
(storage/db.py) and each prune runs ``PRAGMA incremental_vacuum``; an older file is switched over by one full
``VACUUM`` at its first prune. PostgreSQL's autovacuum reuses the space by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.db import Database
from storage.models import Item, ItemEvent, OutboxMessage

OWED = ("pending", "held")  # statuses of rows a chat is still owed


@dataclass(frozen=True)
class PruneCounts:
    outbox: int
    items: int


@dataclass(frozen=True)
class PruneReport:
    counts: PruneCounts
    dry_run: bool
    size_before: int | None  # bytes of the SQLite file (None on PostgreSQL)
    size_after: int | None


def _finished_outbox(before: datetime):  # noqa: ANN202 - a SQL condition
    return and_(
        OutboxMessage.status.not_in(OWED),
        func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at) < before,
    )


def _old_items(items_before: datetime, outbox_before: datetime, today: str):  # noqa: ANN202 - a SQL condition
    # Written against the rows this prune keeps, so a dry run counts what the real one removes.
    referenced = exists().where(OutboxMessage.item_id == Item.id, ~_finished_outbox(outbox_before))
    upcoming = exists().where(
        ItemEvent.item_id == Item.id,
        or_(func.coalesce(ItemEvent.end_date, ItemEvent.start_date) >= today),
    )
    return and_(Item.fetched_at < items_before, ~referenced, ~upcoming)


async def prune(
    session: AsyncSession, *, now: datetime, outbox_before: datetime, items_before: datetime, dry_run: bool = False
) -> PruneCounts:
    """Delete finished outbox rows older than ``outbox_before`` and items fetched before ``items_before`` that
    nothing kept refers to; ``dry_run`` only counts."""
    today = now.date().isoformat()
    outbox_where = _finished_outbox(outbox_before)
    items_where = _old_items(items_before, outbox_before, today)
    if dry_run:
        n_outbox = await session.scalar(select(func.count()).select_from(OutboxMessage).where(outbox_where))
        n_items = await session.scalar(select(func.count()).select_from(Item).where(items_where))
        return PruneCounts(int(n_outbox or 0), int(n_items or 0))
    outbox_rows = await session.execute(delete(OutboxMessage).where(outbox_where))
    item_rows = await session.execute(delete(Item).where(items_where).execution_options(synchronize_session=False))
    return PruneCounts(outbox_rows.rowcount or 0, item_rows.rowcount or 0)


async def prune_database(
    database: Database, *, now: datetime, outbox_before: datetime, items_before: datetime, dry_run: bool = False
) -> PruneReport:
    """The whole retention pass: ``prune`` in one transaction, then (SQLite, not a dry run) the space back."""
    before = await sqlite_size(database)
    async with database.session() as session:
        counts = await prune(session, now=now, outbox_before=outbox_before, items_before=items_before, dry_run=dry_run)
    if database.is_sqlite and not dry_run:
        await reclaim_space(database)
    return PruneReport(counts, dry_run, before, await sqlite_size(database))


async def sqlite_size(database: Database) -> int | None:
    """Bytes the SQLite database takes (pages x page size), None on PostgreSQL."""
    if not database.is_sqlite:
        return None
    async with database.engine.connect() as conn:
        pages = (await conn.exec_driver_sql("PRAGMA page_count")).scalar_one()
        size = (await conn.exec_driver_sql("PRAGMA page_size")).scalar_one()
    return int(pages) * int(size)


async def reclaim_space(database: Database) -> None:
    """Give free pages back to the file system: incremental vacuum, after a one-time switch of an old file."""
    async with database.engine.connect() as conn:
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        mode = (await auto.exec_driver_sql("PRAGMA auto_vacuum")).scalar_one()
        if int(mode) != 2:  # 0 none, 1 full, 2 incremental; switching needs a VACUUM to take effect
            await auto.exec_driver_sql("PRAGMA auto_vacuum=INCREMENTAL")
            await auto.exec_driver_sql("VACUUM")
        await _incremental_vacuum(auto)
        await auto.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL file shrinks too


async def _incremental_vacuum(conn: AsyncConnection) -> None:
    # SQLite frees one page per step of this pragma and Python's execute() steps it once (one page, even with
    # fetchall); executescript steps every statement to its end.
    raw = await conn.get_raw_connection()
    await raw.driver_connection.executescript("PRAGMA incremental_vacuum;")
