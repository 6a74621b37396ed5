"""What a newcomer meets first: /help lists every command the README lists (both languages), and
``run --help`` explains console mode, TELEGRAM_BOT_TOKEN and --config."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from presentation.i18n import LANGUAGES, t
from tests.ingest.test_cli import run_cli

ROOT = Path(__file__).resolve().parents[2]


def readme_bot_commands() -> set[str]:
    """Every /command named in the README's "In Telegram" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## In Telegram", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`(/[a-z_]+)", section))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_help_lists_every_command_of_the_readme(lang: str) -> None:
    commands = readme_bot_commands()
    assert {"/trends", "/events", "/addfeed", "/review", "/digest"} <= commands
    help_text = t(lang, "start.help") + "\n" + t(lang, "start.help_admin")
    shown = set(re.findall(r"(/[a-z_]+)", help_text))
    assert commands - {"/start", "/help"} <= shown, sorted(commands - shown)


def test_run_help_explains_console_mode_the_token_and_the_config(tmp_path) -> None:
    result = run_cli("run", "--help", cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "TELEGRAM_BOT_TOKEN" in text and "console mode" in text and "--config" in text
    assert "/quit" in text and "admin" in text
