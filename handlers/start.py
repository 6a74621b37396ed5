"""/start, /help and /language."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler, ContextTypes

from handlers.buttons import button, button_handler
from handlers.callbacks import Decoded
from handlers.common import bot_admin, ensure_chat, may_manage, reply, runtime_of
from handlers.permissions import Action
from presentation.i18n import LANGUAGES, t
from storage import chats as chat_store


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = await ensure_chat(update, context)
    await reply(update, chat.lang, "start.welcome")


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = await ensure_chat(update, context)
    text = t(chat.lang, "start.help")
    if bot_admin(update, context):
        text += "\n\n" + t(chat.lang, "start.help_admin")
    await update.effective_message.reply_text(text, do_quote=False)


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(lang, "language.name"), callback_data=f"lang:{lang}") for lang in LANGUAGES]]
    )


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = await ensure_chat(update, context)
    if not await may_manage(update, context):
        await reply(update, chat.lang, "error.not_admin")
        return
    args = [a.lower() for a in context.args or []]
    if not args:
        await update.effective_message.reply_text(
            t(chat.lang, "language.choose"), reply_markup=language_keyboard(), do_quote=False
        )
        return
    if args[0] not in LANGUAGES:
        await reply(update, chat.lang, "language.bad", given=args[0], options=", ".join(LANGUAGES))
        return
    await _set(context, chat.chat_id, args[0])
    await reply(update, args[0], "language.done")


async def _set(context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str) -> None:
    async with runtime_of(context).database.session() as session:
        await chat_store.set_language(session, chat_id, lang)


@button("lang", {"": (LANGUAGES,)}, Action.MANAGE)
async def language_button(update: Update, context: ContextTypes.DEFAULT_TYPE, decoded: Decoded) -> None:
    query = update.callback_query
    [lang] = decoded.fields
    chat = await ensure_chat(update, context)
    await _set(context, chat.chat_id, lang)
    await query.edit_message_text(t(lang, "language.done"))
    await query.answer()


def register(application: Application) -> None:
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("language", language))
    application.add_handler(button_handler(language_button))
