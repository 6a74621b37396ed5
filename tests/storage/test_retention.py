"""Finding 11: the prune deletes old items and finished outbox rows, and keeps what is still needed (unsent
outbox rows and their items, items announcing events not yet over); on real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from datetime import timedelta
from unittest import mock

from sqlalchemy import func, select

from bot.cli import main as cli_main
from bot.jobs import Jobs
from storage import chats as chat_store
from storage.db import Database
from storage.models import Item, ItemEvent, OutboxMessage, utcnow
from storage.retention import PruneCounts, prune, prune_database, sqlite_size
from testkit.workers import write_config
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


async def test_prune_keeps_rows_held_for_a_digest_and_stories_a_kept_row_points_at(database: Database) -> None:
    async with database.session() as session:
        await chat_store.upsert_chat(session, chat_id=CHAT, type="private", language="en")
    old = utcnow() - timedelta(days=400)
    held = await store_item(database, "old, waiting for the chat's digest", fetched_at=old)
    recent_alert = await store_item(database, "old story, alert sent last week", fetched_at=old)
    await outbox_row(database, held, "held", timedelta(days=400))
    await outbox_row(database, recent_alert, "sent", timedelta(days=7))
    now = utcnow()
    kw = {"now": now, "outbox_before": now - timedelta(days=30), "items_before": now - timedelta(days=365)}
    async with database.session() as session:
        dry = await prune(session, dry_run=True, **kw)
    async with database.session() as session:
        done = await prune(session, **kw)
    assert dry == done == PruneCounts(outbox=0, items=0)
    titles, rows = await counts(database)
    assert titles == {"old, waiting for the chat's digest", "old story, alert sent last week"}
    assert rows == 2


async def test_prune_gives_the_space_back_on_sqlite(sqlite_database: Database) -> None:
    async with sqlite_database.session() as session:
        await chat_store.upsert_chat(session, chat_id=CHAT, type="private", language="en")
    old = utcnow() - timedelta(days=400)
    for n in range(150):
        item = await store_item(sqlite_database, f"old story {n}", summary="Flood relief. " * 400, fetched_at=old)
        await outbox_row(sqlite_database, item, "sent", timedelta(days=400))
    full = await sqlite_size(sqlite_database)
    now = utcnow()
    report = await prune_database(
        sqlite_database, now=now, outbox_before=now - timedelta(days=30), items_before=now - timedelta(days=365)
    )
    assert report.counts == PruneCounts(outbox=150, items=150)
    assert report.size_before == full
    assert report.size_after is not None and report.size_after < full / 3  # the file shrank, not just its pages


async def test_an_old_sqlite_file_is_switched_to_incremental_vacuum_at_its_first_prune(tmp_path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # a file made before auto_vacuum was set: mode NONE
        conn.execute("CREATE TABLE early (x)")
    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await database.upgrade()
        assert await auto_vacuum_mode(database) == 0
        now = utcnow()
        await prune_database(database, now=now, outbox_before=now, items_before=now)
        assert await auto_vacuum_mode(database) == 2
    finally:
        await database.aclose()


async def auto_vacuum_mode(database: Database) -> int:
    async with database.engine.connect() as conn:
        return int((await conn.exec_driver_sql("PRAGMA auto_vacuum")).scalar_one())


async def test_db_prune_prints_what_it_removes_and_a_dry_run_removes_nothing(sqlite_url: str, tmp_path, capsys) -> None:
    database = Database(sqlite_url)
    await database.upgrade()
    async with database.session() as session:
        await chat_store.upsert_chat(session, chat_id=CHAT, type="private", language="en")
    item = await store_item(database, "a year and a half old", fetched_at=utcnow() - timedelta(days=550))
    await outbox_row(database, item, "sent", timedelta(days=550))
    await database.aclose()
    config = write_config(tmp_path / "config.toml", sqlite_url)
    environ = {"COOPWATCH_DATABASE_URL": sqlite_url}

    assert await asyncio.to_thread(run_cli, ["--config", str(config), "db", "prune", "--dry-run"], environ) == 0
    out = capsys.readouterr().out
    assert "would remove 1 items older than 365 days" in out and "1 finished outbox rows older than 30" in out
    assert await asyncio.to_thread(run_cli, ["--config", str(config), "db", "prune"], environ) == 0
    out = capsys.readouterr().out
    assert "removed 1 items" in out and "SQLite file:" in out
    database = Database(sqlite_url)
    try:
        assert await counts(database) == (set(), 0)
    finally:
        await database.aclose()


def run_cli(argv: list[str], environ: dict[str, str]) -> int:
    with mock.patch.dict(os.environ, environ):
        return cli_main(argv)
