"""End to end: subscribe with buttons, a matching item arrives once; a non-matching one sends nothing."""

from __future__ import annotations

from testkit.waits import sender_idle
from tests.bot.conftest import Harness

USER = 100001


async def subscribe_with_buttons(h: Harness, chat_id: int, topic: str, country: str) -> str:
    [menu] = await h.say(chat_id, "/subscribe")
    assert "topic" in menu.text.lower()
    await h.press(chat_id, menu.message_id, f"sub:t:{topic}")
    await h.press(chat_id, menu.message_id, f"sub:c:{country}")
    await h.press(chat_id, menu.message_id, "sub:ok")
    return h.emulator.sent_messages(chat_id)[-1].text


async def test_new_user_subscribes_with_buttons_and_gets_the_next_matching_alert(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(USER, "Aigul", language_code="en")
    [welcome] = await h.say(USER, "/start")
    assert "/subscribe" in welcome.text
    done = await subscribe_with_buttons(h, USER, "public_health", "KZ")
    assert "Subscribed" in done and "Kazakhstan" in done

    before = len(h.emulator.sent_messages(USER))
    await h.store_item(
        "WHO and Kazakhstan expand vaccine cooperation", topics={"public_health": 0.8}, countries=("KZ",)
    )
    [alert] = (await h.emulator.wait_for_messages_async(USER, before + 1))[before:]
    assert "WHO and Kazakhstan expand vaccine cooperation" in alert.text
    assert "#public_health" in alert.text
    assert "Kazakhstan" in alert.text
    assert any(e["type"] == "text_link" for e in alert.entities)
    await sender_idle(h.runtime.sender)  # nothing else follows: the alert came once
    assert len(h.emulator.sent_messages(USER)) == before + 1


async def test_non_matching_items_send_nothing(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(USER, "Timur", language_code="en")
    [reply] = await h.say(USER, "/subscribe public_health KZ")
    assert "Subscribed" in reply.text
    before = len(h.emulator.sent_messages(USER))
    await h.store_item("Floods in Kyrgyzstan", topics={"disaster_risk": 0.9}, countries=("KG",))
    await h.store_item("Kazakhstan earthquake drill", topics={"disaster_risk": 0.9}, countries=("KZ",))
    await h.store_item("Vaccines for Uzbekistan", topics={"public_health": 0.9}, countries=("UZ",))
    await h.store_item("Trade fair", topics={}, countries=("KZ",))  # off-topic
    await sender_idle(h.runtime.sender)
    assert len(h.emulator.sent_messages(USER)) == before
    await h.store_item("Kazakhstan hospital support", topics={"public_health": 0.9}, countries=("KZ",))
    msgs = await h.emulator.wait_for_messages_async(USER, before + 1)
    assert "Kazakhstan hospital support" in msgs[-1].text
