"""Finding 11: the prune deletes old items and finished outbox rows, and keeps what is still needed (unsent
outbox rows and their items, items announcing events not yet over); on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.jobs import Jobs
from storage import chats as chat_store
from storage.db import Database
from storage.models import Item, ItemEvent, OutboxMessage, utcnow
from storage.retention import prune
from tests.bot.conftest import store_item

CHAT = 800091


async def outbox_row(database: Database, item: Item, status: str, age: timedelta) -> None:
    at = utcnow() - age
    async with database.session() as session:
        session.add(
            OutboxMessage(
                chat_id=CHAT,
                item_id=item.id,
                dedupe_key=f"t:{item.id}:{status}",
                status=status,
                created_at=at,
                not_before=at,
                sent_at=at if status == "sent" else None,
            )
        )


async def counts(database: Database) -> tuple[set[str], int]:
    async with database.read_session() as session:
        titles = set((await session.scalars(select(Item.title))).all())
        rows = await session.scalar(select(func.count()).select_from(OutboxMessage))
    return titles, int(rows or 0)


async def test_prune_keeps_what_is_still_needed(database: Database) -> None:
    old = utcnow() - timedelta(days=400)
    async with database.session() as session:
        await chat_store.upsert_chat(session, chat_id=CHAT, type="private", language="en")
    gone = await store_item(database, "old and done", fetched_at=old)
    waiting = await store_item(database, "old but its alert is unsent", fetched_at=old)
    announced = await store_item(database, "old but its event is ahead", fetched_at=old)
    fresh = await store_item(database, "fresh", fetched_at=utcnow())
    async with database.session() as session:
        session.add(ItemEvent(item_id=announced.id, kind="training", start_date="2999-01-01"))
    await outbox_row(database, gone, "sent", timedelta(days=400))
    await outbox_row(database, waiting, "pending", timedelta(days=400))
    await outbox_row(database, fresh, "sent", timedelta(days=40))  # item kept, row past outbox retention
    await outbox_row(database, fresh, "failed", timedelta(days=2))
    now = utcnow()
    kw = {"now": now, "outbox_before": now - timedelta(days=30), "items_before": now - timedelta(days=365)}

    async with database.session() as session:
        dry = await prune(session, dry_run=True, **kw)
    assert (dry.outbox, dry.items) == (2, 1)
    assert (await counts(database))[1] == 4  # the dry run deleted nothing

    async with database.session() as session:
        done = await prune(session, **kw)
    assert (done.outbox, done.items) == (2, 1)
    titles, rows = await counts(database)
    assert titles == {"old but its alert is unsent", "old but its event is ahead", "fresh"}
    assert rows == 2  # the unsent row and the recent failed one

    async with database.session() as session:
        again = await prune(session, **kw)
    assert (again.outbox, again.items) == (0, 0)


async def test_the_daily_job_uses_the_retention_settings(database: Database) -> None:
    async with database.session() as session:
        await chat_store.upsert_chat(session, chat_id=CHAT, type="private", language="en")
    item = await store_item(database, "ten days old", fetched_at=utcnow() - timedelta(days=10))
    await outbox_row(database, item, "sent", timedelta(days=10))
    kept = await Jobs(database, "test").prune()  # defaults: 365 and 30 days
    assert (kept.outbox, kept.items) == (0, 0)
    pruned = await Jobs(database, "test", keep_items=timedelta(days=5), keep_outbox=timedelta(days=5)).prune()
    assert (pruned.outbox, pruned.items) == (1, 1)
