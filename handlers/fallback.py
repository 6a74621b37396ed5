"""Last in the handler order (its own group, after every other): a command no handler took gets a short reply
pointing to /help, and plain text in a private chat gets a hint. In a group only commands addressed to this bot
(``/cmd@this_bot``) are answered, since a bare ``/cmd`` there may be meant for another bot."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from handlers.common import ensure_chat, reply

MAX_SHOWN = 32  # characters of the unknown command echoed back
FALLBACK_GROUP = 50  # after group 0, where every command and message handler is


def taken(update: Update, application: Application) -> bool:
    """Whether a handler of a group from 0 up to this one takes the update. Asked at handling time, so a handler
    added after start-up counts too; group -1 is bookkeeping that runs for every update, and later groups
    observe."""
    for group, handlers in application.handlers.items():
        if not 0 <= group < FALLBACK_GROUP:
            continue
        if any(h.check_update(update) not in (None, False) for h in handlers):
            return True
    return False


def addressed_command(text: str, bot_username: str | None) -> tuple[str, bool]:
    """(command name, whether it names this bot) for a message that starts with a command."""
    head = text.split(maxsplit=1)[0][1:] if text.strip() else ""
    name, _, target = head.partition("@")
    mine = bool(target) and bot_username is not None and target.casefold() == bot_username.casefold()
    return name, mine


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or not message.text or taken(update, context.application):
        return
    name, mine = addressed_command(message.text, context.bot.username)
    if chat.type != ChatType.PRIVATE and not mine:
        return  # in a group a bare /command may be for another bot; a channel post never gets an answer
    if chat.type == ChatType.CHANNEL:
        return
    here = await ensure_chat(update, context)
    await reply(update, here.lang, "fallback.unknown_command", command=name[:MAX_SHOWN])


async def plain_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if taken(update, context.application):
        return
    here = await ensure_chat(update, context)
    await reply(update, here.lang, "fallback.plain_text")


def register(application: Application) -> None:
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command), group=FALLBACK_GROUP)
    text = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED
    application.add_handler(MessageHandler(text, plain_text), group=FALLBACK_GROUP)
