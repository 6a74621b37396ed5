"""Admin commands (user ids in config ``bot.admins``): feeds and their health, stats, chats, OPML."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from io import BytesIO

import httpx
from telegram import InputFile, Update
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from feeds.errors import FeedError
from feeds.fetch import build_client
from handlers.common import bot_admin, ensure_chat, reply, runtime_of
from handlers.opml import OpmlError, OpmlFeed, build_opml, check_size, download_capped, parse_opml
from handlers.runtime import Runtime
from handlers.stats import feedback_stats_text
from ingest.add_feed import IMPORT_CONCURRENCY, FeedExists, add_feed, add_feeds
from model.feed_names import MAX_NAME, FeedNameError, check_feed_name
from model.settings import FULL_TEXT_MODES
from presentation.i18n import Safe, t
from presentation.render import pack_messages
from storage import chats as chat_store
from storage import feeds as feed_store
from storage import outbox, reports
from storage import subscriptions as sub_store
from storage.models import Feed, utcnow

log = logging.getLogger(__name__)


def _when(value: datetime | None, lang: str) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else t(lang, "admin.never")


async def _guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The chat's language when the user is a bot admin; otherwise refuse and return None."""
    chat = await ensure_chat(update, context)
    if not bot_admin(update, context):
        await reply(update, chat.lang, "error.not_bot_admin")
        return None
    return chat.lang


async def feeds_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = await _guard(update, context)
    if lang is None:
        return
    async with runtime_of(context).database.read_session() as session:
        feeds = await feed_store.list_feeds(session)
        per_week = await feed_store.count_items_per_feed(session, utcnow() - timedelta(days=7))
    if not feeds:
        await reply(update, lang, "admin.no_feeds")
        return
    lines = []
    for feed in feeds:
        key = "admin.feed_line" if feed.active else "admin.feed_line_paused"
        lines.append(
            t(
                lang,
                key,
                id=feed.id,
                title=feed.display_name,
                url=feed.url,
                ok=_when(feed.last_ok_at, lang),
                errors=feed.error_count,
                error=feed.last_error or "",
                per_day=f"{per_week.get(feed.id, 0) / 7:.1f}",
                reason=feed.pause_reason or "",
            )
        )
    for text in pack_messages(t(lang, "admin.feeds_header", count=len(feeds)), lines):
        await update.effective_message.reply_text(text, do_quote=False)


async def _find_feed(context: ContextTypes.DEFAULT_TYPE, ref: str) -> Feed | None:
    async with runtime_of(context).database.read_session() as session:
        if ref.isdigit():
            return await feed_store.get_feed(session, int(ref))
        return await feed_store.get_feed_by_url(session, ref)


async def addfeed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = await _guard(update, context)
    if lang is None:
        return
    args = context.args or []
    full_text = [a.removeprefix("full_text:") for a in args[1:] if a.startswith("full_text:")]
    rest = " ".join(a for a in args[1:] if not a.startswith("full_text:"))
    if not args or not args[0].startswith(("http://", "https://")) or (rest and not rest.startswith("name:")):
        await reply(update, lang, "admin.addfeed_usage")
        return
    if len(full_text) > 1 or (full_text and full_text[0] not in FULL_TEXT_MODES):
        await reply(update, lang, "admin.full_text_bad", options=", ".join(FULL_TEXT_MODES))
        return
    url = args[0]
    name = None
    if rest:
        try:
            name = check_feed_name(rest.removeprefix("name:"))
        except FeedNameError as exc:
            await reply(update, lang, f"admin.feed_name_{exc.code}", max=MAX_NAME)
            return
    runtime = runtime_of(context)
    try:
        async with _client(runtime) as client:
            added = await add_feed(
                runtime.database,
                client,
                url,
                runtime.settings.feeds,
                name=name,
                full_text=full_text[0] if full_text else None,
            )
    except FeedExists:
        await reply(update, lang, "admin.feed_exists", url=url)
        return
    except FeedError as exc:
        await reply(update, lang, "admin.addfeed_failed", url=url, code=exc.code, error=str(exc)[:300])
        return
    quiet = _quiet_note(lang, added.quiet, runtime.settings.feeds.alert_max_age)
    await reply(update, lang, "admin.feed_added", id=added.feed.id, title=added.title, count=added.entries, quiet=quiet)


def _quiet_note(lang: str, quiet: int, max_age: timedelta | None) -> Safe:
    """The sentence on entries older than feeds.alert_max_age (stored without alerts), or nothing."""
    if not quiet or max_age is None:
        return Safe("")
    return Safe(t(lang, "admin.feed_added_quiet", quiet=quiet, hours=round(max_age.total_seconds() / 3600)))


