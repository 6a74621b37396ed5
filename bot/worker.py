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
import resource
import signal
from collections.abc import Awaitable, Callable
from typing import Literal

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.bootstrap import build_bot, load_annotator, open_database, process_worker_id
from bot.jobs import Jobs, schedule_on_scheduler
from bot.ops.health import operations
from bot.settings import Settings
from delivery.pacing import make_pacer
from delivery.sender import Sender
from feeds.fetch import build_client
from ingest.notices import notify_feed_paused
from ingest.poller import Poller, make_parse_pool
from storage.db import Database
from storage.models import Feed

log = logging.getLogger(__name__)

Role = Literal["poll", "deliver", "all"]
ROLES: tuple[Role, ...] = ("poll", "deliver", "all")
LIVENESS_SECONDS = 10


class WorkerError(RuntimeError):
    """The worker cannot start as configured (the message says what to change)."""


async def run_worker(
    settings: Settings,
    role: Role,
    *,
    worker_id: str | None = None,
    metrics_port: int | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run until SIGTERM/SIGINT (or ``stop``): migrate, then poll and/or deliver."""
    if role not in ROLES:
        raise WorkerError(f"--role: expected one of {', '.join(ROLES)}, got {role!r}")
    if role != "poll" and not settings.bot.token:
        raise WorkerError(f"a {role} worker sends messages and needs TELEGRAM_BOT_TOKEN in its environment")
    worker_id = worker_id or process_worker_id(role)
    stop = stop or _stop_on_signals()
    async with open_database(settings) as database:
        if database.is_sqlite:
            log.warning("SQLite: run a single worker (several processes need PostgreSQL)")
        async with operations(settings.metrics, database, role=role, worker=worker_id, port=metrics_port) as health:
            scheduler = AsyncIOScheduler()
            jobs = Jobs(database, worker_id, health=health, poll_interval=settings.feeds.tick)
            cleanups: list[Callable[[], Awaitable[None]]] = []
            try:
                if role in ("deliver", "all"):
                    cleanups.append(await _start_delivery(settings, database, scheduler, jobs))
                if role in ("poll", "all"):
                    cleanups.append(await _start_polling(settings, database, scheduler, jobs))
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
    settings: Settings, database: Database, scheduler: AsyncIOScheduler, jobs: Jobs
) -> Callable[[], Awaitable[None]]:
    feeds = settings.feeds
    annotator = await asyncio.to_thread(load_annotator, settings)
    client = build_client(feeds.limits, max_connections=feeds.max_concurrency)
    pool = make_parse_pool(feeds.parse_workers)

    async def on_paused(feed: Feed) -> None:
        await notify_feed_paused(database, settings.bot, feed)

    jobs.poller = Poller(database, client, feeds, annotator, on_paused=on_paused, parse_pool=pool, worker=jobs.worker)
    schedule_on_scheduler(scheduler, jobs, ["poll"])

    async def cleanup() -> None:
        await client.aclose()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    return cleanup


async def _start_delivery(
    settings: Settings, database: Database, scheduler: AsyncIOScheduler, jobs: Jobs
) -> Callable[[], Awaitable[None]]:
    if not settings.bot.token:
        raise WorkerError("a deliver worker needs TELEGRAM_BOT_TOKEN in its environment")
    pacer = make_pacer(settings.delivery, database)
    bot = build_bot(settings, pacer)
    await bot.initialize()
    sender = Sender(database, bot, pacer, settings.delivery, worker=jobs.worker)
    jobs.wake_sender = sender.wake
    task = asyncio.create_task(sender.run(), name="outbox-sender")
    health = jobs.health
    assert health is not None

    async def liveness() -> None:
        if not task.done():
            health.beat("deliver")
        elif not task.cancelled() and task.exception() is not None:
            log.error("the outbox sender stopped", exc_info=task.exception())

    health.beat("deliver")
    scheduler.add_job(liveness, "interval", seconds=LIVENESS_SECONDS, id="liveness")
    schedule_on_scheduler(scheduler, jobs, ["digests"])

    async def cleanup() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        late = getattr(pacer, "late_slots", 0)
        arrivals = getattr(pacer, "late_arrivals", 0)
        log.info(
            "worker %s sent %d messages (%d send slots passed unused, %d recorded a late arrival)",
            jobs.worker,
            sender.stats.sent,
            late,
            arrivals,
        )
        await bot.shutdown()

    return cleanup
