"""What every process starts with, whichever it is (the bot, a worker, the console, a CLI command): the
migrated database, the annotator, a Bot API client with Coopwatch's defaults, and its worker id."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot
from telegram.request import HTTPXRequest

from bot.settings import Settings
from delivery.pacing import PacedRateLimiter, Pacer
from storage import feeds as feed_store
from storage.db import Database
from storage.locks import schema_lock

if TYPE_CHECKING:
    from analysis import Annotator


def worker_id(role: str, pid: int | None = None) -> str:
    """The name a process's claims (feeds, outbox rows) carry: ``host:role``, or ``host:role:pid`` for one of
    several processes of a role on a host. A process that restarts under the same name takes back its own
    unfinished claims at once; under another, they come back when their lease runs out."""
    name = f"{socket.gethostname()}:{role}"
    return f"{name}:{pid}" if pid is not None else name


def process_worker_id(role: str) -> str:
    """``worker_id`` for this process, when several of ``role`` may run on one host."""
    return worker_id(role, os.getpid())


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[Database]:
    """The migrated database with the configured feeds present."""
    database = Database(settings.database_url)
    try:
        async with schema_lock(database):  # workers starting together take turns
            await database.upgrade()
            async with database.session() as session:
                await feed_store.sync_configured_feeds(
                    session,
                    [
                        (s.url, s.title, s.language, s.topics, s.interval or settings.feeds.default_interval)
                        for s in settings.feeds.sources
                    ],
                )
        yield database
    finally:
        await database.aclose()


def load_annotator(settings: Settings) -> Annotator:
    """The annotator for the configured topics (settings always has some)."""
    # analysis loads numpy, scikit-learn and the embedder (seconds): only the commands that annotate wait for it.
    from analysis import Annotator

    return Annotator.load(settings.topics, settings.analysis)


def bot_defaults() -> Defaults:
    """HTML by default, link previews off: every message Coopwatch sends."""
    return Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))


def build_bot(settings: Settings, pacer: Pacer) -> ExtBot:
    """A Bot API client without an Application (deliver workers): every send through ``pacer``."""
    if not settings.bot.token:
        raise ValueError("a Bot API client needs TELEGRAM_BOT_TOKEN in the environment")
    kwargs = {}
    if settings.bot.base_url:
        kwargs["base_url"] = settings.bot.base_url
    if settings.bot.base_file_url:
        kwargs["base_file_url"] = settings.bot.base_file_url
    return ExtBot(
        settings.bot.token,
        defaults=bot_defaults(),
        rate_limiter=PacedRateLimiter(pacer),
        request=HTTPXRequest(connection_pool_size=64),
        **kwargs,
    )
