"""Wiring in one place: the python-telegram-bot Application and its background work.

``build_application`` is the only ApplicationBuilder caller. ``running`` starts an Application with the
outbox sender and the jobs (bot/jobs.py: feed polling, digests, reports) on PTB's JobQueue, the only
scheduler in the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path

from telegram import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    Update,
)
from telegram.error import RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, JobQueue

from analysis import Annotator
from analysis.config import DEFAULT_EXAMPLES_PATH
from analysis.retrain import RetrainOutcome
from bot.bootstrap import bot_defaults, retrained_classifier_path, worker_id
from bot.jobs import Jobs, schedule_on_job_queue
from bot.ops.logs import install_token_redactor, redact
from bot.settings import Settings
from bot.update_loop import LinkRequest, TelegramLink, UpdateLoop, stop_updater
from delivery.pacing import PacedRateLimiter, make_pacer
from delivery.sender import Sender
from feeds.fetch import build_client
from handlers import register_all
from handlers.runtime import RUNTIME_KEY, Runtime, get_runtime
from ingest.notices import admin_chat_ids, notify_feed_paused
from ingest.poller import Poller
from ingest.retrain import retrain_from_teaching
from ingest.websub import WebSubReceiver, start_receiver, subscribe_due
from presentation.i18n import LANGUAGES, normalise_language, t
from storage.db import Database
from storage.models import Feed

log = logging.getLogger(__name__)

WEBSUB_CHECK = timedelta(minutes=10)  # how often feeds that name a hub are checked for a due (re)subscription

LINK_KEY = "telegram_link"
LOOP_KEY = "telegram_update_loop"


def telegram_link(application: Application) -> TelegramLink:
    link = application.bot_data.get(LINK_KEY)
    if link is None:
        link = application.bot_data[LINK_KEY] = TelegramLink()
    return link


USER_COMMANDS = (
    "start",
    "help",
    "topics",
    "subscribe",
    "unsubscribe",
    "mysubs",
    "settings",
    "latest",
    "search",
    "events",
    "trends",
    "digest",
    "language",
)
GROUP_ADMIN_COMMANDS = ("subscribe", "unsubscribe", "mysubs", "settings", "latest", "digest", "help")
ADMIN_COMMANDS = (
    "feeds",
    "addfeed",
    "removefeed",
    "pausefeed",
    "stats",
    "chats",
    "review",
    "audit",
    "retrain",
    "export",
)


def build_application(settings: Settings, database: Database, *, annotator: Annotator | None = None) -> Application:
    """The bot: HTML by default, link previews off, every send through the shared pacer."""
    token = settings.bot.token
    if not token:
        raise ValueError("build_application needs settings.bot.token (console mode supplies its own)")
    install_token_redactor(token)
    pacer = make_pacer(settings.delivery, database)  # shared through PostgreSQL with any workers
    builder = (
        ApplicationBuilder()
        .token(token)
        .defaults(bot_defaults())
        .rate_limiter(PacedRateLimiter(pacer))
        .concurrent_updates(8)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    link = TelegramLink()
    builder = builder.get_updates_request(LinkRequest(link))  # every getUpdates answer reaches the link
    if settings.bot.base_url:
        builder = builder.base_url(settings.bot.base_url)
    if settings.bot.base_file_url:
        builder = builder.base_file_url(settings.bot.base_file_url)
    application = builder.build()
    application.bot_data[LINK_KEY] = link
    runtime = Runtime(settings=settings, database=database, pacer=pacer, annotator=annotator)
    runtime.retrain = partial(retrain_now, settings, database)
    application.bot_data[RUNTIME_KEY] = runtime
    register_all(application)
    application.add_error_handler(on_error)
    return application


async def retrain_now(settings: Settings, database: Database, force: bool) -> RetrainOutcome:
    """``topics retrain`` for /retrain: the weights beside the database, loaded on the next start."""
    return await retrain_from_teaching(
        database,
        settings.topics,
        settings.analysis,
        corpus_path=Path(settings.analysis.examples_path or DEFAULT_EXAMPLES_PATH),
        out_path=retrained_classifier_path(settings),
        quorum=settings.review.feedback_quorum,
        folds=settings.review.retrain_folds,
        force=force,
    )


def settings_of(application: Application) -> Settings:
    """The whole configuration (handlers see only their part of it, through the Runtime)."""
    settings = get_runtime(application).settings
    assert isinstance(settings, Settings)
    return settings


def _commands(names: tuple[str, ...], lang: str) -> list[BotCommand]:
    return [BotCommand(name, t(lang, f"commands.{name}")) for name in names]


async def set_command_menus(application: Application) -> None:
    """Menus per scope and language: everyone, private chats, group admins, and each bot admin."""
    bot = application.bot
    runtime = get_runtime(application)
    for lang in LANGUAGES:
        code = None if lang == "en" else lang  # English is the menu for every other language too
        for scope, names in (
            (BotCommandScopeDefault(), USER_COMMANDS),
            (BotCommandScopeAllPrivateChats(), USER_COMMANDS),
            (BotCommandScopeAllChatAdministrators(), GROUP_ADMIN_COMMANDS),
        ):
            await bot.set_my_commands(_commands(names, lang), scope=scope, language_code=code)
        for admin in sorted(runtime.settings.bot.admins):
            with contextlib.suppress(TelegramError):  # an admin who never opened the bot has no chat
                await bot.set_my_commands(
                    _commands(USER_COMMANDS + ADMIN_COMMANDS, lang),
                    scope=BotCommandScopeChat(admin),
                    language_code=code,
                )


async def post_init(application: Application) -> None:
    try:
        await set_command_menus(application)
    except TelegramError as exc:
        log.warning("could not set the command menus: %s", exc)


async def post_shutdown(application: Application) -> None:
    runtime = get_runtime(application)
    await stop_background(runtime)
    if runtime.http is not None:
        await runtime.http.aclose()
        runtime.http = None


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure, tell the admins' chat, and give the user a short apology."""
    error = context.error
    log.error("handling an update failed: %s", error, exc_info=error)
    runtime = get_runtime(context.application)
    summary = redact(f"{type(error).__name__}: {error}")[:600]
    for target in admin_chat_ids(runtime.settings.bot):
        await _send_once_more_after_flood(
            context, target, t(runtime.settings.bot.default_language, "error.admin", error=summary)
        )
    if isinstance(update, Update) and update.effective_chat is not None:
        lang = runtime.settings.bot.default_language
        if update.effective_user is not None and update.effective_user.language_code:
            lang = normalise_language(update.effective_user.language_code, lang)
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(update.effective_chat.id, t(lang, "error.internal"))


