"""Console mode: the same handlers in a console chat, typed commands in, readable text out."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.console import run_console
from bot.settings import settings_from_mapping
from storage.db import Database
from tests.bot.conftest import TOPICS, store_item

ROOT = Path(__file__).resolve().parents[2]


async def test_console_chat_runs_commands_and_presses_buttons(sqlite_database: Database) -> None:
    settings = settings_from_mapping({"topics": TOPICS}, {"COOPWATCH_DATABASE_URL": sqlite_database.url})
    stdin = io.StringIO("/start\n/subscribe\n2\n/mysubs\n/addfeed nonsense\n/quit\n")
    out = io.StringIO()
    await run_console(settings, sqlite_database, stdin=stdin, stdout=out, poll_feeds=False)
    text = out.getvalue()
    assert "Next step: /subscribe" in text
    assert "[2] Public health & epidemics" in text
    assert "bot (edited)> Public health & epidemics: choose one or more countries" in text
    assert "Give the feed's address" in text  # the console user may try the admin commands


@pytest.mark.slow(15)
def test_python_m_bot_run_without_a_token_is_a_console_chat(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "COOPWATCH_"))}
    env["COOPWATCH_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'console.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        input="/start\n/topics\n/quit\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Next step: /subscribe" in result.stdout
    assert "Topics" in result.stdout and "public_health" in result.stdout


async def test_console_saves_a_sent_chart_and_prints_its_path(sqlite_database: Database, tmp_path: Path) -> None:
    settings = settings_from_mapping({"topics": TOPICS}, {"COOPWATCH_DATABASE_URL": sqlite_database.url})
    for title in ("Floods in Almaty region", "Rescuers train in Bishkek"):
        await store_item(sqlite_database, title)
    out = io.StringIO()
    files = tmp_path / "files"
    await run_console(
        settings, sqlite_database, stdin=io.StringIO("/trends\n/quit\n"), stdout=out, poll_feeds=False, files_dir=files
    )
    [line] = [line for line in out.getvalue().splitlines() if "file saved: " in line]
    path = Path(line.split("file saved: ", 1)[1].split(", ", 1)[0])
    assert path.parent == files.resolve() and path.suffix == ".png"
    assert (await asyncio.to_thread(path.read_bytes)).startswith(b"\x89PNG")
    assert "Total: 2" in line
