"""Coopwatch admins manage any chat from /chats: the card, its actions with confirmation, the audit log;
a non-admin's presses change nothing (through the real python-telegram-bot and the Bot API emulator)."""

from __future__ import annotations

from sqlalchemy import select

from storage import chats as chat_store
from storage import subscriptions as sub_store
from storage.models import Chat
from tests.admin.helpers import audit_actions, buttons, current, subscriptions_of
from tests.bot.conftest import ADMIN, Harness, subscribers

GROUP = -100600
OTHER = -100700
STRANGER = 700555


async def _card(h: Harness, chat_id: int):  # noqa: ANN202
    [listing] = await h.say(ADMIN, "/chats")
    await h.press(ADMIN, listing.message_id, f"adm:c:{chat_id}")
    return current(h.emulator, ADMIN, listing.message_id)


async def test_an_admin_adds_and_removes_another_chats_subscription_with_audit(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    h.emulator.add_chat(GROUP, "supergroup", "Ops <room>", admins=[ADMIN])
    await subscribers(h.database, [GROUP], topic="public_health")
    async with h.database.session() as session:
        await chat_store.upsert_chat(session, chat_id=GROUP, type="supergroup", title="Ops <room>")
    card = await _card(h, GROUP)
    assert "Public health & epidemics" in card.text  # escaped once, shown as written
    assert "Ops <room>" in card.text and "supergroup" in card.text
    assert "instant" in card.text
    await h.press(ADMIN, card.message_id, f"adm:a:{GROUP}")
    topics = buttons(current(h.emulator, ADMIN, card.message_id))
    index = next(k for k in topics if k.startswith(f"adm:at:{GROUP}:") and not k.endswith(":-"))
    await h.press(ADMIN, card.message_id, index)
    await h.press(ADMIN, card.message_id, f"{index.replace('adm:at:', 'adm:ac:')}:KZ")
    subs = await subscriptions_of(h.database, GROUP)
    assert ("public_health", None) in subs and len(subs) == 2
    [(new_topic, new_country)] = subs - {("public_health", None)}
    assert new_country == "KZ"
    # remove the public_health one: asks first, the cancel keeps it, the confirmation removes it
    card = current(h.emulator, ADMIN, card.message_id)
    remove = next(
        k
        for k, text in buttons(card).items()
        if k.startswith("adm:r:") and "KZ" not in k and "✖" in text and new_topic not in k
    )
    await h.press(ADMIN, card.message_id, remove)
    confirm = buttons(current(h.emulator, ADMIN, card.message_id))
    assert remove.replace("adm:r:", "adm:R:") in confirm and f"adm:c:{GROUP}" in confirm
    await h.press(ADMIN, card.message_id, f"adm:c:{GROUP}")
    assert len(await subscriptions_of(h.database, GROUP)) == 2  # cancelled: nothing removed
    await h.press(ADMIN, card.message_id, remove)
    await h.press(ADMIN, card.message_id, remove.replace("adm:r:", "adm:R:"))
    assert await subscriptions_of(h.database, GROUP) == {(new_topic, "KZ")}
    assert await audit_actions(h.database) == [(f"tg:{ADMIN}", "sub_add", GROUP), (f"tg:{ADMIN}", "sub_remove", GROUP)]
    [log] = await h.say(ADMIN, "/audit")
    assert "sub_add" in log.text and "sub_remove" in log.text and str(GROUP) in log.text


async def test_mode_pause_test_alert_and_removal_from_the_card(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    h.emulator.add_chat(GROUP, "supergroup", "Ops room", admins=[ADMIN])
    await subscribers(h.database, [GROUP])
    card = await _card(h, GROUP)
    await h.press(ADMIN, card.message_id, f"adm:m:{GROUP}")
    assert "daily digest" in current(h.emulator, ADMIN, card.message_id).text
    await h.press(ADMIN, card.message_id, f"adm:m:{GROUP}")
    await h.press(ADMIN, card.message_id, f"adm:p:{GROUP}")
    assert "paused" in current(h.emulator, ADMIN, card.message_id).text
    await h.store_item("Flood rescue teams deployed in Almaty region")
    await h.press(ADMIN, card.message_id, f"adm:t:{GROUP}")
    [test] = await h.emulator.wait_for_messages_async(GROUP, 1)
    assert "test alert" in test.text  # the test went out; the paused chat got no alert for the item
    await h.press(ADMIN, card.message_id, f"adm:p:{GROUP}")
    assert "▶" not in str(buttons(current(h.emulator, ADMIN, card.message_id)).values())
    await h.press(ADMIN, card.message_id, f"adm:x:{GROUP}")
    async with h.database.read_session() as session:
        assert await chat_store.get_chat(session, GROUP) is not None  # asked, not yet removed
    await h.press(ADMIN, card.message_id, f"adm:X:{GROUP}")
    async with h.database.read_session() as session:
        assert await chat_store.get_chat(session, GROUP) is None
    assert len(h.emulator.sent_messages(GROUP)) == 1
    # pressed twice: the chat is gone, a clear answer and nothing else
    query = await h.press(ADMIN, card.message_id, f"adm:X:{GROUP}", forged=True)
    assert "no longer known" in h.emulator.callback_answers(query)[0].text
    actions = [a for _, a, _ in await audit_actions(h.database)]
    assert actions == ["chat_mode", "chat_mode", "chat_pause", "chat_test", "chat_resume", "chat_remove"]


async def test_filters_search_and_pages(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    await subscribers(h.database, [GROUP, 4242, 4343])
    async with h.database.session() as session:
        await chat_store.upsert_chat(session, chat_id=OTHER, type="channel", title="Health Desk", username="healthdesk")
        for n in range(10):
            await chat_store.upsert_chat(session, chat_id=5000 + n, type="private", language="ru")
    [listing] = await h.say(ADMIN, "/chats")
    assert "Chats: 15 " in listing.text and "▶" in str(buttons(listing).values())
    await h.press(ADMIN, listing.message_id, "adm:l:1:all")
    page2 = current(h.emulator, ADMIN, listing.message_id)
    assert "2/2" in page2.text and "adm:l:0:all" in buttons(page2)
    await h.press(ADMIN, listing.message_id, "adm:l:0:nosubs")
    nosubs = current(h.emulator, ADMIN, listing.message_id)
    assert str(OTHER) in nosubs.text and "4242" not in nosubs.text
    await h.press(ADMIN, listing.message_id, "adm:l:0:channel")
    assert f"adm:c:{OTHER}" in buttons(current(h.emulator, ADMIN, listing.message_id))
    await h.press(ADMIN, listing.message_id, "adm:l:0:ru")
    ru = current(h.emulator, ADMIN, listing.message_id)
    assert "Chats: 10 " in ru.text and "5000" in ru.text and str(GROUP) not in ru.text
    [found] = await h.say(ADMIN, "/chats @healthdesk")
    assert set(k for k in buttons(found) if k.startswith("adm:c:")) == {f"adm:c:{OTHER}"}


async def test_a_non_admin_presses_every_admin_button_and_nothing_changes(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    h.emulator.add_user(STRANGER, "Stranger")
    h.emulator.add_chat(GROUP, "supergroup", "Ops room", admins=[ADMIN, STRANGER])
    await subscribers(h.database, [GROUP])
    [refused] = await h.say(STRANGER, "/chats")
    assert "administrators" in refused.text and not buttons(refused)
    [answer] = await h.say(STRANGER, "/audit")
    assert "administrators" in answer.text
    async with h.database.read_session() as session:
        [sub_id] = [s.id for s in await sub_store.list_subscriptions(session, GROUP)]
        before = (await session.get(Chat, GROUP)).settings
    presses = [
        "adm:l:0:all",
        f"adm:c:{GROUP}",
        f"adm:a:{GROUP}",
        f"adm:at:{GROUP}:0",
        f"adm:ac:{GROUP}:0:KZ",
        f"adm:r:{GROUP}:{sub_id}",
        f"adm:R:{GROUP}:{sub_id}",
        f"adm:m:{GROUP}",
        f"adm:p:{GROUP}",
        f"adm:t:{GROUP}",
        f"adm:x:{GROUP}",
        f"adm:X:{GROUP}",
    ]
    for data in presses:  # a group admin, but not a Coopwatch admin: pressing in the group itself
        query = await h.press(GROUP, await _bot_message(h, GROUP), data, user_id=STRANGER, forged=True)
        [ans] = h.emulator.callback_answers(query)
        assert ans.show_alert and "administrators" in ans.text, data
    assert await subscriptions_of(h.database, GROUP) == {("emergency_response", None)}
    assert await audit_actions(h.database) == []
    async with h.database.read_session() as session:
        assert (await session.get(Chat, GROUP)).settings == before
        assert (await session.scalars(select(Chat.id))).all()
    assert h.emulator.edits(GROUP) == []


async def _bot_message(h: Harness, chat_id: int) -> int:
    """Some bot message in the chat to press a forged button on."""
    existing = h.emulator.sent_messages(chat_id)
    if existing:
        return existing[-1].message_id
    [message] = await h.say(chat_id, "/help", user_id=ADMIN)
    return message.message_id


async def test_forged_and_stale_admin_buttons_change_nothing(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    await subscribers(h.database, [GROUP, OTHER])
    async with h.database.read_session() as session:
        [other_sub] = [s.id for s in await sub_store.list_subscriptions(session, OTHER)]
    card = await _card(h, GROUP)
    for data, expect in (
        ("adm:zz:1", "expired"),
        ("adm:c:abc", "expired"),
        ("adm:ac:-100600:99:KZ", "expired"),  # no topic 99
        ("adm:ac:-100600:0:ZZ", "expired"),  # no country ZZ
        ("adm:c:-999", "no longer known"),
        (f"adm:R:{GROUP}:{other_sub}", "Already removed"),  # another chat's subscription
    ):
        query = await h.press(ADMIN, card.message_id, data, forged=True)
        assert expect in h.emulator.callback_answers(query)[0].text, data
    assert await subscriptions_of(h.database, OTHER) == {("emergency_response", None)}
    assert await subscriptions_of(h.database, GROUP) == {("emergency_response", None)}
