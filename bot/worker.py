"""``python -m bot worker --role poll|deliver|all``: a process without Telegram updates.

Any number of them share one PostgreSQL database: poll workers claim due feeds (storage/feeds.py), deliver
workers claim outbox rows (storage/outbox.py ``claim_due_paced``) and take send slots from the shared
budget (storage/pacing.py). Periodic work runs on one plain APScheduler AsyncIOScheduler (there is no
Application, so no JobQueue); the outbox sender is a long-running task. On SQLite run a single process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import resource
import signal
import socket
from collections.abc import Awaitable, Callable
from typing import Literal

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot
from telegram.request import HTTPXRequest

from bot.ops.health import Health, operations
from bot.settings import Settings
from delivery.pacing import PacedRateLimiter, make_pacer
from delivery.sender import Sender
from feeds.fetch import build_client
from handlers.runtime import Runtime
from ingest.poller import Poller, make_parse_pool
from model.polls import PollResult
from storage.db import Database

log = logging.getLogger(__name__)

Role = Literal["poll", "deliver", "all"]
ROLES: tuple[Role, ...] = ("poll", "deliver", "all")
DIGEST_CHECK_SECONDS = 60
LIVENESS_SECONDS = 10


class WorkerError(RuntimeError):
    """The worker cannot start as configured (the message says what to change)."""


def default_worker_id(role: str) -> str:
    return f"{socket.gethostname()}:{role}:{os.getpid()}"


def build_bot(settings: Settings, database: Database) -> ExtBot:
    """The Bot API client of a deliver worker: HTML, no link previews, every send through the shared pacer."""
    if not settings.bot.token:
        raise WorkerError("a deliver worker needs TELEGRAM_BOT_TOKEN in its environment")
    pacer = make_pacer(settings.delivery, database)
    kwargs = {}
    if settings.bot.base_url:
        kwargs["base_url"] = settings.bot.base_url
    if settings.bot.base_file_url:
        kwargs["base_file_url"] = settings.bot.base_file_url
    return ExtBot(
        settings.bot.token,
        defaults=Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)),
        rate_limiter=PacedRateLimiter(pacer),
        request=HTTPXRequest(connection_pool_size=64),
        **kwargs,
    )


async def run_worker(
    settings: Settings,
    role: Role,
    *,
    worker_id: str | None = None,
    metrics_port: int | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run until SIGTERM/SIGINT (or ``stop``): migrate, then poll and/or deliver."""
    from bot.cli import open_database

    if role not in ROLES:
        raise WorkerError(f"--role: expected one of {', '.join(ROLES)}, got {role!r}")
    if role != "poll" and not settings.bot.token:
        raise WorkerError(f"a {role} worker sends messages and needs TELEGRAM_BOT_TOKEN in its environment")
    worker_id = worker_id or default_worker_id(role)
    stop = stop or _stop_on_signals()
    async with open_database(settings) as database:
        if database.is_sqlite:
            log.warning("SQLite: run a single worker (several processes need PostgreSQL)")
        async with operations(settings.metrics, database, role=role, worker=worker_id, port=metrics_port) as health:
            scheduler = AsyncIOScheduler()
            cleanups: list[Callable[[], Awaitable[None]]] = []
            try:
                if role in ("deliver", "all"):
                    cleanups.append(await _start_delivery(settings, database, scheduler, health, worker_id))
                if role in ("poll", "all"):
                    cleanups.append(await _start_polling(settings, database, scheduler, health, worker_id))
                scheduler.start()
                log.info("worker %s started (role %s)", worker_id, role)
                await stop.wait()
            finally:
                if scheduler.running:
                    scheduler.shutdown(wait=False)
                for cleanup in reversed(cleanups):
                    await cleanup()
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    log.info(
        "worker %s stopped; peak RSS %.1f MB (parse processes %.1f MB); CPU %.1f s (parse processes %.1f s)",
        worker_id,
        own.ru_maxrss / 1024,
        children.ru_maxrss / 1024,
        own.ru_utime + own.ru_stime,
        children.ru_utime + children.ru_stime,
    )


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def _start_polling(
    settings: Settings, database: Database, scheduler: AsyncIOScheduler, health: Health, worker_id: str
) -> Callable[[], Awaitable[None]]:
    from bot.cli import load_annotator
    from ingest.notices import notify_feed_paused

    feeds = settings.feeds
    annotator = await asyncio.to_thread(load_annotator, settings)
    client = build_client(feeds.limits, max_connections=feeds.max_concurrency)
    pool = make_parse_pool(feeds.parse_workers)

    async def on_paused(feed) -> None:  # noqa: ANN001 - storage.models.Feed
        await notify_feed_paused(database, settings.bot, feed)

    poller = Poller(database, client, feeds, annotator, on_paused=on_paused, parse_pool=pool, worker=worker_id)

    async def poll_pass() -> None:
        health.beat("poll")
        try:
            results = await poller.poll_due()
        except Exception:  # a database outage must not end the worker; the next tick retries
            log.exception("poll pass failed")
            return
        health.beat("poll")
        if results:
            log.info("worker %s polled %d feeds: %s", worker_id, len(results), _summary(results))

    scheduler.add_job(
        poll_pass,
        "interval",
        seconds=feeds.tick.total_seconds(),
        next_run_time=_now(),
        id="poll",
        max_instances=1,
        coalesce=True,
    )

    async def cleanup() -> None:
        await client.aclose()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    return cleanup


def _summary(results: list[PollResult]) -> str:
    new = sum(r.new_items for r in results)
    failed = sum(r.status == "error" for r in results)
    unchanged = sum(r.status == "not_modified" for r in results)
    return f"{new} new items, {unchanged} not modified, {failed} failed"


async def _start_delivery(
    settings: Settings, database: Database, scheduler: AsyncIOScheduler, health: Health, worker_id: str
) -> Callable[[], Awaitable[None]]:
    from handlers.digest import send_due_digests

    bot = build_bot(settings, database)
    await bot.initialize()
    limiter = bot.rate_limiter
    assert isinstance(limiter, PacedRateLimiter)
    sender = Sender(database, bot, limiter.pacer, settings.delivery, worker=worker_id)
    runtime = Runtime(settings=settings, database=database, pacer=limiter.pacer, sender=sender)
    task = asyncio.create_task(sender.run(), name="outbox-sender")

    async def liveness() -> None:
        if not task.done():
            health.beat("deliver")
        elif not task.cancelled() and task.exception() is not None:
            log.error("the outbox sender stopped", exc_info=task.exception())

    async def digests() -> None:
        try:
            await send_due_digests(runtime)
        except Exception:
            log.exception("digest pass failed")

    health.beat("deliver")
    scheduler.add_job(liveness, "interval", seconds=LIVENESS_SECONDS, id="liveness")
    scheduler.add_job(digests, "interval", seconds=DIGEST_CHECK_SECONDS, id="digests", max_instances=1, coalesce=True)

    async def cleanup() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        late = getattr(limiter.pacer, "late_slots", 0)
        arrivals = getattr(limiter.pacer, "late_arrivals", 0)
        log.info(
            "worker %s sent %d messages (%d send slots passed unused, %d recorded a late arrival)",
            worker_id,
            sender.stats.sent,
            late,
            arrivals,
        )
        await bot.shutdown()

    return cleanup


def _now():  # noqa: ANN202 - an aware datetime for APScheduler's first run
    from storage.models import utcnow

    return utcnow()
