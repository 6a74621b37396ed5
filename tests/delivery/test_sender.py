"""Delivery under Telegram's errors and limits: 403, 429, migration, 5xx, a crash mid fan-out."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import select

from bot.app import build_application, running, stop_background
from emulator import Emulator
from storage import chats as chat_store
from storage import subscriptions as sub_store
from storage.db import Database
from storage.models import OutboxMessage
from testkit.waits import sender_idle
from tests.bot.conftest import Harness, make_settings, store_item, subscribers

USER = 400001
OTHER = 400002


async def outbox_rows(database: Database, chat_id: int | None = None) -> list[OutboxMessage]:
    async with database.read_session() as session:
        stmt = select(OutboxMessage).order_by(OutboxMessage.id)
        if chat_id is not None:
            stmt = stmt.where(OutboxMessage.chat_id == chat_id)
        return list((await session.scalars(stmt)).all())


async def settled_rows(database: Database, chat_id: int, within: float = 10.0) -> list[OutboxMessage]:
    """The chat's rows once none is pending: the message can reach Telegram a moment before its row
    is marked sent."""
    deadline = time.monotonic() + within
    while True:
        rows = await outbox_rows(database, chat_id)
        if all(r.status != "pending" for r in rows):
            return rows
        assert time.monotonic() < deadline, f"rows still pending: {[(r.id, r.status) for r in rows]}"
        await asyncio.sleep(0.02)


async def test_blocked_chat_is_deactivated(harness: Harness) -> None:
    h = harness
    await subscribers(h.database, [USER, OTHER])
    h.emulator.inject_blocked(USER)
    await h.store_item("Joint rescue drill on the Amu Darya")
    await h.emulator.wait_for_messages_async(OTHER, 1)
    await h.wait(lambda: h.runtime.sender.stats.deactivated == 1)
    async with h.database.read_session() as session:
        assert not (await chat_store.get_chat(session, USER)).active
        assert (await chat_store.get_chat(session, OTHER)).active
    [row] = await outbox_rows(h.database, USER)
    assert row.status == "failed" and row.last_error.startswith("forbidden")
    await h.store_item("Second drill")  # an inactive chat is not queued any more
    await h.emulator.wait_for_messages_async(OTHER, 2)
    assert len(await outbox_rows(h.database, USER)) == 1
    assert h.emulator.sent_messages(USER) == []


async def test_429_makes_only_that_chat_wait(harness: Harness) -> None:
    h = harness
    await subscribers(h.database, [USER, OTHER])
    h.emulator.inject_flood(USER, retry_after=2)
    await h.store_item("Flood response in Kyrgyzstan")
    await h.emulator.wait_until_async(lambda: h.emulator.faults.fired, timeout=15)
    flooded_at = time.time()  # within a poll step (10 ms) after the 429 was answered
    [other] = await h.emulator.wait_for_messages_async(OTHER, 1)
    [mine] = await h.emulator.wait_for_messages_async(USER, 1, timeout=15)
    assert "Flood response" in mine.text
    # The flooded chat waited its retry_after; the other chat did not wait for it.
    assert mine.sent_at - flooded_at >= 1.9
    assert other.sent_at < mine.sent_at
    assert h.runtime.sender.stats.flood_waits == 1
    [row] = await settled_rows(h.database, USER)
    assert row.status == "sent"
    assert h.emulator.violations == []


async def test_group_migration_moves_subscriptions_and_resends(harness: Harness) -> None:
    h = harness
    old, new = -4001, -1004001
    h.emulator.add_chat(old, "group", "Old group", admins=[USER])
    await subscribers(h.database, [old])
    h.emulator.migrate_chat(old, new, notify=False)  # sends to the old id now answer migrate_to_chat_id
    await h.store_item("Regional coordination centre opens")
    [alert] = await h.emulator.wait_for_messages_async(new, 1, timeout=15)
    assert "coordination centre" in alert.text
    async with h.database.read_session() as session:
        assert await sub_store.list_subscriptions(session, old) == []
        assert len(await sub_store.list_subscriptions(session, new)) == 1
        assert not (await chat_store.get_chat(session, old)).active


async def test_server_errors_are_retried_with_backoff(harness: Harness) -> None:
    h = harness
    await subscribers(h.database, [USER])
    h.emulator.inject_server_error(USER, status=502, count=1)
    await h.store_item("Medical team deployed to Tajikistan")
    [alert] = await h.emulator.wait_for_messages_async(USER, 1, timeout=15)
    assert "Medical team" in alert.text
    [row] = await settled_rows(h.database, USER)
    assert row.status == "sent" and row.attempts == 2 and row.last_error.startswith("network")


async def test_crash_in_the_middle_of_a_fan_out_then_restart_delivers_each_alert_once(
    emulator: Emulator, sqlite_database: Database
) -> None:
    chats = list(range(500001, 500041))
    await subscribers(sqlite_database, chats)
    settings = make_settings(emulator, sqlite_database, delivery={"global_per_second": 10})
    app = build_application(settings, sqlite_database)
    async with running(app, poll_feeds=False):
        await store_item(sqlite_database, "Earthquake preparedness agreement signed")
        await emulator.wait_for_messages_async(None, 5, timeout=15)
        from handlers.runtime import get_runtime

        await stop_background(get_runtime(app))  # the sender dies with rows claimed and unsent
        sent_before = len(emulator.sent_messages())
    assert 5 <= sent_before < len(chats)
    claimed = [r for r in await outbox_rows(sqlite_database) if r.status == "pending"]
    assert claimed and all(r.claimed_by for r in claimed)

    app = build_application(settings, sqlite_database)  # the restart
    async with running(app, poll_feeds=False):
        await emulator.wait_for_messages_async(None, len(chats), timeout=30)
        await sender_idle(get_runtime(app).sender)
    per_chat = {c: len(emulator.sent_messages(c)) for c in chats}
    assert set(per_chat.values()) == {1}, per_chat
    assert all(r.status == "sent" for r in await outbox_rows(sqlite_database))
    assert emulator.violations == []


async def test_html_in_a_title_arrives_escaped(harness: Harness) -> None:
    h = harness
    await subscribers(h.database, [USER])
    title = '<b>Alert</b> & "Quake" <script>x</script> &amp;'
    await h.store_item(title, summary="Summary with <i>tags</i> & ampersands.", url='https://example.org/a?x=1&y="2"')
    [alert] = await h.emulator.wait_for_messages_async(USER, 1)
    assert title in alert.text  # shown literally, not interpreted
    assert "Summary with <i>tags</i> & ampersands." in alert.text
    assert "&lt;script&gt;" in alert.raw_text
    [link] = [e for e in alert.entities if e["type"] == "text_link"]
    assert link["url"] == 'https://example.org/a?x=1&y="2"'


async def test_command_replies_go_ahead_of_a_fan_out(emulator: Emulator, sqlite_database: Database) -> None:
    chats = list(range(510001, 510061))
    await subscribers(sqlite_database, chats)
    settings = make_settings(emulator, sqlite_database, delivery={"global_per_second": 10})
    app = build_application(settings, sqlite_database)
    async with running(app, poll_feeds=False):
        await store_item(sqlite_database, "Big regional announcement")
        await emulator.wait_for_messages_async(None, 5, timeout=15)
        emulator.add_user(USER, "Impatient")
        emulator.inject_message(USER, "/help")
        [reply] = await emulator.wait_for_messages_async(USER, 1, timeout=15)
        await emulator.wait_for_messages_async(None, len(chats) + 1, timeout=30)
    alerts = [m for c in chats for m in emulator.sent_messages(c)]
    # The reply did not queue behind the remaining ~50 alerts (5 s at 10 msg/s).
    assert reply.sent_at < max(m.sent_at for m in alerts) - 2
    assert emulator.violations == []
