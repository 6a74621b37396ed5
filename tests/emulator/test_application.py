"""A real python-telegram-bot Application polling the emulator: commands, buttons, membership updates."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from emulator import Emulator, EmulatorConfig

from .conftest import NO_LIMITS


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Public health", callback_data="sub:public_health")]])
    assert update.effective_message is not None
    await update.effective_message.reply_text("<b>Welcome</b>. Pick a topic:", reply_markup=keyboard)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer(f"Subscribed to {query.data[4:]}")
    await query.edit_message_text(f"Subscribed: <i>{query.data[4:]}</i>")


async def opml(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.document is not None
    data = await (await update.message.document.get_file()).download_as_bytearray()
    await update.message.reply_text(f"Got {len(data)} bytes from {update.message.document.file_name}")


seen_membership: list[tuple[int, str]] = []


async def membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    assert change is not None
    seen_membership.append((change.chat.id, change.new_chat_member.status))


def build(emu: Emulator) -> Application:
    app = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .defaults(Defaults(parse_mode="HTML"))
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.Document.ALL, opml))
    app.add_handler(ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER))
    return app


async def running(app: Application) -> AsyncIterator[Application]:
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=5, allowed_updates=Update.ALL_TYPES)
    yield app
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


@pytest.fixture
async def app(relaxed: Emulator) -> AsyncIterator[Application]:
    async for started in running(build(relaxed)):
        yield started


async def test_command_then_button_press(relaxed: Emulator, app: Application) -> None:
    relaxed.add_user(42, "Aigerim")
    relaxed.inject_message(42, "/start")
    [welcome] = await relaxed.wait_for_messages_async(42, 1)
    assert welcome.text == "Welcome. Pick a topic:" and welcome.parse_mode == "HTML"
    query_id = relaxed.inject_callback(42, welcome.message_id, button_text="Public health")
    [answer] = await relaxed.wait_until_async(lambda: relaxed.callback_answers(query_id))
    assert answer.text == "Subscribed to public_health"
    await relaxed.wait_until_async(lambda: relaxed.edits(42))
    assert relaxed.sent_messages(42)[0].text == "Subscribed: public_health"


async def test_pressing_a_button_that_is_not_there_fails_in_the_test(relaxed: Emulator, app: Application) -> None:
    relaxed.add_user(43, "Bek")
    relaxed.inject_message(43, "/start")
    [welcome] = await relaxed.wait_for_messages_async(43, 1)
    with pytest.raises(ValueError, match="no button"):
        relaxed.inject_callback(43, welcome.message_id, "sub:nonexistent")


async def test_document_is_downloaded_by_the_handler(relaxed: Emulator, app: Application) -> None:
    relaxed.add_user(44, "Dana")
    relaxed.inject_document(44, b"<opml>" + b" " * 100 + b"</opml>", "feeds.opml")
    [reply] = await relaxed.wait_for_messages_async(44, 1)
    assert reply.text == "Got 113 bytes from feeds.opml"


async def test_group_command_and_my_chat_member(relaxed: Emulator, app: Application) -> None:
    relaxed.add_chat(-100123, "supergroup", "Ops room", is_forum=True, admins=[7], members=[8])
    relaxed.inject_my_chat_member(-100123, "administrator", user_id=7, old_status="left")
    relaxed.inject_message(-100123, "/start@coopwatch_test_bot", user_id=8, message_thread_id=3)
    [reply] = await relaxed.wait_for_messages_async(-100123, 1)
    assert reply.message_thread_id == 3  # reply_text keeps the forum topic
    assert (-100123, "administrator") in seen_membership
    relaxed.wait_until_consumed(timeout=5)


async def test_emulator_on_the_applications_own_loop() -> None:
    """Console mode: the emulator serves from the bot's loop, no thread."""
    emu = Emulator(EmulatorConfig(limits=NO_LIMITS))
    async with emu:
        async for _ in running(build(emu)):
            emu.add_user(45, "Console user")
            emu.inject_message(45, "/start")
            [welcome] = await emu.wait_for_messages_async(45, 1)
    assert welcome.buttons()[0]["callback_data"] == "sub:public_health"


async def test_restart_polls_again_without_conflict(relaxed: Emulator) -> None:
    relaxed.add_user(46, "Restart")
    for round_ in range(2):
        async for _ in running(build(relaxed)):
            relaxed.inject_message(46, "/start")
            await relaxed.wait_for_messages_async(46, round_ + 1)
    assert relaxed.conflicts == 0 and relaxed.pending_updates() == []


async def test_message_listener_sees_sends_and_edits(relaxed: Emulator, app: Application) -> None:
    printed: list[tuple[int, str | None, int]] = []
    relaxed.add_message_listener(lambda m: printed.append((m.chat_id, m.text, m.edits)))
    relaxed.add_user(47, "Console")
    relaxed.inject_message(47, "/start")
    [welcome] = await relaxed.wait_for_messages_async(47, 1)
    relaxed.inject_callback(47, welcome.message_id, "sub:public_health")
    await relaxed.wait_until_async(lambda: len(printed) == 2)
    assert printed == [(47, "Welcome. Pick a topic:", 0), (47, "Subscribed: public_health", 1)]
