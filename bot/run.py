"""``python -m bot run``: the bot with polling and delivery in one process; console mode when there is no token."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from telegram.error import InvalidToken
from telegram.ext import Application

from bot.app import build_application, running, telegram_link
from bot.bootstrap import load_annotator, open_database, worker_id
from bot.demo import demo_feeds, demo_settings, none_reachable, reset_demo_database, subscribe_all
from bot.ops.health import operations
from bot.settings import Settings
from storage.db import Database

log = logging.getLogger(__name__)


EXIT_TOKEN_REVOKED = 3  # Telegram refuses the token (bot.update_loop); systemd restarts, the admin sees it


async def run(settings: Settings, *, demo: bool = False) -> int:
    """The database is migrated and the configured feeds synced (bootstrap.open_database) before anything runs.
    Console mode (no token) with ``demo``, or when none of the configured feeds answers, serves the bundled
    demo feeds instead (bot/demo/), so a first run offline still shows alerts."""
    if settings.bot.token is None and not demo and await none_reachable(settings.feeds.sources):
        print(
            "None of the configured feeds answers (offline?): showing the bundled demo feeds instead; "
            "your database is untouched.",
            flush=True,
        )
        demo = True
    if demo:  # always a console chat, even with a token: the demo is for trying Coopwatch locally
        return await _run_demo_console(settings)
    async with open_database(settings) as database:
        if settings.bot.token is None:
            # The Bot API emulator is a development package that a production wheel may leave out.
            from bot.console import run_console

            await run_console(settings, database)
            return 0
        annotator = await asyncio.to_thread(load_annotator, settings)
        application = build_application(settings, database, annotator=annotator)
        try:
            return await _serve(settings, database, application)
        except InvalidToken:  # at start-up: getMe refused the token (its text is left out: it quotes the token)
            log.critical(
                "exiting with status %d: Telegram refuses the bot token (401 Unauthorized on getMe at start-up): "
                "revoked or wrong; set a valid TELEGRAM_BOT_TOKEN",
                EXIT_TOKEN_REVOKED,
            )
            return EXIT_TOKEN_REVOKED


async def _serve(settings: Settings, database: Database, application: Application) -> int:
    """Until SIGINT or SIGTERM (status 0), or until the update loop finds the token revoked (EXIT_TOKEN_REVOKED)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    link = telegram_link(application)
    async with (
        operations(settings.metrics, database, role="bot", worker=worker_id("bot")) as health,
        running(application),
    ):
        if settings.bot.mode == "polling":
            health.telegram = link.report
        log.info("bot running (%s)", settings.bot.mode)
        stopped = asyncio.create_task(stop.wait())
        revoked = asyncio.create_task(link.revoked.wait())
        await asyncio.wait({stopped, revoked}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        revoked.cancel()
    if link.revoked.is_set():
        log.critical("exiting with status %d: %s", EXIT_TOKEN_REVOKED, link.reason)
        return EXIT_TOKEN_REVOKED
    log.info("bot stopped")
    return 0


async def _run_demo_console(settings: Settings) -> int:
    # The Bot API emulator is a development package that a production wheel may leave out.
    from bot.console import CONSOLE_USER, run_console

    async with demo_feeds() as sources:
        settings = demo_settings(settings, sources)
        reset_demo_database(settings)
        print(f"Demo: {len(sources)} sample feeds on 127.0.0.1; demo database {settings.database_url}", flush=True)
        async with open_database(settings) as database:
            await subscribe_all(database, settings, CONSOLE_USER)  # before the first poll stores the stories
            await run_console(settings, database)
    return 0
