"""Per-chat settings through the bot: digests at their hour, quiet hours, relevance and keyword filters,
no replay of history on subscribing; and every bad argument explained with an example."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from delivery.digests import send_due_digests
from storage import chats as chat_store
from storage.models import OutboxMessage, utcnow
from testkit.waits import sender_idle
from tests.bot.conftest import Harness, store_item, subscribers

USER = 600001


async def settings_of(h: Harness, chat_id: int) -> chat_store.ChatSettings:
    async with h.database.read_session() as session:
        return chat_store.chat_settings(await chat_store.get_chat(session, chat_id))


async def test_a_digest_arrives_at_its_hour(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(USER, "Aida")
    await h.say(USER, "/subscribe emergency_response")
    [saved] = await h.say(USER, "/settings digest 9")
    assert "daily digest at 09:00" in saved.text
    await h.say(USER, "/settings timezone Asia/Almaty")  # UTC+5
    before = len(h.emulator.sent_messages(USER))
    await h.store_item("Rescue teams train together in Almaty")
    await h.store_item("Relief convoy reaches Khorog")
    await sender_idle(h.runtime.sender)
    assert len(h.emulator.sent_messages(USER)) == before  # held for the digest, not sent one by one

    today = datetime.now(UTC).date()
    at = lambda hour: datetime(today.year, today.month, today.day, hour, 0, tzinfo=UTC)  # noqa: E731
    assert await send_due_digests(h.database, now=at(3)) == 0  # 08:00 in Almaty: not yet
    assert await send_due_digests(h.database, now=at(4)) == 1  # 09:00 in Almaty
    [digest] = (await h.emulator.wait_for_messages_async(USER, before + 1))[before:]
    assert "Your digest" in digest.text
    assert "Rescue teams train together" in digest.text and "Relief convoy" in digest.text
    assert await send_due_digests(h.database, now=at(5)) == 0  # once a day
    await sender_idle(h.runtime.sender)
    assert len(h.emulator.sent_messages(USER)) == before + 1


async def test_digest_command_recaps_recent_alerts(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(USER, "Aida")
    [empty] = await h.say(USER, "/digest")
    assert "Nothing new" in empty.text
    await subscribers(h.database, [USER])
    await h.store_item("Seismic monitoring network expands")
    await h.emulator.wait_for_messages_async(USER, 2)
    [digest] = await h.say(USER, "/digest")
    assert "Digest" in digest.text and "Seismic monitoring" in digest.text


async def test_a_new_subscription_does_not_replay_history(harness: Harness) -> None:
    h = harness
    await store_item(h.database, "Old story from yesterday", fetched_at=utcnow() - timedelta(days=1))
    old = await store_item(h.database, "Older story", fetched_at=utcnow() - timedelta(hours=2))
    await subscribers(h.database, [USER])
    async with h.database.session() as session:  # e.g. a re-run of matching for an old item
        from delivery.matching import enqueue_alerts
        from storage.models import Item

        assert await enqueue_alerts(session, await session.get(Item, old.id)) == 0
    await h.store_item("Fresh story")
    [alert] = await h.emulator.wait_for_messages_async(USER, 1)
    assert "Fresh story" in alert.text


async def test_relevance_keywords_and_quiet_hours_filter_alerts(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(USER, "Ilyas")
    await h.say(USER, "/subscribe emergency_response")
    await h.say(USER, "/settings relevance 0.5")
    await h.say(USER, "/settings include flood, mudflow")
    [saved] = await h.say(USER, "/settings exclude football")
    assert "flood, mudflow" in saved.text and "football" in saved.text
    before = len(h.emulator.sent_messages(USER))
    await h.store_item("Flood relief, weak match", topics={"emergency_response": 0.3})
    await h.store_item("Earthquake response", topics={"emergency_response": 0.9})
    await h.store_item("Flood relief after football match", topics={"emergency_response": 0.9})
    await h.store_item("Mudflow relief convoy", topics={"emergency_response": 0.9})
    msgs = await h.emulator.wait_for_messages_async(USER, before + 1)
    await sender_idle(h.runtime.sender)
    new = h.emulator.sent_messages(USER)[before:]
    assert [m.text.splitlines()[1] for m in new] == ["Mudflow relief convoy"], msgs

    hour = datetime.now(UTC).hour
    await h.say(USER, f"/settings quiet {hour} {(hour + 2) % 24}")
    await h.store_item("Mudflow in the night", topics={"emergency_response": 0.9})
    await sender_idle(h.runtime.sender)
    after = [m.text for m in h.emulator.sent_messages(USER)[before + 1 :]]
    assert len(after) == 1, after  # only the /settings reply
    async with h.database.read_session() as session:
        row = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(1))).one()
    assert row.status == "pending" and row.not_before > utcnow() + timedelta(minutes=50)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/subscribe nonsense", "/subscribe public_health KZ UZ"),
        ("/subscribe public_health XQ", "/subscribe public_health KZ UZ"),
        ("/unsubscribe whatever", "/unsubscribe all"),
        ("/settings digest 25", "/settings digest 8"),
        ("/settings timezone Mars/Olympus", "/settings timezone Asia/Tashkent"),
        ("/settings quiet 22", "/settings quiet 22 7"),
        ("/settings relevance lots", "/settings relevance 0.6"),
        ("/settings spikes maybe", "/settings spikes on"),
        ("/settings colour blue", "/settings digest 8"),
        ("/latest public_health disaster_risk", "/latest disaster_risk KG"),
        ("/latest zz9", "/latest disaster_risk KG"),
        ("/language xx", "/language ru"),
        ("/removefeed", "Coopwatch administrators"),
    ],
)
async def test_bad_arguments_get_a_short_explanation_with_an_example(
    harness: Harness, command: str, expected: str
) -> None:
    h = harness
    h.emulator.add_user(USER, "Nodira")
    [answer] = await h.say(USER, command)
    assert expected in answer.text
    assert "Traceback" not in answer.text


async def test_russian_interface_from_language_code_and_language_command(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(USER, "Айгерим", language_code="ru")
    [welcome] = await h.say(USER, "/start")
    assert "отслеживает новости" in welcome.text
    [menu] = await h.say(USER, "/language")
    await h.press(USER, menu.message_id, "lang:en")
    assert "English" in h.emulator.sent_messages(USER)[-1].text
    [help_text] = await h.say(USER, "/help")
    assert "Commands" in help_text.text
    await h.say(USER, "/language ru")
    [topics] = await h.say(USER, "/topics")
    assert "Темы" in topics.text and "emergency_response" in topics.text
