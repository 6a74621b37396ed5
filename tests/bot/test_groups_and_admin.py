"""Groups, channels, forum topics, membership updates, and admin-only commands."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from storage import chats as chat_store
from storage import feeds as feed_store
from storage import subscriptions as sub_store
from storage.models import Subscription
from tests.bot.conftest import ADMIN, Harness

GROUP = -100500
GROUP_ADMIN = 200001
MEMBER = 200002


async def subs_of(h: Harness, chat_id: int) -> list[Subscription]:
    async with h.database.read_session() as session:
        return await sub_store.list_subscriptions(session, chat_id)


async def test_group_member_who_is_not_admin_cannot_change_subscriptions(harness: Harness) -> None:
    h = harness
    h.emulator.add_chat(GROUP, "supergroup", "Ops room", admins=[GROUP_ADMIN], members=[MEMBER])
    [refused] = await h.say(GROUP, "/subscribe public_health KZ", user_id=MEMBER)
    assert "Only this chat's administrators" in refused.text
    assert await subs_of(h, GROUP) == []

    [menu] = await h.say(GROUP, "/subscribe", user_id=GROUP_ADMIN)
    query = await h.press(GROUP, menu.message_id, "sub:t:public_health", user_id=MEMBER)
    [answer] = h.emulator.callback_answers(query)
    assert answer.show_alert and "administrators" in answer.text
    assert "Choose a topic" in h.emulator.sent_messages(GROUP)[-1].text  # the menu did not move on

    [done] = await h.say(GROUP, "/subscribe public_health KZ", user_id=GROUP_ADMIN)
    assert "Subscribed" in done.text
    assert [(s.topic, s.country) for s in await subs_of(h, GROUP)] == [("public_health", "KZ")]
    [refused] = await h.say(GROUP, "/unsubscribe all", user_id=MEMBER)
    assert "Only this chat's administrators" in refused.text
    assert len(await subs_of(h, GROUP)) == 1


async def test_forum_topic_subscription_delivers_into_that_topic(harness: Harness) -> None:
    h = harness
    h.emulator.add_chat(GROUP, "supergroup", "Forum", admins=[GROUP_ADMIN], is_forum=True)
    await h.say(GROUP, "/subscribe disaster_risk", user_id=GROUP_ADMIN, thread=77)
    [sub] = await subs_of(h, GROUP)
    assert sub.thread_id == 77
    before = len(h.emulator.sent_messages(GROUP))
    await h.store_item("Mudflow warning in Tajikistan", topics={"disaster_risk": 0.9}, countries=("TJ",))
    alert = (await h.emulator.wait_for_messages_async(GROUP, before + 1))[-1]
    assert alert.message_thread_id == 77 and "Mudflow" in alert.text


async def test_channel_is_managed_from_a_private_chat_by_an_admin_of_both(harness: Harness) -> None:
    h = harness
    channel = -100777
    h.emulator.add_user(GROUP_ADMIN, "Dana")
    h.emulator.add_user(MEMBER, "Erlan")
    h.emulator.add_chat(
        channel, "channel", "CA Alerts", username="ca_alerts", admins=[GROUP_ADMIN], bot_status="administrator"
    )
    [refused] = await h.say(MEMBER, "/subscribe @ca_alerts public_health KZ")
    assert "Only an administrator of @ca_alerts" in refused.text
    [done] = await h.say(GROUP_ADMIN, "/subscribe @ca_alerts public_health KZ")
    assert "@ca_alerts is subscribed" in done.text
    assert [(s.topic, s.country) for s in await subs_of(h, channel)] == [("public_health", "KZ")]
    await h.store_item("Kazakhstan opens a biosafety lab", topics={"public_health": 0.9}, countries=("KZ",))
    alert = (await h.emulator.wait_for_messages_async(channel, 1))[-1]
    assert "biosafety lab" in alert.text


async def test_my_chat_member_updates_keep_chats_in_step(harness: Harness) -> None:
    h = harness
    h.emulator.add_chat(GROUP, "group", "Field team", admins=[GROUP_ADMIN], bot_status="left")
    h.emulator.inject_my_chat_member(GROUP, "member", user_id=GROUP_ADMIN)
    await h.consumed()
    async with h.database.read_session() as session:
        chat = await chat_store.get_chat(session, GROUP)
    assert chat is not None and chat.active and chat.type == "group"
    h.emulator.inject_my_chat_member(GROUP, "kicked", user_id=GROUP_ADMIN)
    await h.consumed()
    async with h.database.read_session() as session:
        chat = await chat_store.get_chat(session, GROUP)
    assert chat is not None and not chat.active


@pytest.fixture
def bot_tables() -> dict[str, Any]:
    return {"feeds": {"allow_private_addresses": True}}


async def test_non_admin_addfeed_is_refused_and_admin_addfeed_works(harness: Harness, feed_server) -> None:
    h = harness
    user = 300001
    h.emulator.add_user(user, "Someone")
    h.emulator.add_user(ADMIN, "Admin")
    url = feed_server.url("/data/rss2.xml")
    [refused] = await h.say(user, f"/addfeed {url}")
    assert "for Coopwatch administrators" in refused.text
    async with h.database.read_session() as session:
        assert await feed_store.get_feed_by_url(session, url) is None

    [added] = await h.say(ADMIN, f"/addfeed {url}")
    assert "Added feed" in added.text
    async with h.database.read_session() as session:
        assert await feed_store.get_feed_by_url(session, url) is not None
    [failed] = await h.say(ADMIN, f"/addfeed {feed_server.url('/status/404')}")
    assert "Could not add" in failed.text
    [usage] = await h.say(ADMIN, "/addfeed not-a-url")
    assert "/addfeed https://" in usage.text
    [listing] = await h.say(ADMIN, "/feeds")
    assert "Feeds" in listing.text and "error streak" in listing.text
    [stats] = await h.say(ADMIN, "/stats")
    assert "Chats:" in stats.text
    [refused] = await h.say(user, "/stats")
    assert "for Coopwatch administrators" in refused.text


async def test_opml_export_and_import(harness: Harness, feed_server) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    a, c, gone = feed_server.url("/data/rss2.xml"), feed_server.url("/data/atom.xml"), feed_server.url("/status/404")
    opml = (
        b'<?xml version="1.0"?><opml version="2.0"><head/><body>'
        b'<outline text="A" xmlUrl="%s"/>'
        b'<outline text="B"><outline text="C" xmlUrl="%s"/></outline>'
        b'<outline text="Gone" xmlUrl="%s"/>'
        b"</body></opml>"
    ) % (a.encode(), c.encode(), gone.encode())
    before = len(h.emulator.sent_messages(ADMIN))
    h.emulator.inject_document(ADMIN, opml, "feeds.opml")
    msgs = await h.emulator.wait_for_messages_async(ADMIN, before + 1)
    assert "Imported 2 feeds" in msgs[-1].text
    assert f"Not added: {gone}: not_found" in msgs[-1].text  # fetched like /addfeed, and refused alike
    before = len(h.emulator.sent_messages(ADMIN))
    h.emulator.inject_document(ADMIN, b"<html>nope", "broken.opml")
    msgs = await h.emulator.wait_for_messages_async(ADMIN, before + 1)
    assert "not usable OPML" in msgs[-1].text
    [doc] = await h.say(ADMIN, "/export")
    assert doc.kind == "document" and doc.file_name.endswith(".opml")
    data = h.emulator.file_bytes(doc.file_id)
    assert a.encode() in data and c.encode() in data and gone.encode() not in data
    async with h.database.read_session() as session:
        rows = (await session.scalars(select(Subscription))).all()
    assert rows == []


async def test_admin_chats_lists_every_known_chat_and_refuses_others(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    h.emulator.add_user(MEMBER, "Member")
    h.emulator.add_chat(GROUP, "supergroup", "Ops room", admins=[GROUP_ADMIN], members=[MEMBER])
    await h.say(GROUP, "/start", user_id=GROUP_ADMIN)  # the group is now a known chat
    [listing] = await h.say(ADMIN, "/chats")
    assert "Ops room" in listing.text and f"<code>{GROUP}</code>" in listing.raw_text
    [refused] = await h.say(MEMBER, "/chats")
    assert "for Coopwatch administrators" in refused.text
