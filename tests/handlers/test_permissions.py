"""Issue 14 finding 1: one rule decides who may act on a chat, from the update's real sender. Forged presses by
non-admins and by users who are not members change nothing; channel admins are asked of getChatMember, briefly
cached; an anonymous admin writing as the group may manage it, a member writing as their own channel may not."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler

from storage import chats as chat_store
from storage import subscriptions as sub_store
from tests.bot.conftest import Harness, subscribers

CHANNEL = -100_701
GROUP = -100_702
OWNER = 230_001
ADMIN = 230_002
MEMBER = 230_003
STRANGER = 230_004  # not a member of anything


async def _settings_mode(h: Harness, chat_id: int) -> str | None:
    async with h.database.read_session() as session:
        row = await chat_store.get_chat(session, chat_id)
    return chat_store.chat_settings(row).mode if row is not None else None


async def _alert_in(h: Harness, chat_id: int) -> int:
    await h.store_item(f"Flood response exercise reported for chat {chat_id}")
    [post] = await h.emulator.wait_for_messages_async(chat_id, 1)
    return post.message_id


def _refused(h: Harness, query_id: str) -> bool:
    [answer] = h.emulator.callback_answers(query_id)
    return bool(answer.show_alert and "administrators" in answer.text)


async def test_a_stranger_cannot_turn_a_channel_alert_into_a_list(harness: Harness) -> None:
    """Paging edits a post every subscriber sees: in a channel only its administrators may press."""
    h = harness
    h.emulator.add_user(STRANGER, "Stranger")
    h.emulator.add_chat(CHANNEL, "channel", "Alerts", admins=[ADMIN], bot_status="administrator")
    await subscribers(h.database, [CHANNEL])
    post = await _alert_in(h, CHANNEL)
    query = await h.press(CHANNEL, post, "e:u:-:-:0", user_id=STRANGER, forged=True)
    assert _refused(h, query)
    assert h.emulator.edits(CHANNEL) == []


async def test_a_channel_admin_press_is_asked_of_get_chat_member_once_then_cached(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    h.emulator.add_chat(CHANNEL, "channel", "Alerts", admins=[ADMIN], bot_status="administrator")
    await subscribers(h.database, [CHANNEL])
    post = await _alert_in(h, CHANNEL)
    before = h.emulator.calls["getChatMember"]
    await h.press(CHANNEL, post, "set:mode:digest", user_id=ADMIN, forged=True)
    assert await _settings_mode(h, CHANNEL) == "digest"
    await h.press(CHANNEL, post, "set:mode:instant", user_id=ADMIN, forged=True)
    assert await _settings_mode(h, CHANNEL) == "instant"
    assert h.emulator.calls["getChatMember"] - before == 1


async def test_group_presses_are_decided_by_the_presser(harness: Harness) -> None:
    """The alert under the buttons is the bot's own message: only the pressing user's role counts."""
    h = harness
    for user in (ADMIN, MEMBER, STRANGER):
        h.emulator.add_user(user, f"U{user}")
    h.emulator.add_chat(GROUP, "supergroup", "Ops", admins=[ADMIN], members=[MEMBER])
    await subscribers(h.database, [GROUP])
    async with h.database.read_session() as session:
        [sub] = await sub_store.list_subscriptions(session, GROUP)
    post = await _alert_in(h, GROUP)
    for user in (MEMBER, STRANGER):
        for data in (f"unsub:{sub.id}", "set:mode:digest", "lang:ru"):
            assert _refused(h, await h.press(GROUP, post, data, user_id=user, forged=True)), (user, data)
    # Paging is for members; a stranger's press does not edit the group's post.
    assert _refused(h, await h.press(GROUP, post, "e:u:-:-:0", user_id=STRANGER, forged=True))
    assert h.emulator.edits(GROUP) == []
    await h.press(GROUP, post, "e:u:-:-:0", user_id=MEMBER, forged=True)
    await h.wait(lambda: len(h.emulator.edits(GROUP)) == 1)  # the page is edited in after the answer
    async with h.database.read_session() as session:
        assert len(await sub_store.list_subscriptions(session, GROUP)) == 1
        row = await chat_store.get_chat(session, GROUP)
    assert (chat_store.chat_settings(row).mode, row.language) == ("instant", "en")
    await h.press(GROUP, post, "set:mode:digest", user_id=ADMIN, forged=True)
    assert await _settings_mode(h, GROUP) == "digest"


async def test_an_anonymous_admin_manages_the_group_but_a_member_writing_as_a_channel_does_not(
    harness: Harness,
) -> None:
    h = harness
    own_channel = -100_799
    h.emulator.add_chat(GROUP, "supergroup", "Ops", admins=[ADMIN], members=[MEMBER])
    h.emulator.add_chat(own_channel, "channel", "Member's blog", admins=[MEMBER])
    before = len(h.emulator.sent_messages(GROUP))
    h.emulator.inject_message(GROUP, "/subscribe public_health KZ", sender_chat_id=own_channel)
    [refused] = (await h.emulator.wait_for_messages_async(GROUP, before + 1))[before:]
    assert "Only this chat's administrators" in refused.text
    h.emulator.inject_message(GROUP, "/subscribe public_health KZ", sender_chat_id=GROUP)
    [done] = (await h.emulator.wait_for_messages_async(GROUP, before + 2))[before + 1 :]
    assert "Subscribed" in done.text
    async with h.database.read_session() as session:
        subs = await sub_store.list_subscriptions(session, GROUP)
    assert [(s.topic, s.country) for s in subs] == [("public_health", "KZ")]


async def test_a_press_in_someone_elses_private_chat_is_refused(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(OWNER, "Owner")
    h.emulator.add_user(STRANGER, "Stranger")
    [menu] = await h.say(OWNER, "/settings")
    for data in ("set:mode:digest", "lang:ru"):
        assert _refused(h, await h.press(OWNER, menu.message_id, data, user_id=STRANGER, forged=True))
    async with h.database.read_session() as session:
        row = await chat_store.get_chat(session, OWNER)
    assert (chat_store.chat_settings(row).mode, row.language) == ("instant", "en")


async def test_a_refused_press_writes_nothing_not_even_the_chat(harness: Harness) -> None:
    """Refusing reads only: a press in a chat Coopwatch never recorded leaves no row behind."""
    h = harness
    h.emulator.add_user(STRANGER, "Stranger")
    h.emulator.add_chat(GROUP, "supergroup", "Elsewhere", admins=[ADMIN], members=[MEMBER])
    message = h.emulator.inject_message(GROUP, "hello everyone", user_id=MEMBER)["message"]
    query = await h.press(GROUP, message["message_id"], "set:mode:digest", user_id=STRANGER, forged=True)
    assert _refused(h, query)
    async with h.database.read_session() as session:
        assert await chat_store.get_chat(session, GROUP) is None


def test_every_button_handler_goes_through_the_one_rule(harness: Harness) -> None:
    """Each callback handler is a handlers.buttons.button (permission, then the codec), except the last
    one, which only answers "expired" to what nobody took."""
    unguarded = [
        handler.callback.__qualname__
        for handlers in harness.app.handlers.values()
        for handler in handlers
        if isinstance(handler, CallbackQueryHandler) and not hasattr(handler.callback, "button_kind")
    ]
    assert unguarded == ["stale_button"]
