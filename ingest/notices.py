"""Notices to the admins through the outbox: above all, that a feed was paused after its failure streak."""

from __future__ import annotations

import logging

from model.settings import BotSettings
from presentation.i18n import t
from storage import chats as chat_store
from storage.db import Database
from storage.models import Feed, utcnow
from storage.outbox import PRIORITY_NOTICE, enqueue_message

log = logging.getLogger(__name__)


def admin_chat_ids(bot: BotSettings) -> list[int]:
    return [bot.admin_chat_id] if bot.admin_chat_id is not None else sorted(bot.admins)


async def notify_admins(database: Database, bot: BotSettings, *, key: str, dedupe_key: str, **params: object) -> int:
    """Queue a notice (catalogue ``key`` in English and Russian) to the admins' chat or each admin.

    Goes through the outbox, so it is paced and survives a restart; returns rows queued."""
    texts = {lang: t(lang, key, **params) for lang in ("en", "ru")}
    queued = 0
    async with database.session() as session:
        for chat_id in admin_chat_ids(bot):
            await chat_store.upsert_chat(
                session,
                chat_id=chat_id,
                type="private" if chat_id > 0 else "supergroup",
                language=bot.default_language,
            )
            queued += await enqueue_message(
                session,
                chat_id=chat_id,
                kind="notice",
                dedupe_key=dedupe_key,
                payload={"texts": texts},
                priority=PRIORITY_NOTICE,
            )
    return queued


async def notify_feed_paused(database: Database, bot: BotSettings, feed: Feed) -> int:
    """The notice the poller's ``on_paused`` sends: which feed, why, and since when it fails."""
    since = feed.first_error_at or utcnow()
    log.info("telling the admins that feed %s was paused", feed.url)
    return await notify_admins(
        database,
        bot,
        key="admin.feed_paused",
        dedupe_key=f"paused:{feed.id}:{since:%Y%m%d%H%M}",
        url=feed.url,
        title=feed.display_name,
        error=feed.last_error or "?",
        since=since.strftime("%Y-%m-%d %H:%M UTC"),
    )
