"""The demo: bundled feeds served on loopback with fresh dates, and ``python -m bot run --demo`` showing alerts."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import httpx
import pytest

from bot.demo import DEMO_FEEDS, demo_feeds, demo_settings, none_reachable, render_feed, reset_demo_database
from bot.settings import settings_from_mapping
from model.settings import FeedSourceConfig
from testkit.ports import refused_port
from tests.bot.conftest import TOPICS

ROOT = Path(__file__).resolve().parents[2]
ON_TOPIC = (
    "joint search and rescue exercise near Almaty",
    "Mudflow warning",
    "measles vaccination campaign",
    "мобильную лабораторию",
    "Orange earthquake alert",
    "Green flood alert",
)
OFF_TOPIC = "futsal cup"
TEST_TOPIC_NAME = "Public health, named by the test config"


def test_render_feed_fills_every_placeholder_with_a_fresh_date() -> None:
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    for name in DEMO_FEEDS:
        body = render_feed(name, now).decode("utf-8")
        assert "{{" not in body, name
        parsed = feedparser.parse(body)
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        for entry in parsed.entries:
            when = entry.get("published") or entry.get("updated")
            dated = parsedate_to_datetime(when) if "," in when else datetime.fromisoformat(when)
            assert now - timedelta(hours=6) <= dated <= now, (name, entry.title, when)
    assert "from 19 March 2026 to 21 March 2026" in render_feed("emergency.xml", now).decode()


async def test_demo_feeds_are_served_on_loopback_and_the_demo_database_is_a_sibling(tmp_path: Path) -> None:
    settings = settings_from_mapping(
        {"database": {"url": f"sqlite+aiosqlite:///{tmp_path / 'real.db'}"}, "topics": TOPICS}, {}
    )
    (tmp_path / "real-demo.db").write_bytes(b"left over from the last demo")
    async with demo_feeds() as sources, httpx.AsyncClient() as client:
        demo = demo_settings(settings, sources)
        assert (tmp_path / "real-demo.db").exists()  # settings alone change nothing on disk
        reset_demo_database(demo)
        for source in sources:
            assert source.url.startswith("http://127.0.0.1:")
            response = await client.get(source.url)
            assert response.status_code == 200 and b"(Coopwatch demo)" in response.content
        assert not await none_reachable(sources)  # they answer
    assert demo.database_url == f"sqlite+aiosqlite:///{tmp_path / 'real-demo.db'}"
    assert not (tmp_path / "real-demo.db").exists()  # each demo starts afresh
    assert demo.feeds.limits.allow_private_addresses and not settings.feeds.limits.allow_private_addresses
    assert demo.feeds.sources == sources


@pytest.fixture
def dead_port() -> Iterator[int]:
    """A port where connections are refused for the whole test: bound, never listening (testkit/ports.py)."""
    with refused_port() as port:
        yield port


async def test_none_reachable_when_every_feed_refuses_the_connection(dead_port: int) -> None:
    sources = [FeedSourceConfig(url=f"http://127.0.0.1:{dead_port}/feed{i}.xml") for i in range(3)]
    assert await none_reachable(sources, within=timedelta(seconds=3))


def _reader(stream, lines: queue.Queue[str | None]) -> None:
    for line in iter(stream.readline, ""):
        lines.put(line)
    lines.put(None)


def _wait_for(lines: queue.Queue[str | None], seen: list[str], wanted: tuple[str, ...], deadline: float) -> None:
    """Read the process's output until every ``wanted`` text has appeared (or fail at the deadline)."""
    while not all(any(w in line for line in seen) for w in wanted):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"waited in vain for {wanted}; output:\n{''.join(seen)[-4000:]}"
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            continue
        assert line is not None, f"the process ended; output:\n{''.join(seen)[-4000:]}"
        seen.append(line)


def _start(tmp_path: Path, *command: str) -> tuple[subprocess.Popen[str], queue.Queue[str | None]]:
    """``python -m bot --config tmp_path/config.toml COMMAND`` in console mode, its output read line by line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "COOPWATCH_"))}
    env |= {"COOPWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'coopwatch.db'}", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(tmp_path / "config.toml"), *command],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=env,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True).start()
    return process, lines


@pytest.mark.slow(20)
def test_python_m_bot_run_demo_shows_the_demo_alerts_with_the_configs_topics(tmp_path: Path) -> None:
    config = (ROOT / "config.toml").read_text(encoding="utf-8")
    assert 'en = "Public health & epidemics"' in config
    (tmp_path / "config.toml").write_text(
        config.replace('en = "Public health & epidemics"', f'en = "{TEST_TOPIC_NAME}"'), encoding="utf-8"
    )
    process, lines = _start(tmp_path, "run", "--demo")
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 240
        _wait_for(lines, seen, ON_TOPIC, deadline)
        process.stdin.write("/topics\n")
        process.stdin.flush()
        _wait_for(lines, seen, (TEST_TOPIC_NAME,), deadline)  # the config's [[topics]], not a built-in set
        process.stdin.write("/events ics\n")  # the demo's exercise is an upcoming event
        process.stdin.flush()
        _wait_for(lines, seen, ("file saved: ",), deadline)
        process.stdin.write("/quit\n")
        process.stdin.flush()
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = "".join(seen)
    assert "Demo: 3 sample feeds on 127.0.0.1" in output
    assert OFF_TOPIC not in output  # stored, never alerted: it fits no topic
    assert (tmp_path / "coopwatch-demo.db").exists() and not (tmp_path / "coopwatch.db").exists()
    [saved] = [line for line in seen if "file saved: " in line]
    ics = Path(saved.split("file saved: ", 1)[1].split(", ", 1)[0])
    assert ics.parent == (tmp_path / "console-files").resolve()
    assert b"BEGIN:VCALENDAR" in ics.read_bytes() and b"search and rescue exercise" in ics.read_bytes()


@pytest.mark.slow(20)
def test_console_falls_back_to_the_demo_when_no_configured_feed_answers(tmp_path: Path, dead_port: int) -> None:
    config = (ROOT / "config.toml").read_text(encoding="utf-8")
    config = config.replace("allow_private_addresses = false", "allow_private_addresses = true")
    head, _, rest = config.partition("[[feeds.sources]]")
    rest = rest[rest.index("[delivery]") :]  # every shipped source replaced by two dead ones
    dead = "".join(f'[[feeds.sources]]\nurl = "http://127.0.0.1:{dead_port}/feed{i}.xml"\n\n' for i in range(2))
    (tmp_path / "config.toml").write_text(head + dead + rest, encoding="utf-8")
    process, lines = _start(tmp_path, "run")
    seen: list[str] = []
    try:
        _wait_for(
            lines, seen, ("None of the configured feeds answers", "Orange earthquake alert"), time.monotonic() + 240
        )
        process.stdin.write("/quit\n")
        process.stdin.flush()
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not (tmp_path / "coopwatch.db").exists()  # the real database is untouched