@asynccontextmanager
async def _client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """The poller's HTTP client when this process polls, else one for this command."""
    if runtime.http is not None:
        yield runtime.http
        return
    async with build_client(runtime.settings.feeds.limits, max_connections=IMPORT_CONCURRENCY) as client:
        yield client


async def _feed_argument(update: Update, context: ContextTypes.DEFAULT_TYPE, usage: str) -> tuple[str, Feed] | None:
    """For an admin, the one feed the command names (URL or id); otherwise the refusal or usage is sent."""
    lang = await _guard(update, context)
    if lang is None:
        return None
    args = context.args or []
    feed = await _find_feed(context, args[0]) if len(args) == 1 else None
    if feed is None:
        await reply(update, lang, "admin.feed_unknown", ref=" ".join(args), usage=usage)
        return None
    return lang, feed


async def removefeed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    found = await _feed_argument(update, context, "/removefeed")
    if found is None:
        return
    lang, feed = found
    async with runtime_of(context).database.session() as session:
        await feed_store.remove_feed(session, feed.url)
    await reply(update, lang, "admin.feed_removed", title=feed.display_name)


async def pausefeed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Pauses an active feed, resumes a paused one."""
    found = await _feed_argument(update, context, "/pausefeed")
    if found is None:
        return
    lang, feed = found
    async with runtime_of(context).database.session() as session:
        await feed_store.set_feed_active(
            session, feed.url, not feed.active, reason=None if not feed.active else "admin"
        )
    await reply(
        update, lang, "admin.feed_resumed" if not feed.active else "admin.feed_paused_now", title=feed.display_name
    )


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = await _guard(update, context)
    if lang is None:
        return
    runtime = runtime_of(context)
    now = utcnow()
    async with runtime.database.read_session() as session:
        chats = await chat_store.count_chats_by_type(session)
        subs = await sub_store.count_subscriptions(session)
        day = await reports.count_items_since(session, now - timedelta(days=1))
        week = await reports.count_items_since(session, now - timedelta(days=7))
        queue = await outbox.count_by_status(session)
        feeds = await reports.count_feeds(session)
    active = sum(n for (_, on), n in chats.items() if on)
    inactive = sum(n for (_, on), n in chats.items() if not on)
    sender = runtime.sender.stats if runtime.sender else None
    await reply(
        update,
        lang,
        "admin.stats",
        chats=active,
        inactive=inactive,
        subs=subs,
        day=day,
        week=week,
        feeds=feeds["active"],
        paused=feeds["paused"],
        queue=", ".join(f"{k} {v}" for k, v in sorted(queue.items())) or "—",
        sent=sender.sent if sender else 0,
        waits=sender.flood_waits if sender else 0,
    )
    for text in pack_messages("", (await feedback_stats_text(runtime, lang)).split("\n")):
        await update.effective_message.reply_text(text, do_quote=False)


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = await _guard(update, context)
    if lang is None:
        return
    async with runtime_of(context).database.read_session() as session:
        feeds = await feed_store.list_feeds(session)
    data = build_opml([OpmlFeed(f.url, f.display_name) for f in feeds])
    await update.effective_message.reply_document(
        InputFile(BytesIO(data), filename="coopwatch-feeds.opml"),
        caption=t(lang, "admin.exported", count=len(feeds)),
        do_quote=False,
    )


async def import_opml(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = await _guard(update, context)
    if lang is None:
        return
    document = update.effective_message.document
    runtime = runtime_of(context)
    try:
        check_size(document.file_size)  # before anything is downloaded
        file = await document.get_file()
        check_size(file.file_size)
        data = await download_capped(file.file_path) if file.file_path else b""
        entries = parse_opml(data)
    except OpmlError as exc:
        await reply(update, lang, "admin.opml_bad", error=str(exc))
        return
    async with _client(runtime) as client:
        result = await add_feeds(runtime.database, client, [(e.url, e.title) for e in entries], runtime.settings.feeds)
    failed = "".join(
        "\n" + t(lang, "admin.opml_failed", url=url, code=exc.code, error=str(exc)[:200]) for url, exc in result.failed
    )
    await reply(
        update, lang, "admin.opml_done", added=len(result.added), skipped=len(result.skipped), failed=Safe(failed)
    )


def register(application: Application) -> None:
    application.add_handler(CommandHandler("feeds", feeds_command))
    application.add_handler(CommandHandler("addfeed", addfeed))
    application.add_handler(CommandHandler("removefeed", removefeed))
    application.add_handler(CommandHandler("pausefeed", pausefeed))
    application.add_handler(CommandHandler("stats", stats))
    application.add_handler(CommandHandler("export", export))
    opml = filters.Document.FileExtension("opml") | filters.Document.FileExtension("xml")
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & opml, import_opml))
