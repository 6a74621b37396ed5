"""Finding 6, the process: ``python -m bot run`` against the emulator. A revoked token ends it with status 3 and a
clear critical line (without the token), promptly, whether Telegram refuses it at start-up or while running;
SIGTERM ends it with 0, also while the update loop is down and its token check is under way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.run import EXIT_TOKEN_REVOKED
from emulator import Emulator
from emulator.faults import Fault
from testkit.workers import ROOT, write_config

UNAUTHORIZED = Fault(401, "Unauthorized")


class Bot:
    def __init__(self, tmp_path: Path, emulator: Emulator) -> None:
        config = write_config(tmp_path / "config.toml", f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "COOPWATCH_"))}
        env |= {
            "TELEGRAM_BOT_TOKEN": emulator.token,
            "TELEGRAM_API_BASE_URL": emulator.base_url,
            "TELEGRAM_API_BASE_FILE_URL": emulator.base_file_url,
            "PYTHONUNBUFFERED": "1",
        }
        self.log_path = tmp_path / "bot.log"
        self.emulator = emulator
        with self.log_path.open("w") as log:
            command = [sys.executable, "-m", "bot", "--config", str(config), "run"]
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def wait_polling(self) -> None:
        self.emulator.wait_until(lambda: self.emulator.calls["getUpdates"] >= 1 or self.process.poll(), timeout=60)
        assert self.process.poll() is None, self.log()

    def exit_status(self, timeout: float = 30) -> int:  # noqa: ASYNC109
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running after {timeout}s:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def messages(self, level: str | None = None) -> list[str]:
        records = []
        for line in self.log().splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                records.append({"message": line, "level": "RAW"})
        return [r.get("message", "") for r in records if level is None or r.get("level") == level]


@pytest.fixture
def bot(tmp_path: Path, emulator: Emulator) -> Iterator[Bot]:
    started = Bot(tmp_path, emulator)
    yield started
    if started.process.poll() is None:
        started.process.kill()
        started.process.wait(10)


def _no_token(bot: Bot) -> None:
    secret = bot.emulator.token.split(":", 1)[1]
    assert secret.lower() not in bot.log().lower()


def test_sigterm_exits_0(bot: Bot) -> None:
    bot.wait_polling()
    bot.process.send_signal(signal.SIGTERM)
    assert bot.exit_status() == 0, bot.log()[-3000:]


@pytest.mark.slow(20)
def test_a_token_revoked_while_running_exits_3(bot: Bot) -> None:
    bot.wait_polling()
    bot.emulator.fail_next(None, UNAUTHORIZED, count=100_000, methods=None)
    assert bot.exit_status(timeout=40) == EXIT_TOKEN_REVOKED, bot.log()[-3000:]
    assert any("refuses the bot token" in m for m in bot.messages("CRITICAL")), bot.log()[-3000:]
    _no_token(bot)


@pytest.mark.slow(15)
def test_sigterm_while_the_update_loop_is_down_exits_0(bot: Bot) -> None:
    bot.wait_polling()
    bot.emulator.fail_next(None, UNAUTHORIZED, count=100_000, methods=None)
    # The loop is down once getMe (the token check) has been refused.
    bot.emulator.wait_until(
        lambda: any(method.lower() == "getme" for _, method, _ in bot.emulator.faults.fired), timeout=30
    )
    bot.process.send_signal(signal.SIGTERM)
    assert bot.exit_status() == 0, bot.log()[-3000:]
    _no_token(bot)


def test_a_token_refused_at_start_up_exits_3(tmp_path: Path, emulator: Emulator) -> None:
    emulator.fail_next(None, UNAUTHORIZED, count=100_000, methods=None)
    bot = Bot(tmp_path, emulator)
    try:
        assert bot.exit_status(timeout=60) == EXIT_TOKEN_REVOKED, bot.log()[-3000:]
    finally:
        if bot.process.poll() is None:
            bot.process.kill()
    assert any("refuses the bot token" in m for m in bot.messages("CRITICAL")), bot.log()[-3000:]
    _no_token(bot)
