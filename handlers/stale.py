"""The last callback handler: a press that no other handler's pattern took (forged data, a button from an
older version) is answered "expired" instead of leaving the button spinning."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from handlers.common import chat_language
from presentation.i18n import t


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    lang = await chat_language(context, update.effective_chat.id) if update.effective_chat else "en"
    await query.answer(t(lang, "error.expired_button"), show_alert=True)


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(stale_button))
