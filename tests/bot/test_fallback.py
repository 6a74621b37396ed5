"""Finding 10: an unknown command gets a short reply pointing to /help, in the chat's language; in a group only
when it is addressed to this bot; plain text in a private chat gets a hint."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes, TypeHandler

from handlers.fallback import addressed_command
from presentation.i18n import t
from tests.bot.conftest import Harness

GROUP = -1001234500077
MEMBER = 800077


class Handled:
    """Sets an event once the Application has run every handler group for an update (a handler in the last
    group): the way to know that nothing was sent, without sleeping."""

    def __init__(self, harness: Harness) -> None:
        self.done: dict[int, asyncio.Event] = {}
        harness.app.add_handler(TypeHandler(Update, self._seen), group=1000)

    async def _seen(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        self.done.setdefault(update.update_id, asyncio.Event()).set()

    async def wait(self, update: dict) -> None:
        event = self.done.setdefault(update["update_id"], asyncio.Event())
        await asyncio.wait_for(event.wait(), timeout=10)


@pytest.fixture
async def handled(harness: Harness) -> AsyncIterator[Handled]:
    yield Handled(harness)


def test_addressed_command() -> None:
    assert addressed_command("/frob@Coop_Bot x", "coop_bot") == ("frob", True)
    assert addressed_command("/frob x", "coop_bot") == ("frob", False)
    assert addressed_command("/frob@other_bot", "coop_bot") == ("frob", False)


async def test_unknown_command_in_a_private_chat_points_to_help(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(800071, "En", language_code="en")
    h.emulator.add_user(800072, "Ru", language_code="ru")
    [en] = await h.say(800071, "/frobnicate now")
    assert en.text == t("en", "fallback.unknown_command", command="frobnicate")
    assert "/help" in en.text
    [ru] = await h.say(800072, "/frobnicate")
    assert ru.text == t("ru", "fallback.unknown_command", command="frobnicate")


async def test_the_echoed_command_is_escaped(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(800073, "Odd")
    [reply] = await h.say(800073, "/x<b>&y")
    # The emulator parses the HTML as Telegram does: the name came back as literal text, no bold.
    assert "/x<b>&y" in reply.text
    assert "&lt;b&gt;" in reply.raw_text
    assert not any(e.get("type") == "bold" for e in reply.entities)


async def test_plain_text_in_a_private_chat_gets_a_hint(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(800074, "Chatty")
    [reply] = await h.say(800074, "hello, what can you do?")
    assert reply.text == t("en", "fallback.plain_text")


async def test_in_a_group_only_commands_addressed_to_the_bot_are_answered(harness: Harness, handled: Handled) -> None:
    h = harness
    h.emulator.add_chat(GROUP, "supergroup", "Ops room")
    h.emulator.add_user(MEMBER, "Member")
    username = h.app.bot.username
    for text in ("/frobnicate", "/frobnicate@some_other_bot", "just talking", f"/start@{username}x"):
        update = h.emulator.inject_message(GROUP, text, user_id=MEMBER)
        await handled.wait(update)
    assert h.emulator.sent_messages(GROUP) == []
    [reply] = await h.say(GROUP, f"/frobnicate@{username}", user_id=MEMBER)
    assert reply.text == t("en", "fallback.unknown_command", command="frobnicate")


async def test_known_commands_still_reach_their_handlers(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(800075, "Known")
    [reply] = await h.say(800075, "/help")
    assert reply.text.startswith("Commands")


async def test_a_command_added_after_start_is_not_shadowed(harness: Harness, handled: Handled) -> None:
    h = harness

    async def late(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text("late handler")

    h.app.add_handler(CommandHandler("late", late))
    h.emulator.add_user(800076, "Late")
    update = h.emulator.inject_message(800076, "/late")
    await handled.wait(update)
    assert [m.text for m in h.emulator.sent_messages(800076)] == ["late handler"]
