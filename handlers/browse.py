"""/topics (with counts for the last 7 days) and /latest [topic] [country]."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from handlers.common import ArgumentError, ensure_chat, reply, reply_error, runtime_of
from handlers.filters import parse_filters
from presentation.i18n import t
from presentation.render import AlertView, render_digest
from storage import items as item_store
from storage import reports
from storage.models import utcnow

LATEST_COUNT = 5


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = await ensure_chat(update, context)
    runtime = runtime_of(context)
    async with runtime.database.read_session() as session:
        counts = await reports.count_by_topic(session, utcnow() - timedelta(days=7))
    lines = [
        t(
            chat.lang,
            "browse.topic_line",
            name=topic.name(chat.lang),
            id=topic.id,
            count=counts.get(topic.id, 0),
            description=topic.description,
        )
        for topic in runtime.topics
    ]
    text = t(chat.lang, "browse.topics_header") + "\n\n" + "\n\n".join(lines)
    if not lines:
        text = t(chat.lang, "browse.no_topics")
    await update.effective_message.reply_text(text, do_quote=False)


async def latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = await ensure_chat(update, context)
    runtime = runtime_of(context)
    try:
        filters = parse_filters(context.args or [], runtime.topic_ids, usage="browse")
        if filters.channel or len(filters.topics) > 1 or len(filters.countries) > 1:
            raise ArgumentError("browse.bad_latest")
    except ArgumentError as exc:
        await reply_error(update, chat.lang, exc)
        return
    async with runtime.database.read_session() as session:
        items = await item_store.list_items(
            session, limit=LATEST_COUNT, topic=filters.topics[0], country=filters.countries[0]
        )
    if not items:
        await reply(update, chat.lang, "browse.nothing")
        return
    for text in render_digest([AlertView.from_item(i) for i in items], chat.lang, title_key="browse.latest_header"):
        await update.effective_message.reply_text(text, do_quote=False)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("topics", topics))
    application.add_handler(CommandHandler("latest", latest))