async def _send_once_more_after_flood(context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str) -> None:
    """A burst of failures must not lose admin notices to Telegram's per-chat limit: a 429 blocks the chat in
    the pacer, so the second try waits its turn there; any other error is dropped (this is the error path)."""
    for _attempt in range(2):
        try:
            await context.bot.send_message(chat_id, text)
            return
        except RetryAfter:
            continue
        except TelegramError:
            return


async def start_background(application: Application, *, poll_feeds: bool = True) -> None:
    """The outbox sender as a task; feed polling, digests, spike alerts and weekly summaries as JobQueue jobs."""
    runtime = get_runtime(application)
    settings = settings_of(application)
    worker = worker_id("bot")
    sender = Sender(runtime.database, application.bot, runtime.pacer, settings.delivery, worker=worker)
    sender.topic_name = runtime.topic_name  # topic names in spike and weekly pictures
    runtime.sender = sender
    runtime.sender_task = asyncio.create_task(sender.run(), name="outbox-sender")
    runtime.sender_task.add_done_callback(_sender_ended)
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    jobs = Jobs(
        runtime.database,
        worker,
        wake_sender=runtime.wake_sender,
        poll_interval=settings.feeds.tick,
        keep_items=timedelta(days=settings.retention.items_days),
        keep_outbox=timedelta(days=settings.retention.outbox_days),
    )
    if poll_feeds:
        runtime.http = build_client(settings.feeds.limits, max_connections=settings.feeds.max_concurrency)

        async def on_paused(feed: Feed) -> None:
            await notify_feed_paused(runtime.database, settings.bot, feed)
            runtime.wake_sender()

        push_interval = settings.websub.poll_interval if settings.websub.enabled else None
        runtime.poller = jobs.poller = Poller(
            runtime.database,
            runtime.http,
            settings.feeds,
            runtime.annotator,
            on_paused=on_paused,
            worker=worker,
            push_poll_interval=push_interval,
        )
        if settings.websub.enabled:
            await _start_websub(application, runtime, settings, queue)
    schedule_on_job_queue(queue, jobs, ["digests", "spikes", "weekly", "prune", *(["poll"] if poll_feeds else [])])


async def _start_websub(application: Application, runtime: Runtime, settings: Settings, queue: JobQueue) -> None:
    """The hub callback on websub.listen:port, and a job that (re)subscribes feeds that name a hub."""
    assert runtime.poller is not None and runtime.http is not None
    receiver = WebSubReceiver(
        runtime.database,
        runtime.poller,
        settings.websub,
        max_body_bytes=settings.feeds.limits.max_body_bytes,
        on_stored=runtime.wake_sender,
    )
    runtime.websub_runner = await start_receiver(receiver)
    http = runtime.http

    async def subscribe(_context: ContextTypes.DEFAULT_TYPE) -> None:
        await subscribe_due(runtime.database, http, settings.websub, settings.feeds.limits)

    queue.run_repeating(
        subscribe, interval=WEBSUB_CHECK.total_seconds(), first=1, name="websub", job_kwargs={"max_instances": 1}
    )
    runtime.poller.on_new_hub = lambda: queue.run_once(subscribe, 0, name="websub-now")


def _sender_ended(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the outbox sender stopped", exc_info=task.exception())


async def stop_background(runtime: Runtime) -> None:
    websub, runtime.websub_runner = runtime.websub_runner, None
    if websub is not None:
        await websub.cleanup()
    task, runtime.sender_task = runtime.sender_task, None
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@asynccontextmanager
async def running(
    application: Application, *, poll_feeds: bool = True, receive: bool = True
) -> AsyncIterator[Application]:
    """Initialise, start background work and receive updates (long polling or webhook) until exit."""
    runtime = get_runtime(application)
    await application.initialize()
    try:
        await post_init(application)
        await application.start()
        await start_background(application, poll_feeds=poll_feeds)
        if receive:
            await _receive(application, runtime)
        yield application
    finally:
        loop = application.bot_data.pop(LOOP_KEY, None)
        if loop is not None:
            await loop.stop()
        await stop_updater(application.updater)
        await stop_background(runtime)
        if application.running:
            await application.stop()
        await application.shutdown()
        await post_shutdown(application)


async def _receive(application: Application, runtime: Runtime) -> None:
    bot = runtime.settings.bot
    updater = application.updater
    assert updater is not None
    if bot.mode == "webhook":
        await updater.start_webhook(
            listen=bot.webhook.listen,
            port=bot.webhook.port,
            url_path=bot.webhook.path,
            webhook_url=bot.webhook.url,
            secret_token=bot.webhook.secret_token,
            allowed_updates=Update.ALL_TYPES,
        )
        return
    loop = application.bot_data[LOOP_KEY] = UpdateLoop(application, telegram_link(application))
    await loop.start()
