"""Every inline button goes through ``button``: who pressed is checked first (handlers.permissions, before
anything is read or written), then the data against its schema (handlers.callbacks; forged or stale data is
answered "expired"), and only then does the handler run, with the decoded fields instead of the raw string."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from handlers.callbacks import Decoded, ForgedCallback, Schema, decode
from handlers.common import chat_language, runtime_of
from handlers.permissions import Action, may_act
from presentation.i18n import t

REFUSALS = {
    Action.VIEW: "error.not_admin_short",
    Action.MANAGE: "error.not_admin_short",
    Action.ADMIN: "error.not_bot_admin",
}

ButtonHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, Decoded], Awaitable[None]]
ButtonCallback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


async def refuse(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str) -> None:
    """Answer the press with an alert in the chat's language; reads, never writes."""
    query = update.callback_query
    assert query is not None
    chat = update.effective_chat
    lang = runtime_of(context).settings.bot.default_language
    if chat is not None:
        lang = await chat_language(context, chat.id)
    await query.answer(t(lang, key), show_alert=True)


def button(kind: str, schema: Schema, action: Action) -> Callable[[ButtonHandler], ButtonCallback]:
    """Wrap a handler of ``kind:...`` presses: permission for ``action``, then the codec, then the handler."""

    def wrap(handler: ButtonHandler) -> ButtonCallback:
        async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            query = update.callback_query
            assert query is not None
            if not await may_act(update, context, action=action):
                await refuse(update, context, REFUSALS[action])
                return
            try:
                decoded = decode(query.data, kind, schema, runtime_of(context).topic_ids)
            except ForgedCallback:
                await refuse(update, context, "error.expired_button")
                return
            await handler(update, context, decoded)

        callback.__name__ = handler.__name__
        callback.__doc__ = handler.__doc__
        callback.button_kind = kind  # type: ignore[attr-defined]  # read by the test that every press is guarded
        callback.button_action = action  # type: ignore[attr-defined]
        return callback

    return wrap


def button_handler(callback: ButtonCallback) -> CallbackQueryHandler:
    """The CallbackQueryHandler for a ``button``: data ``kind`` or ``kind:...``."""
    kind = callback.button_kind  # type: ignore[attr-defined]
    return CallbackQueryHandler(callback, pattern=rf"^{re.escape(kind)}(?::|$)")
