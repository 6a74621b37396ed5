"""The periodic work of a process, as plain coroutines that both schedulers run: PTB's JobQueue in the bot
(``schedule_on_job_queue``) and a plain APScheduler scheduler in the workers (``schedule_on_scheduler``).

Each job is safe to run as often as its scheduler likes: polls claim due feeds, digests go out once a day
per chat, spike alerts and weekly summaries have dedupe keys.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram.ext import ContextTypes, JobQueue

from bot.ops.health import Health
from delivery.digests import send_due_digests
from delivery.spikes import run_spike_check
from delivery.weekly import run_weekly_summaries
from ingest.poller import Poller
from model.polls import PollResult
from storage.db import Database
from storage.retention import PruneCounts, prune_database

log = logging.getLogger(__name__)

JobName = Literal["poll", "digests", "spikes", "weekly", "prune"]
PRUNE_CHECK = timedelta(days=1)
DIGEST_CHECK = timedelta(seconds=60)
REPORT_CHECK = timedelta(hours=1)  # spike alerts and weekly summaries


@dataclass
class Jobs:
    database: Database
    worker: str
    poller: Poller | None = None
    health: Health | None = None
    wake_sender: Callable[[], None] = lambda: None
    poll_interval: timedelta = timedelta(seconds=30)
    keep_items: timedelta = timedelta(days=365)  # [retention] items_days
    keep_outbox: timedelta = timedelta(days=30)  # [retention] outbox_days

    async def poll(self) -> None:
        """One pass over the due feeds; the sender is woken when alerts were queued."""
        if self.poller is None:
            return
        self._beat("poll")
        results = await self.poller.poll_due()
        self._beat("poll")
        if any(r.alerts for r in results):
            self.wake_sender()
        if results:
            log.info("worker %s polled %d feeds: %s", self.worker, len(results), poll_summary(results))

    async def digests(self) -> None:
        if await send_due_digests(self.database):
            self.wake_sender()

    async def spikes(self) -> None:
        if await run_spike_check(self.database, datetime.now(UTC)):
            self.wake_sender()

    async def weekly(self) -> None:
        if await run_weekly_summaries(self.database, datetime.now(UTC)):
            self.wake_sender()

    async def prune(self) -> PruneCounts:
        """The daily retention pass (storage/retention.py)."""
        now = datetime.now(UTC)
        report = await prune_database(
            self.database, now=now, outbox_before=now - self.keep_outbox, items_before=now - self.keep_items
        )
        counts = report.counts
        if counts.outbox or counts.items:
            log.info("pruned %d outbox rows and %d items", counts.outbox, counts.items)
        return counts

    def _beat(self, loop: str) -> None:
        if self.health is not None:
            self.health.beat(loop)

    def plan(self, names: Sequence[JobName]) -> list[tuple[JobName, Callable[[], Awaitable[None]], timedelta, float]]:
        """(name, job, interval, seconds before the first run) for each named job."""
        table = {
            "poll": (self.poll, self.poll_interval, 1.0),
            "digests": (self.digests, DIGEST_CHECK, 5.0),
            "spikes": (self.spikes, REPORT_CHECK, 120.0),
            "weekly": (self.weekly, REPORT_CHECK, 180.0),
            "prune": (self.prune, PRUNE_CHECK, 600.0),
        }
        return [(name, *table[name]) for name in names]


def poll_summary(results: Sequence[PollResult]) -> str:
    new = sum(r.new_items for r in results)
    failed = sum(r.status == "error" for r in results)
    unchanged = sum(r.status == "not_modified" for r in results)
    return f"{new} new items, {unchanged} not modified, {failed} failed"


def schedule_on_job_queue(queue: JobQueue, jobs: Jobs, names: Sequence[JobName]) -> None:
    """The named jobs on PTB's JobQueue, never overlapping themselves."""
    for name, job, interval, first in jobs.plan(names):

        async def callback(_context: ContextTypes.DEFAULT_TYPE, job: Callable[[], Awaitable[None]] = job) -> None:
            await job()

        queue.run_repeating(
            callback,
            interval=interval.total_seconds(),
            first=first,
            name=name,
            job_kwargs={"max_instances": 1, "coalesce": True},
        )


def schedule_on_scheduler(scheduler: AsyncIOScheduler, jobs: Jobs, names: Sequence[JobName]) -> None:
    """The named jobs on a plain APScheduler scheduler (workers), never overlapping themselves. A failing run
    is logged by APScheduler and the next one goes ahead: a database outage must not end a worker."""
    for name, job, interval, first in jobs.plan(names):
        scheduler.add_job(
            job,
            "interval",
            seconds=interval.total_seconds(),
            next_run_time=datetime.now(UTC) + timedelta(seconds=0 if name == "poll" else first),
            id=name,
            max_instances=1,
            coalesce=True,
        )
