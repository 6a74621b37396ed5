"""Issue 14 findings 1-2: a channel press is decided by the pressing user; forged data writes nothing."""

from __future__ import annotations

from storage import chats as chat_store
from storage import subscriptions as sub_store
from tests.bot.conftest import Harness, subscribers

CHANNEL = -100901
CHANNEL_ADMIN = 210001
STRANGER = 210002


async def test_channel_press_by_a_non_admin_changes_nothing(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(STRANGER, "Stranger")
    h.emulator.add_chat(CHANNEL, "channel", "CA Alerts", admins=[CHANNEL_ADMIN], bot_status="administrator")
    await subscribers(h.database, [CHANNEL])
    async with h.database.read_session() as session:
        [sub] = await sub_store.list_subscriptions(session, CHANNEL)
    await h.store_item("Joint rescue drill on the border")
    [post] = await h.emulator.wait_for_messages_async(CHANNEL, 1)
    for data in (f"unsub:{sub.id}", "set:mode:digest"):
        query = await h.press(CHANNEL, post.message_id, data, user_id=STRANGER, forged=True)
        [answer] = h.emulator.callback_answers(query)
        assert answer.show_alert and "administrators" in answer.text
    async with h.database.read_session() as session:
        assert len(await sub_store.list_subscriptions(session, CHANNEL)) == 1
        assert chat_store.chat_settings(await chat_store.get_chat(session, CHANNEL)).mode == "instant"


async def test_forged_topic_is_refused_before_it_is_written(harness: Harness) -> None:
    h = harness
    user = 220001
    h.emulator.add_user(user, "Dana")
    [menu] = await h.say(user, "/subscribe")
    for data in ("sub:t:no_such_topic<b>", "unsub:abc", "e:x:9:??:1", "s:1:-5", "zzz"):
        query = await h.press(user, menu.message_id, data, user_id=user, forged=True)
        [answer] = h.emulator.callback_answers(query)
        assert answer.show_alert and "expired" in answer.text, data
    query = await h.press(user, menu.message_id, "sub:ok", user_id=user, forged=True)
    async with h.database.read_session() as session:
        subs = await sub_store.list_subscriptions(session, user)
    assert all(s.topic != "no_such_topic<b>" for s in subs)
