"""Daily digests at each chat's hour (a JobQueue job), and /digest on demand."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from handlers.common import ensure_chat, reply, runtime_of
from handlers.runtime import Runtime, get_runtime
from presentation.i18n import normalise_language
from presentation.render import AlertView, render_digest
from storage import chats as chat_store
from storage import outbox
from storage.models import Chat, utcnow

log = logging.getLogger(__name__)

MAX_DIGEST_ITEMS = 40


def digest_due(chat: Chat, now: datetime) -> bool:
    """The chat's local hour has come today and today's digest has not gone out."""
    settings = chat_store.chat_settings(chat)
    local = settings.local(now)
    return local.hour >= settings.digest_hour and settings.digest_sent_on != local.date().isoformat()


async def send_due_digests(runtime: Runtime, now: datetime | None = None) -> int:
    """Turn each due chat's held alerts into digest messages in the outbox; returns chats served."""
    now = now or utcnow()
    async with runtime.database.read_session() as session:
        due = [c.id for c in await chat_store.list_digest_chats(session) if digest_due(c, now)]
    served = 0
    for chat_id in due:
        async with runtime.database.session() as session:
            chat = await chat_store.get_chat(session, chat_id)
            if chat is None or not digest_due(chat, now):
                continue
            settings = chat_store.chat_settings(chat)
            today = settings.local(now).date().isoformat()
            held = await outbox.list_held(session, chat_id)
            if held:
                items = await outbox.items_of_rows(session, held[-MAX_DIGEST_ITEMS:])
                lang = normalise_language(settings.alert_language or chat.language)
                views = [AlertView.from_item(i) for i in items]
                for n, text in enumerate(render_digest(views, lang)):
                    await outbox.enqueue_message(
                        session,
                        chat_id=chat_id,
                        kind="digest",
                        dedupe_key=f"digest:{today}:{n}",
                        payload={"text": text},
                        priority=outbox.PRIORITY_DIGEST,
                    )
                await outbox.mark_digested(session, [r.id for r in held], now=now)
                served += 1
            await chat_store.update_settings(session, chat_id, digest_sent_on=today)
    if served:
        runtime.wake_sender()
    return served


async def digest_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_due_digests(get_runtime(context.application))


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
