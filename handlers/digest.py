"""/digest: the digest now (the daily batch is delivery/digests.py)."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from delivery.digests import MAX_DIGEST_ITEMS
from handlers.common import ensure_chat, reply, runtime_of
from presentation.i18n import normalise_language
from presentation.render import AlertView, render_digest
from storage import chats as chat_store
from storage import outbox
from storage.models import utcnow

log = logging.getLogger(__name__)


async def digest_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Digest chats get their collected alerts now; instant chats a recap of the last 24 hours."""
    chat = await ensure_chat(update, context)
    runtime = runtime_of(context)
    async with runtime.database.read_session() as session:
        row = await chat_store.get_chat(session, chat.chat_id)
        settings = chat_store.chat_settings(row)
        held = await outbox.list_held(session, chat.chat_id)
        rows = held or await outbox.list_recent_alerts(session, chat.chat_id, utcnow() - timedelta(days=1))
        items = await outbox.items_of_rows(session, rows[-MAX_DIGEST_ITEMS:])
    if not items:
        await reply(update, chat.lang, "digest.empty")
        return
    lang = normalise_language(settings.alert_language or chat.lang)
    for text in render_digest([AlertView.from_item(i) for i in items], lang, title_key="digest.now_header"):
        await update.effective_message.reply_text(text, do_quote=False)
    if held:  # only once the digest is out
        async with runtime.database.session() as session:
            await outbox.mark_digested(session, [r.id for r in held])


def register(application: Application) -> None:
    application.add_handler(CommandHandler("digest", digest_command))
