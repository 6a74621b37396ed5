"""What every process starts with, whichever it is (the bot, a worker, the console, a CLI command): the
migrated database, the annotator, a Bot API client with Coopwatch's defaults, and its worker id."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from sqlalchemy.engine import make_url
from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot
from telegram.request import HTTPXRequest

from analysis import AnalysisSettings, Annotator
from bot.settings import ConfigError, Settings
from delivery.pacing import PacedRateLimiter, Pacer
from feeds.errors import FeedError
from ingest.add_feed import check_feed_url
from storage import feeds as feed_store
from storage.db import Database
from storage.locks import schema_lock


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
    await check_configured_sources(settings)
    database = Database(settings.database_url)
    try:
        async with schema_lock(database):  # workers starting together take turns
            await database.upgrade()
            async with database.session() as session:
                await feed_store.sync_configured_feeds(
                    session,
                    [
                        (s.url, s.name, s.language, s.topics, s.interval or settings.feeds.default_interval)
                        for s in settings.feeds.sources
                    ],
                )
                await feed_store.set_full_text_modes(
                    session, {s.url: s.full_text for s in settings.feeds.sources if s.full_text is not None}
                )
        yield database
    finally:
        await database.aclose()


async def check_configured_sources(settings: Settings) -> None:
    """Every ``[[feeds.sources]]`` URL through the add paths' address check before anything starts: a refused
    one stops the start with a ConfigError naming its key."""
    for i, source in enumerate(settings.feeds.sources):
        try:
            await check_feed_url(source.url, settings.feeds, offline_ok=True)
        except FeedError as exc:
            raise ConfigError(f"feeds.sources[{i}].url: {exc.code}: {exc}") from None


RETRAINED_CLASSIFIER = "classifier.npz"


def data_dir(settings: Settings) -> Path:
    """Where Coopwatch keeps what it makes: the SQLite file's folder, else ./data (as the default database)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).parent
    return Path("data")


def retrained_classifier_path(settings: Settings) -> Path:
    """Where ``topics retrain`` writes the weights: ``analysis.classifier_path`` when set, else the data folder
    (never the installed package, which may be read-only and is replaced on upgrade)."""
    if settings.analysis.classifier_path:
        return Path(settings.analysis.classifier_path)
    return data_dir(settings) / RETRAINED_CLASSIFIER


def annotator_settings(settings: Settings) -> AnalysisSettings:
    """``settings.analysis``, pointed at retrained weights in the data folder when there are some (without any,
    the annotator loads the weights shipped in analysis/data/)."""
    retrained = retrained_classifier_path(settings)
    if settings.analysis.classifier_path or not retrained.is_file():
        return settings.analysis
    return replace(settings.analysis, classifier_path=str(retrained))


def load_annotator(settings: Settings) -> Annotator:
    """The annotator for the configured topics (settings always has some); loading the models takes seconds,
    so only the commands that annotate call this."""
    return Annotator.load(settings.topics, annotator_settings(settings))


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
