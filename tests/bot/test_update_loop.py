"""Finding 6: a 401 on getUpdates ends python-telegram-bot's polling loop for good. Coopwatch notices: /healthz
reports not ok, the log says whether getMe refuses the token too (revoked), ``run`` exits non-zero so the service
manager restarts it, and the stop afterwards is clean (no InvalidToken re-raised from updater.stop)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot import app as app_module
from bot.app import telegram_link
from bot.ops.health import Health
from emulator.faults import Fault
from tests.bot.conftest import Harness

UNAUTHORIZED = Fault(401, "Unauthorized")


@pytest.fixture(autouse=True)
def quick_token_checks(monkeypatch) -> None:
    monkeypatch.setattr(app_module, "TOKEN_CHECKS", (0.05, 0.05, 0.05))


async def test_a_401_on_get_updates_alone_is_detected(harness: Harness, caplog) -> None:
    h = harness
    caplog.set_level(logging.CRITICAL, logger="bot.app")
    link = telegram_link(h.app)
    h.emulator.fail_next(None, UNAUTHORIZED, count=3, methods=["getUpdates"])
    await asyncio.wait_for(link.revoked.wait(), timeout=30)
    assert link.report()["ok"] is False
    assert "getMe still accepts the token" in link.reason


async def test_a_revoked_token_turns_health_not_ok(harness: Harness, caplog) -> None:
    h = harness
    caplog.set_level(logging.CRITICAL, logger="bot.app")
    link = telegram_link(h.app)
    health = Health("bot", "test")
    health.database_checked(None)
    health.telegram = link.report
    assert health.report()[0] is True
    h.emulator.fail_next(None, UNAUTHORIZED, count=10_000, methods=None)  # every method: the token is gone
    await asyncio.wait_for(link.revoked.wait(), timeout=15)
    healthy, body = health.report()
    assert healthy is False and body["telegram"]["ok"] is False
    assert "401" in body["telegram"]["reason"]
    assert any("refuses the bot token" in r.getMessage() for r in caplog.records)
    h.emulator.clear_faults()  # the harness stops the application: the dead loop must not make that fail
