"""The review queue through the emulator: a review-band item reaches nobody until an admin sends it, then
goes to the matching subscribers; change topics, not relevant, skip, age limit, stale and foreign presses."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.models import Item, ItemTopic, OutboxMessage, ReviewDecision
from tests.admin.helpers import audit_actions, buttons, current, store_review_item
from tests.bot.conftest import ADMIN, Harness, subscribers

READER = 4242
HEALTH_READER = 4343
STRANGER = 700555


async def _outbox(h: Harness) -> list[tuple[int, int | None]]:
    async with h.database.read_session() as session:
        return [
            (r.chat_id, r.item_id)
            for r in await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "alert"))
        ]


async def test_a_review_item_waits_then_an_admin_sends_it_to_its_subscribers(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    await subscribers(h.database, [READER], topic="emergency_response")
    await subscribers(h.database, [HEALTH_READER], topic="public_health")
    item = await store_review_item(h.database, "Joint <drill> planned near Almaty", {"emergency_response": 0.42})
    assert await _outbox(h) == []  # the review band alerts nobody by itself
    [screen] = await h.say(ADMIN, "/review")
    assert "Joint <drill> planned near Almaty" in screen.text and "Review Source" in screen.text
    assert "0.42" in screen.text and "joint, drill" in screen.text and "1 waiting" in screen.text
    await h.press(ADMIN, screen.message_id, f"rv:s:{item.id}")
    [alert] = await h.emulator.wait_for_messages_async(READER, 1)
    assert "Joint <drill> planned near Almaty" in alert.text
    assert h.emulator.sent_messages(HEALTH_READER) == []
    assert "Nothing waits" in current(h.emulator, ADMIN, screen.message_id).text
    async with h.database.read_session() as session:
        decision = await session.get(ReviewDecision, item.id)
        assert (decision.decision, decision.topics, decision.actor_id) == ("sent", ["emergency_response"], ADMIN)
    assert (f"tg:{ADMIN}", "review_sent", None) in await audit_actions(h.database)
    # pressed again: a clear answer, nothing sent twice
    query = await h.press(ADMIN, screen.message_id, f"rv:s:{item.id}", forged=True)
    assert "no longer waiting" in h.emulator.callback_answers(query)[0].text
    assert await _outbox(h) == [(READER, item.id)]


async def test_change_topics_then_send_not_relevant_and_skip(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    await subscribers(h.database, [READER], topic="emergency_response")
    await subscribers(h.database, [HEALTH_READER], topic="public_health")
    first = await store_review_item(
        h.database, "Vaccination campaign with rescue services", {"emergency_response": 0.4}
    )
    second = await store_review_item(h.database, "Sports festival in Bishkek", {"public_health": 0.36})
    [screen] = await h.say(ADMIN, "/review")
    assert "Vaccination" in screen.text
    await h.press(ADMIN, screen.message_id, f"rv:k:{first.id}")  # skip: the next one
    assert "Sports festival" in current(h.emulator, ADMIN, screen.message_id).text
    await h.press(ADMIN, screen.message_id, f"rv:n:{second.id}")
    assert "End of the queue" in current(h.emulator, ADMIN, screen.message_id).text
    [screen] = await h.say(ADMIN, "/review")
    assert "Vaccination" in screen.text and "1 waiting" in screen.text
    await h.press(ADMIN, screen.message_id, f"rv:t:{first.id}")
    picker = buttons(current(h.emulator, ADMIN, screen.message_id))
    topic_ids = h.runtime.topic_ids
    health, emergency = topic_ids.index("public_health"), topic_ids.index("emergency_response")
    assert picker[f"rv:g:{first.id}:{emergency}"].startswith("✅")
    await h.press(ADMIN, screen.message_id, f"rv:g:{first.id}:{emergency}")
    await h.press(ADMIN, screen.message_id, f"rv:g:{first.id}:{health}")
    await h.press(ADMIN, screen.message_id, f"rv:o:{first.id}")
    [alert] = await h.emulator.wait_for_messages_async(HEALTH_READER, 1)
    assert "Vaccination" in alert.text
    assert await _outbox(h) == [(HEALTH_READER, first.id)]
    async with h.database.read_session() as session:
        assert (await session.scalars(select(ItemTopic.topic).where(ItemTopic.item_id == first.id))).all() == [
            "public_health"
        ]
        dismissed = await session.get(ReviewDecision, second.id)
        assert dismissed.decision == "not_relevant" and (await session.get(Item, second.id)).band == "drop"


async def test_old_items_leave_the_queue_but_stay_searchable(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    await store_review_item(h.database, "Seminar on chemical safety", {"cbrn": 0.4}, age=timedelta(hours=49))
    [screen] = await h.say(ADMIN, "/review")
    assert "Nothing waits" in screen.text
    [found] = await h.say(ADMIN, "/search chemical safety")
    assert "Seminar on chemical safety" in found.text


async def test_a_non_admin_and_forged_review_buttons_change_nothing(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    h.emulator.add_user(STRANGER, "Stranger")
    await subscribers(h.database, [READER], topic="emergency_response")
    item = await store_review_item(h.database, "Border exercise announced", {"emergency_response": 0.4})
    [refused] = await h.say(STRANGER, "/review")
    assert "administrators" in refused.text and "Border exercise" not in refused.text
    [screen] = await h.say(ADMIN, "/review")
    for data in (f"rv:s:{item.id}", f"rv:n:{item.id}", f"rv:t:{item.id}", f"rv:o:{item.id}", f"rv:k:{item.id}"):
        query = await h.press(STRANGER, refused.message_id, data, forged=True)
        answer = h.emulator.callback_answers(query)[0]
        assert answer.show_alert and "administrators" in answer.text
    for data, expect in (("rv:s:abc", "expired"), ("rv:g:1:99", "expired"), ("rv:s:999999", "no longer waiting")):
        query = await h.press(ADMIN, screen.message_id, data, forged=True)
        assert expect in h.emulator.callback_answers(query)[0].text, data
    assert await _outbox(h) == []
    async with h.database.read_session() as session:
        assert (await session.scalars(select(ReviewDecision))).all() == []
