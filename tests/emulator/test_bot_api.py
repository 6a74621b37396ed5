"""The emulator through a real python-telegram-bot Bot: sends, edits, files, chats, updates."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
)
from telegram.error import BadRequest

from emulator import Emulator

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Health", callback_data="topic:health")]])


async def test_send_message_returns_a_message_and_records_raw_and_parsed_text(
    relaxed: Emulator, relaxed_bot: Bot
) -> None:
    relaxed.add_user(42, "Aigerim", language_code="ru")
    sent = await relaxed_bot.send_message(
        42,
        '<b>Alert</b>: <a href="https://example.org">&lt;script&gt;</a>',
        parse_mode="HTML",
        reply_markup=KEYBOARD,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        disable_notification=True,
    )
    assert (sent.chat.id, sent.chat.first_name, sent.from_user.is_bot) == (42, "Aigerim", True)
    assert sent.text == "Alert: <script>"
    assert [e.type for e in sent.entities] == ["bold", "text_link"]
    assert sent.reply_markup == KEYBOARD
    record = relaxed.last_message(42)
    assert record is not None
    assert record.raw_text == '<b>Alert</b>: <a href="https://example.org">&lt;script&gt;</a>'
    assert record.text == "Alert: <script>"
    assert record.link_preview_options == {"is_disabled": True}
    assert record.disable_notification is True
    assert record.buttons() == [{"text": "Health", "callback_data": "topic:health"}]


async def test_message_ids_count_per_chat_and_replies_are_kept(relaxed: Emulator, relaxed_bot: Bot) -> None:
    first = await relaxed_bot.send_message(1, "one")
    second = await relaxed_bot.send_message(1, "two", reply_parameters=ReplyParameters(first.message_id))
    other = await relaxed_bot.send_message(2, "other")
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert second.reply_to_message is not None and second.reply_to_message.text == "one"
    assert [m.text for m in relaxed.sent_messages(1)] == ["one", "two"]
    assert [m.text for m in relaxed.sent_messages()] == ["one", "two", "other"]
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await relaxed_bot.send_message(1, "x", reply_parameters=ReplyParameters(99))


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<script>alert(1)</script>", 'Can\'t parse entities: unsupported start tag "script" at byte offset 0'),
        ("<b>unclosed", "Can't parse entities: can't find end tag corresponding to start tag \"b\""),
        ("x" * 4097, "Message is too long"),
        ("<b>   </b>", "Message text is empty"),
    ],
)
async def test_bad_text_is_a_bad_request(relaxed: Emulator, relaxed_bot: Bot, text: str, error: str) -> None:
    with pytest.raises(BadRequest) as caught:
        await relaxed_bot.send_message(5, text, parse_mode="HTML")
    assert caught.value.message == error  # PTB capitalises and strips "Bad Request: "
    assert relaxed.sent_messages(5) == []


async def test_length_counts_text_after_entity_parsing(relaxed: Emulator, relaxed_bot: Bot) -> None:
    await relaxed_bot.send_message(5, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await relaxed_bot.send_message(5, "&amp;" * 4097, parse_mode="HTML")
    assert len(relaxed.sent_messages(5)) == 1


async def test_length_counts_utf16_units_like_telegram(relaxed: Emulator, relaxed_bot: Bot) -> None:
    """An emoji outside the BMP is two UTF-16 units: 2,048 of them fill a message, one more is too long."""
    await relaxed_bot.send_message(5, "🚒" * 2048, parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await relaxed_bot.send_message(5, "🚒" * 2049, parse_mode="HTML")
    with pytest.raises(BadRequest, match="caption is too long"):
        await relaxed_bot.send_document(5, b"x", filename="x.txt", caption="🚒" * 513)
    assert len(relaxed.sent_messages(5)) == 1


async def test_edit_message_text_and_markup(relaxed: Emulator, relaxed_bot: Bot) -> None:
    sent = await relaxed_bot.send_message(7, "Pick a topic", reply_markup=KEYBOARD)
    edited = await relaxed_bot.edit_message_text("<i>Done</i>", 7, sent.message_id, parse_mode="HTML")
    assert edited.text == "Done" and edited.reply_markup is None
    with pytest.raises(BadRequest, match="not modified"):
        await relaxed_bot.edit_message_text("<i>Done</i>", 7, sent.message_id, parse_mode="HTML")
    await relaxed_bot.edit_message_reply_markup(7, sent.message_id, reply_markup=KEYBOARD)
    record = relaxed.last_message(7)
    assert record is not None and (record.text, record.edits, record.reply_markup is not None) == ("Done", 2, True)
    assert [e.method for e in relaxed.edits(7)] == ["editMessageText", "editMessageReplyMarkup"]
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await relaxed_bot.edit_message_text("x", 7, 999)


async def test_delete_message(relaxed: Emulator, relaxed_bot: Bot) -> None:
    sent = await relaxed_bot.send_message(7, "temporary")
    assert await relaxed_bot.delete_message(7, sent.message_id)
    assert relaxed.sent_messages(7) == [] and relaxed.deleted_messages() == [(7, sent.message_id)]


async def test_callback_data_over_64_bytes_is_refused(relaxed_bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await relaxed_bot.send_message(3, "x", reply_markup=markup)


async def test_documents_and_photos_keep_bytes_and_names(relaxed: Emulator, relaxed_bot: Bot) -> None:
    opml = b'<?xml version="1.0"?><opml version="2.0"><body/></opml>'
    doc = await relaxed_bot.send_document(9, opml, filename="feeds.opml", caption="<b>Export</b>", parse_mode="HTML")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big")
    photo = await relaxed_bot.send_photo(9, png, caption="Trend")
    assert doc.document is not None and doc.document.file_name == "feeds.opml" and doc.caption == "Export"
    assert (photo.photo[-1].width, photo.photo[-1].height) == (640, 480)
    [document] = relaxed.documents(9)
    assert (document.file_name, relaxed.file_bytes(document.file_id or "")) == ("feeds.opml", opml)
    assert relaxed.file_bytes(relaxed.photos(9)[0].file_id or "") == png
    resent = await relaxed_bot.send_document(10, doc.document.file_id)  # by file_id, as Telegram allows
    assert resent.document is not None and resent.document.file_id == doc.document.file_id
    with pytest.raises(BadRequest, match="caption is too long"):
        await relaxed_bot.send_document(9, b"x", filename="a.txt", caption="c" * 1025)


async def test_injected_document_downloads_through_get_file(relaxed: Emulator, relaxed_bot: Bot) -> None:
    relaxed.add_user(11, "Admin")
    update = relaxed.inject_document(11, b"<opml/>", "subscriptions.opml", mime_type="text/x-opml")
    file_id = update["message"]["document"]["file_id"]
    tg_file = await relaxed_bot.get_file(file_id)
    assert tg_file.file_path is not None and tg_file.file_path.startswith(relaxed.base_file_url)
    assert bytes(await tg_file.download_as_bytearray()) == b"<opml/>"
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await relaxed_bot.get_file("nope")


async def test_get_updates_offsets_and_allowed_updates(relaxed: Emulator, relaxed_bot: Bot) -> None:
    relaxed.add_user(20, "Dana")
    relaxed.inject_message(20, "/start")
    relaxed.inject_message(20, "hello")
    first = await relaxed_bot.get_updates(timeout=0)
    assert [u.message.text for u in first if u.message] == ["/start", "hello"]
    assert first[0].message is not None and first[0].message.entities[0].type == "bot_command"
    again = await relaxed_bot.get_updates(offset=first[0].update_id + 1, timeout=0)
    assert [u.update_id for u in again] == [first[1].update_id]
    await relaxed_bot.get_updates(offset=first[1].update_id + 1, timeout=0)
    assert relaxed.pending_updates() == []
    relaxed.inject_my_chat_member(20, "kicked")
    relaxed.inject_message(20, "after")
    only_messages = await relaxed_bot.get_updates(allowed_updates=["message"], timeout=0)
    assert [u.message.text for u in only_messages if u.message] == ["after"]


async def test_long_poll_returns_when_an_update_arrives(relaxed: Emulator, relaxed_bot: Bot) -> None:
    import asyncio

    relaxed.add_user(21, "Erlan")
    poll = asyncio.create_task(relaxed_bot.get_updates(timeout=30))
    await relaxed.wait_until_async(lambda: relaxed.calls["getUpdates"] >= 1)
    relaxed.inject_message(21, "/help")
    updates = await asyncio.wait_for(poll, 10)  # far below the 30 s poll: it was woken, not timed out
    assert [u.message.text for u in updates if u.message] == ["/help"]


async def test_chats_members_and_admins(relaxed: Emulator, relaxed_bot: Bot) -> None:
    relaxed.add_chat(-100500, "supergroup", "CA Emergencies", is_forum=True, creator=1, admins=[2], members=[3])
    relaxed.add_chat(-100600, "channel", "Bulletin", username="bulletin", admins=[2])
    chat = await relaxed_bot.get_chat(-100500)
    assert (chat.type, chat.title, chat.is_forum) == ("supergroup", "CA Emergencies", True)
    assert (await relaxed_bot.get_chat("@bulletin")).id == -100600
    statuses = [(await relaxed_bot.get_chat_member(-100500, uid)).status for uid in (1, 2, 3, 4)]
    assert statuses == ["creator", "administrator", "member", "left"]
    admins = await relaxed_bot.get_chat_administrators(-100500)
    assert sorted(a.user.id for a in admins) == [1, 2]
    bot_member = await relaxed_bot.get_chat_member(-100600, relaxed.bot_user.id)
    assert bot_member.status == "administrator"
    with pytest.raises(BadRequest, match="Chat not found"):
        await relaxed_bot.get_chat(-999)


async def test_forum_topics_and_threads(relaxed: Emulator, relaxed_bot: Bot) -> None:
    relaxed.add_chat(-100700, "supergroup", "Forum", is_forum=True)
    relaxed.add_chat(-800, "group", "Plain")
    sent = await relaxed_bot.send_message(-100700, "in topic", message_thread_id=5)
    assert sent.message_thread_id == 5 and relaxed.last_message(-100700).message_thread_id == 5  # type: ignore[union-attr]
    with pytest.raises(BadRequest, match="Message thread not found"):
        await relaxed_bot.send_message(-800, "x", message_thread_id=5)


async def test_unknown_chats_auto_create_or_not(make_emulator) -> None:  # noqa: ANN001
    strict = make_emulator(auto_create_chats=False)
    async with Bot(strict.token, base_url=strict.base_url) as bot:
        with pytest.raises(BadRequest, match="Chat not found"):
            await bot.send_message(123, "x")


async def test_commands_recorded_per_scope_and_language(relaxed: Emulator, relaxed_bot: Bot) -> None:
    await relaxed_bot.set_my_commands([BotCommand("start", "Start")])
    await relaxed_bot.set_my_commands([BotCommand("start", "Начать")], language_code="ru")
    await relaxed_bot.set_my_commands([BotCommand("addfeed", "Add a feed")], scope=BotCommandScopeChat(77))
    assert relaxed.commands() == [{"command": "start", "description": "Start"}]
    assert relaxed.commands(language_code="ru") == [{"command": "start", "description": "Начать"}]
    assert relaxed.commands({"type": "chat", "chat_id": 77}) == [{"command": "addfeed", "description": "Add a feed"}]
    assert [c.command for c in await relaxed_bot.get_my_commands(scope=BotCommandScopeChat(77))] == ["addfeed"]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await relaxed_bot.set_my_commands([BotCommand("Add-Feed", "bad name")])


async def test_tokens_are_recorded(relaxed: Emulator) -> None:
    async with Bot("999:other", base_url=relaxed.base_url) as other:
        me = await other.get_me()
    assert me.username == "coopwatch_test_bot"
    assert "999:other" in relaxed.tokens_seen
