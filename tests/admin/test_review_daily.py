"""The daily "items waiting in review" notice (handlers.review.daily_count, job ``review:daily``): the real
job of the real Application, its message through the outbox to the admins via the emulator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from storage.models import OutboxMessage
from tests.admin.helpers import store_review_item
from tests.bot.conftest import ADMIN, Harness


@pytest.fixture
def bot_tables() -> dict[str, Any]:
    return {"review": {"daily_hour": 6, "max_age_hours": 24}}


async def _notices(h: Harness) -> int:
    async with h.database.read_session() as session:
        stmt = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.chat_id == ADMIN)
        return int(await session.scalar(stmt) or 0)


async def test_the_daily_job_tells_the_admins_how_many_items_wait_once_a_day(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    [job] = h.app.job_queue.get_jobs_by_name("review:daily")
    assert job.next_t is not None and job.next_t.hour == 6 and job.next_t.minute == 0  # [review] daily_hour

    await job.run(h.app)  # nothing waits: no notice
    assert await _notices(h) == 0

    await store_review_item(h.database, "Joint drill planned near Almaty", {"emergency_response": 0.4})
    await store_review_item(h.database, "Vaccination week in Osh", {"public_health": 0.38})
    await store_review_item(h.database, "Old story", {"public_health": 0.4}, age=timedelta(hours=30))  # expired
    await job.run(h.app)
    [notice] = await h.emulator.wait_for_messages_async(ADMIN, 1)
    assert "Review queue: 2 item(s) wait" in notice.text and "/review" in notice.text

    await job.run(h.app)  # the same day again: deduplicated, not a second message
    assert await _notices(h) == 1
    assert len(h.emulator.sent_messages(ADMIN)) == 1
