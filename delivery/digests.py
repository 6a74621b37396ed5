"""Daily digests: at each digest chat's local hour, its held alerts become digest messages in the outbox."""

from __future__ import annotations

from datetime import datetime

from presentation.i18n import normalise_language
from presentation.render import AlertView, render_digest
from storage import chats as chat_store
from storage import outbox
from storage.db import Database
from storage.models import Chat, utcnow

MAX_DIGEST_ITEMS = 40


def digest_due(chat: Chat, now: datetime) -> bool:
    """The chat's local hour has come today and today's digest has not gone out."""
    settings = chat_store.chat_settings(chat)
    local = settings.local(now)
    return local.hour >= settings.digest_hour and settings.digest_sent_on != local.date().isoformat()


async def send_due_digests(database: Database, now: datetime | None = None) -> int:
    """Turn each due chat's held alerts into digest messages in the outbox; returns chats served (the caller
    wakes the sender when that is more than none)."""
    now = now or utcnow()
    async with database.read_session() as session:
        due = [c.id for c in await chat_store.list_digest_chats(session) if digest_due(c, now)]
    served = 0
    for chat_id in due:
        async with database.session() as session:
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
    return served
