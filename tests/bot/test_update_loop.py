"""Finding 6: a 401 on getUpdates ends python-telegram-bot's polling loop for good. Coopwatch heals it: when getMe
still accepts the token, polling starts again after a back-off and commands are answered; 5xx answers are retried
and /healthz reports the link (last successful getUpdates, last error), not ok while it keeps failing. A token that
getMe refuses too, or a 401 that persists over restarts, is revoked: /healthz says not ok and ``run`` exits
(tests/bot/test_run_exit.py checks the process)."""

from __future__ import annotations

import logging

import pytest

from bot import update_loop
from bot.app import telegram_link
from bot.ops.health import Health
from emulator.faults import Fault, server_error
from tests.bot.conftest import Harness

UNAUTHORIZED = Fault(401, "Unauthorized")


@pytest.fixture(autouse=True)
def quick_link(monkeypatch) -> None:
    """Autouse, so set before the harness starts polling: a 1 s long poll, stale after 4 s, quick checks."""
    monkeypatch.setattr(update_loop, "POLL_TIMEOUT", 1)
    monkeypatch.setattr(update_loop, "STALE_AFTER", 4.0)
    monkeypatch.setattr(update_loop, "TOKEN_CHECKS", (0.05, 0.05, 0.05))
    monkeypatch.setattr(update_loop, "RESTART_BACKOFF", (0.1, 0.4))


async def _answered(h: Harness, user: int) -> None:
    h.emulator.add_user(user, "Aida")
    [reply] = await h.say(user, "/start", timeout=30)
    assert reply.text


async def test_a_401_on_get_updates_with_a_good_token_heals(harness: Harness) -> None:
    h = harness
    link = telegram_link(h.app)
    await h.wait(lambda: link.last_ok_at is not None)
    h.emulator.fail_next(None, UNAUTHORIZED, count=2, methods=["getUpdates"])
    await h.wait(lambda: link.restarts == 2 and link.polling, timeout=30)
    await _answered(h, 250_001)  # the new loop receives commands
    report = link.report()
    assert report["ok"] is True and not link.revoked.is_set()
    assert "401" in report["last_error"] and report["seconds_since_get_updates_ok"] < 4
    assert h.emulator.stats()["calls"]["getUpdates"] >= 4  # two refused, then polling again


async def test_5xx_answers_are_reported_then_retried(harness: Harness) -> None:
    h = harness
    link = telegram_link(h.app)
    await h.wait(lambda: link.last_ok_at is not None)
    h.emulator.fail_next(None, server_error(502), count=2, methods=["getUpdates"])
    await h.wait(lambda: link.last_error is not None and "Bad Gateway" in link.last_error, timeout=30)
    failed_at = link.last_error_at
    await h.wait(lambda: link.last_ok_at > failed_at, timeout=30)
    await _answered(h, 250_002)
    assert link.report()["ok"] is True and link.restarts == 0  # python-telegram-bot's own retry did it


async def test_health_is_not_ok_while_get_updates_keeps_failing(harness: Harness) -> None:
    h = harness
    link = telegram_link(h.app)
    health = Health("bot", "test")
    health.database_checked(None)
    health.telegram = link.report
    await h.wait(lambda: link.last_ok_at is not None)
    assert health.report()[0] is True
    h.emulator.fail_next(None, server_error(503), count=10_000, methods=["getUpdates"])
    await h.wait(lambda: not health.report()[0], timeout=30)
    _, body = health.report()
    assert body["telegram"]["polling"] is True and body["telegram"]["failures_in_a_row"] >= 1
    assert "503" in body["telegram"]["last_error"]
    h.emulator.clear_faults()
    await h.wait(lambda: health.report()[0], timeout=40)  # PTB's back-off is at most 30 s
    await _answered(h, 250_003)


async def test_a_401_that_persists_over_restarts_is_a_revoked_token(harness: Harness, caplog) -> None:
    h = harness
    caplog.set_level(logging.INFO, logger="bot.update_loop")
    link = telegram_link(h.app)
    h.emulator.fail_next(None, UNAUTHORIZED, count=10_000, methods=["getUpdates"])  # getMe still works
    await h.wait(link.revoked.is_set, timeout=30)
    assert link.restarts == update_loop.REFUSED_RESTARTS - 1
    assert "in a row" in link.reason and link.report()["ok"] is False
    h.emulator.clear_faults()


async def test_a_revoked_token_turns_health_not_ok(harness: Harness, caplog) -> None:
    h = harness
    caplog.set_level(logging.INFO)
    link = telegram_link(h.app)
    health = Health("bot", "test")
    health.database_checked(None)
    health.telegram = link.report
    await h.wait(lambda: health.report()[0])
    h.emulator.fail_next(None, UNAUTHORIZED, count=10_000, methods=None)  # every method: the token is gone
    await h.wait(link.revoked.is_set, timeout=15)
    healthy, body = health.report()
    assert healthy is False and body["telegram"]["ok"] is False
    assert "401" in body["telegram"]["reason"] and link.restarts == 0
    assert any("refuses the bot token" in r.getMessage() for r in caplog.records)
    secret = h.emulator.token.split(":", 1)[1]
    assert not [r.getMessage() for r in caplog.records if secret in r.getMessage()]
    h.emulator.clear_faults()  # the harness stops the application: the dead loop must not make that fail
