"""Wiring: webhook mode with a secret token, the error handler, and the paused-feed notice to admins."""

from __future__ import annotations

import socket
from datetime import timedelta

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from bot.app import build_application, running
from emulator import Emulator
from ingest.notices import notify_feed_paused
from storage import feeds as feed_store
from storage.db import Database
from tests.bot.conftest import ADMIN, Harness, make_settings

USER = 800001


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_mode_with_a_secret_token(emulator: Emulator, sqlite_database: Database) -> None:
    port = free_port()
    settings = make_settings(
        emulator,
        sqlite_database,
        bot={
            "admins": [ADMIN],
            "mode": "webhook",
            "webhook": {"listen": "127.0.0.1", "port": port, "path": "hook", "url": f"http://127.0.0.1:{port}/hook"},
        },
    )
    from dataclasses import replace

    settings = replace(
        settings, bot=replace(settings.bot, webhook=replace(settings.bot.webhook, secret_token="s3cret-token"))
    )
    app = build_application(settings, sqlite_database)
    async with running(app, poll_feeds=False):
        assert emulator.webhook and emulator.webhook["secret_token"] == "s3cret-token"
        emulator.add_user(USER, "Hooked")
        emulator.inject_message(USER, "/start")
        [reply] = await emulator.wait_for_messages_async(USER, 1)
        assert "Next step: /subscribe" in reply.text


async def test_errors_are_logged_and_told_to_admins_and_the_user(harness: Harness) -> None:
    h = harness

    async def boom(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        raise RuntimeError("handler exploded")

    h.app.add_handler(CommandHandler("boom", boom))
    h.emulator.add_user(ADMIN, "Admin")
    h.emulator.add_user(USER, "User")
    [sorry] = await h.say(USER, "/boom")
    assert "something went wrong" in sorry.text
    [notice] = await h.emulator.wait_for_messages_async(ADMIN, 1)
    assert "RuntimeError: handler exploded" in notice.text


async def test_admins_are_told_when_a_feed_is_paused(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    async with h.database.session() as session:
        feed = await feed_store.add_feed(
            session, "https://broken.example.org/rss", title="Broken <feed>", interval=timedelta(hours=1)
        )
        feed.last_error = "http_404"
    assert await notify_feed_paused(h.database, h.runtime.settings.bot, feed) == 1
    assert await notify_feed_paused(h.database, h.runtime.settings.bot, feed) == 0  # once per streak
    h.runtime.wake_sender()
    [notice] = await h.emulator.wait_for_messages_async(ADMIN, 1)
    assert "Feed paused" in notice.text and "Broken <feed>" in notice.text and "http_404" in notice.text
