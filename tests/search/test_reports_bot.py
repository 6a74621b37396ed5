# ruff: noqa: F811 - the harness fixtures are imported from tests/bot/conftest.py
"""Spike alerts and weekly summaries through the real Application, its JobQueue jobs, the outbox sender
and the Bot API emulator; the /settings switches that opt a chat in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from delivery.weekly import run_weekly_summaries
from storage import chats as chat_store
from storage.models import OutboxMessage
from tests.bot.conftest import (  # noqa: F401 - fixtures
    Harness,
    bot_tables,
    emulator,
    harness,
    make_emulator,
    store_item,
    subscribers,
)

OPTED_IN = 5301
NOT_OPTED_IN = 5302
WEEKLY = 5303


def _today_at(hour: int) -> datetime:
    # Items are published an hour before they are fetched; keep them inside today's UTC date.
    return datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)


async def _rows(h: Harness, chat_id: int, kind: str) -> int:
    async with h.database.session() as s:
        stmt = select(func.count()).where(OutboxMessage.chat_id == chat_id, OutboxMessage.kind == kind)
        return (await s.execute(stmt)).scalar_one()


async def _outbox_drained(h: Harness) -> None:
    async def pending() -> int:
        async with h.database.session() as s:
            stmt = select(func.count()).where(OutboxMessage.status.in_(("pending", "claimed")))
            return (await s.execute(stmt)).scalar_one()

    for _ in range(500):
        if await pending() == 0:
            return
        h.runtime.wake_sender()
        await h.wait(lambda: True)
    raise TimeoutError("the outbox did not drain")


async def _run_job(h: Harness, name: str) -> None:
    [job] = h.app.job_queue.get_jobs_by_name(name)
    await job.run(h.app)


async def test_spike_alert_once_for_opted_in_chat_only(harness: Harness) -> None:
    h = harness
    for days_ago in range(1, 15):  # a flat baseline: one story a day
        await store_item(h.database, f"Routine drill report {days_ago}", fetched_at=_today_at(2) - timedelta(days_ago))
    for n in range(8):
        await store_item(h.database, f"Mudflow hits Almaty district {n}", fetched_at=_today_at(2))
    # Subscribed after the stories were stored, so no instant alerts are queued for them.
    await subscribers(h.database, [OPTED_IN], spike_alerts=True)
    await subscribers(h.database, [NOT_OPTED_IN])

    await _run_job(h, "spikes")
    [alert] = await h.emulator.wait_for_messages_async(OPTED_IN, 1)
    assert alert.kind == "photo"
    assert h.emulator.file_bytes(alert.file_id).startswith(b"\x89PNG")
    assert "8 stories today" in alert.text and "averaged 1.0 a day" in alert.text
    assert alert.text.count("Mudflow hits Almaty district") == 3  # the top three stories
    assert "Routine drill" not in alert.text
    assert len(alert.text) <= 1024

    await _run_job(h, "spikes")  # the same day: the dedupe key makes it a no-op
    await _outbox_drained(h)
    assert await _rows(h, OPTED_IN, "spike") == 1
    assert len(h.emulator.sent_messages(OPTED_IN)) == 1
    assert await _rows(h, NOT_OPTED_IN, "spike") == 0
    assert h.emulator.sent_messages(NOT_OPTED_IN) == []


async def test_no_spike_alert_on_a_flat_series(harness: Harness) -> None:
    h = harness
    for days_ago in range(0, 15):
        await store_item(h.database, f"Routine drill report {days_ago}", fetched_at=_today_at(2) - timedelta(days_ago))
    await subscribers(h.database, [OPTED_IN], spike_alerts=True)
    await _run_job(h, "spikes")
    await _outbox_drained(h)
    assert await _rows(h, OPTED_IN, "spike") == 0
    assert h.emulator.sent_messages(OPTED_IN) == []


async def test_weekly_summary_once_a_week(harness: Harness) -> None:
    h = harness
    for n in range(3):
        await store_item(h.database, f"Joint exercise of rescuers {n}", fetched_at=_today_at(2))
    await subscribers(h.database, [WEEKLY], weekly_summary=True)
    await subscribers(h.database, [NOT_OPTED_IN])

    await _run_job(h, "weekly")
    photo, text = await h.emulator.wait_for_messages_async(WEEKLY, 2)
    assert photo.kind == "photo" and photo.text == "Your week in one picture"
    assert h.emulator.file_bytes(photo.file_id).startswith(b"\x89PNG")
    assert text.kind == "text" and text.text.startswith("🗓 Your week")
    assert "Joint exercise of rescuers 0" in text.text and "Emergency" in text.text

    await _run_job(h, "weekly")  # hourly checks in the same ISO week queue nothing more
    await _outbox_drained(h)
    assert await _rows(h, WEEKLY, "weekly") == 1
    assert len(h.emulator.sent_messages(WEEKLY)) == 2
    assert h.emulator.sent_messages(NOT_OPTED_IN) == []
    # The next week brings the next summary.
    assert await run_weekly_summaries(h.database, datetime.now(UTC) + timedelta(days=7)) == 1


async def test_settings_switch_spikes_and_weekly(harness: Harness) -> None:
    h = harness
    chat = 5304

    async def current() -> chat_store.ChatSettings:
        async with h.database.session() as s:
            return chat_store.chat_settings(await chat_store.get_chat(s, chat))

    [menu] = await h.say(chat, "/settings")
    assert "Spike alerts: off · Weekly summary: off" in menu.text
    await h.say(chat, "/settings spikes on")
    assert (await current()).spike_alerts is True
    buttons = [b["callback_data"] for row in menu.reply_markup["inline_keyboard"] for b in row]
    assert "set:weekly:on" in buttons
    await h.press(chat, menu.message_id, "set:weekly:on")
    await h.wait(lambda: "Weekly summary: on" in (h.emulator.sent_messages(chat)[0].text or ""))
    assert (await current()).weekly_summary is True
    await h.say(chat, "/settings spikes off")
    settings = await current()
    assert (settings.spike_alerts, settings.weekly_summary) == (False, True)
