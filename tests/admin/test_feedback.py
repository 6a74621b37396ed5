"""Feedback on alerts through the emulator: two members of a group, each counted once; a press answers and
edits the buttons, never sends into the group; forged presses change nothing; /stats shows the figures."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Feedback
from tests.admin.helpers import buttons, current
from tests.bot.conftest import ADMIN, Harness, subscribers

GROUP = -100800
ALICE, BOB = 700101, 700102


async def _alert(h: Harness):  # noqa: ANN202
    h.emulator.add_user(ADMIN, "Admin")
    h.emulator.add_user(ALICE, "Alice")
    h.emulator.add_user(BOB, "Bob")
    h.emulator.add_chat(GROUP, "supergroup", "Ops room", admins=[ADMIN], members=[ALICE, BOB])
    await subscribers(h.database, [GROUP])
    item = await h.store_item("Mudflow warning for the Almaty region")
    [alert] = await h.emulator.wait_for_messages_async(GROUP, 1)
    return item, alert


async def _feedback(h: Harness) -> set[tuple[int, str, str | None, bool]]:
    async with h.database.read_session() as session:
        return {(f.user_id, f.verdict, f.reason, f.confirmed) for f in await session.scalars(select(Feedback))}


async def test_two_members_of_a_group_give_feedback_counted_once_each(harness: Harness) -> None:
    h = harness
    item, alert = await _alert(h)
    assert set(buttons(alert)) == {f"fb:u:{item.id}", f"fb:n:{item.id}"}
    await h.press(GROUP, alert.message_id, f"fb:u:{item.id}", user_id=ALICE)
    await h.press(GROUP, alert.message_id, f"fb:u:{item.id}", user_id=ALICE, forged=True)  # twice: still one
    assert buttons(current(h.emulator, GROUP, alert.message_id))[f"fb:u:{item.id}"].endswith(" 1")
    query = await h.press(GROUP, alert.message_id, f"fb:n:{item.id}", user_id=BOB)
    assert "Why" in h.emulator.callback_answers(query)[0].text
    reasons = buttons(current(h.emulator, GROUP, alert.message_id))
    assert f"fb:r:{item.id}:wrong_topic" in reasons and f"fb:r:{item.id}:duplicate" in reasons
    await h.press(GROUP, alert.message_id, f"fb:r:{item.id}:wrong_topic", user_id=BOB)
    after = buttons(current(h.emulator, GROUP, alert.message_id))
    assert after[f"fb:u:{item.id}"].endswith(" 1") and after[f"fb:n:{item.id}"].endswith(" 1")
    await h.press(GROUP, alert.message_id, f"fb:r:{item.id}:not_news", user_id=ADMIN, forged=True)
    assert await _feedback(h) == {
        (ALICE, "useful", None, False),
        (BOB, "not_for_me", "wrong_topic", False),
        (ADMIN, "not_for_me", "not_news", True),  # a Coopwatch admin's verdict counts as confirmed
    }
    assert len(h.emulator.sent_messages(GROUP)) == 1  # only the alert: presses never post into the group
    assert all(e.method == "editMessageReplyMarkup" for e in h.emulator.edits(GROUP))
    replies = await h.say(ADMIN, "/stats", expect=2)
    figures = replies[1].text
    assert "Emergency response" in figures and "Example News" in figures
    assert "1 · 1 · 2 · 0/0" in figures  # sent · useful · not for me · review sent/not relevant


async def test_forged_and_stale_feedback_presses_change_nothing(harness: Harness) -> None:
    h = harness
    item, alert = await _alert(h)
    for data, expect in (
        (f"fb:r:{item.id}:because", "expired"),
        ("fb:u:-1", "expired"),
        ("fb:x:1", "expired"),
        ("fb:u:999999", "no longer stored"),
    ):
        query = await h.press(GROUP, alert.message_id, data, user_id=ALICE, forged=True)
        assert expect in h.emulator.callback_answers(query)[0].text, data
    assert await _feedback(h) == set()
    assert h.emulator.edits(GROUP) == []
