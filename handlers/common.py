"""Helpers every handler shares: the chat's language, replies from the catalogue, admin checks."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Update
from telegram.ext import ContextTypes

from handlers.permissions import may_act
from handlers.runtime import Runtime, get_runtime
from presentation.i18n import normalise_language, t
from storage import chats as chat_store

log = logging.getLogger(__name__)


class ArgumentError(ValueError):
    """Bad command arguments; ``key`` names the catalogue text that explains them, with ``params``."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class ChatContext:
    chat_id: int
    chat_type: str
    lang: str
    thread_id: int | None


def runtime_of(context: ContextTypes.DEFAULT_TYPE) -> Runtime:
    return get_runtime(context.application)


async def ensure_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> ChatContext:
    """Record the chat (first sight takes the user's Telegram language) and return its context."""
    chat = update.effective_chat
    assert chat is not None
    runtime = runtime_of(context)
    user = update.effective_user
    first_lang = normalise_language(
        user.language_code if user is not None else None, runtime.settings.bot.default_language
    )
    async with runtime.database.session() as session:
        row, _ = await chat_store.upsert_chat(
            session,
            chat_id=chat.id,
            type=chat.type,
            title=chat.title,
            username=chat.username,
            language=first_lang,
        )
        lang = row.language
    message = update.effective_message
    thread = message.message_thread_id if message is not None and message.is_topic_message else None
    return ChatContext(chat.id, chat.type, normalise_language(lang), thread)


async def chat_language(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> str:
    runtime = runtime_of(context)
    async with runtime.database.read_session() as session:
        row = await chat_store.get_chat(session, chat_id)
    return normalise_language(row.language if row else None, runtime.settings.bot.default_language)


async def reply(update: Update, lang: str, key: str, **params: object) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(t(lang, key, **params), do_quote=False)


async def reply_error(update: Update, lang: str, error: ArgumentError) -> None:
    await reply(update, lang, error.key, **error.params)


async def may_manage(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """May this user change this chat (handlers.permissions.may_act, the one rule)."""
    return await may_act(update, context)


def bot_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    return runtime_of(context).is_admin(user.id if user else None)
