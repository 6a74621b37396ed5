"""The command line, run as a real subprocess the way an operator runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from testkit.feedserver import build_rss

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "config.toml"


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "COOPWATCH_"))}
    environ.update(env or {})
    environ["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def local_config(tmp_path: Path, feed_urls: list[str]) -> Path:
    """The shipped config with its sources swapped for loopback feeds (and private addresses allowed)."""
    text = SHIPPED.read_text(encoding="utf-8")
    head, _, _ = text.partition("[[feeds.sources]]")
    rest = text[text.index("[delivery]") :]
    sources = "".join(f'[[feeds.sources]]\nurl = "{u}"\n\n' for u in feed_urls)
    config = tmp_path / "config.toml"
    config.write_text(
        head.replace("allow_private_addresses = false", "allow_private_addresses = true") + sources + rest,
        encoding="utf-8",
    )
    tomllib.loads(config.read_text(encoding="utf-8"))
    return config


def test_poll_once_all_with_the_shipped_config_exits_0_with_a_line_per_feed(tmp_path) -> None:
    # Online or offline alike (#14: no test depends on the machine being offline): a feed that answers
    # gets its line, one that does not an error code, and the run still exits 0.
    result = run_cli("--config", str(SHIPPED), "poll", "--once", "--all", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    sources = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))["feeds"]["sources"]
    lines = [line for line in result.stdout.splitlines() if line.startswith("http")]
    assert sorted(line.split(": ", 1)[0] for line in lines) == sorted(s["url"] for s in sources)
    failed = [line for line in lines if re.search(r": error [a-z_]+", line)]  # "https://...: error dns_failure: ..."
    assert re.search(rf"{len(sources)} feeds polled: \d+ new items, {len(failed)} failed", result.stdout)
    assert (tmp_path / "data" / "coopwatch.db").exists()  # the embedded default database


@pytest.mark.slow(25)
def test_feeds_items_and_db_commands_work_against_a_local_feed(tmp_path, feed_server) -> None:
    url = feed_server.set_feed(f"/cli/{tmp_path.name}.xml", build_rss(4, feed_id=f"cli{tmp_path.name}"))
    config = local_config(tmp_path, [url])
    env = {"COOPWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}

    assert run_cli("--config", str(config), "db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    listed = run_cli("--config", str(config), "feeds", "list", cwd=tmp_path, env=env)
    assert url in listed.stdout

    extra = feed_server.set_feed(f"/cli/{tmp_path.name}-extra.xml", build_rss(2, feed_id=f"x{tmp_path.name}"))
    added = run_cli("--config", str(config), "feeds", "add", extra, cwd=tmp_path, env=env)
    assert added.returncode == 0 and "added feed" in added.stdout
    again = run_cli("--config", str(config), "feeds", "add", extra, cwd=tmp_path, env=env)
    assert again.returncode == 1 and "already a feed" in again.stderr

    polled = run_cli("--config", str(config), "poll", "--once", cwd=tmp_path, env=env)
    assert polled.returncode == 0
    assert f"{url}: 4 new" in polled.stdout and f"{extra}: 2 new" in polled.stdout

    dumped = run_cli("--config", str(config), "items", "--json", "--limit", "3", cwd=tmp_path, env=env)
    rows = [json.loads(line) for line in dumped.stdout.splitlines()]
    assert len(rows) == 3
    for row in rows:
        assert {
            "id",
            "feed_url",
            "title",
            "url",
            "published",
            "summary",
            "other_sources",
            "topics",
            "countries",
            "orgs",
            "events",
            "scores",
            "language",
        } <= row.keys()
        assert "utm_source" not in row["url"]  # canonical link

    removed = run_cli("--config", str(config), "feeds", "remove", extra, cwd=tmp_path, env=env)
    assert removed.returncode == 0
    assert extra not in run_cli("--config", str(config), "feeds", "list", cwd=tmp_path, env=env).stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["items", "--json", "--limit", "zero"], "expected a whole number"),
        (["poll"], "--once"),
        (["feeds", "rename"], "invalid choice"),
    ],
)
def test_malformed_commands_get_a_usage_error(tmp_path, args, message) -> None:
    result = run_cli("--config", str(SHIPPED), *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_wrong_config_key_stops_with_a_clear_error(tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        SHIPPED.read_text(encoding="utf-8").replace("max_redirects = 5", "max_redirect = 5"), encoding="utf-8"
    )
    result = run_cli("--config", str(config), "feeds", "list", cwd=tmp_path)
    assert result.returncode == 2
    assert "configuration error: feeds.max_redirect: unknown key in feeds" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow(15)
def test_search_events_and_trends_commands_answer_from_polled_items(tmp_path, feed_server) -> None:
    url = feed_server.set_feed(f"/cli-q/{tmp_path.name}.xml", build_rss(30, feed_id=f"q{tmp_path.name}"))
    config = local_config(tmp_path, [url])
    env = {"COOPWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'q.db'}"}
    assert run_cli("--config", str(config), "poll", "--once", cwd=tmp_path, env=env).returncode == 0

    found = run_cli("--config", str(config), "search", "floods", "--json", "--limit", "5", cwd=tmp_path, env=env)
    assert found.returncode == 0, found.stderr
    rows = [json.loads(line) for line in found.stdout.splitlines()]
    assert 1 <= len(rows) <= 5
    for row in rows:  # "floods" is stemmed and finds "flood"
        assert "flood" in (row["title"] + " " + row["snippet_html"]).lower()

    bad = run_cli("--config", str(config), "search", '"unbalanced', "--json", cwd=tmp_path, env=env)
    assert bad.returncode == 2 and "quote" in bad.stderr.lower()

    events = run_cli("--config", str(config), "events", "--json", "--upcoming", cwd=tmp_path, env=env)
    assert events.returncode == 0, events.stderr

    png = tmp_path / "trends.png"
    trends = run_cli("--config", str(config), "trends", "--out", str(png), cwd=tmp_path, env=env)
    assert trends.returncode == 0, trends.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def private_config(tmp_path: Path, feed_urls: list[str]) -> Path:
    """``local_config`` with private addresses refused again, as shipped."""
    config = local_config(tmp_path, feed_urls)
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("allow_private_addresses = true", "allow_private_addresses = false"), encoding="utf-8"
    )
    return config


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/rss", "http://[::1]/rss", "http://169.254.169.254/latest"])
def test_a_private_config_source_stops_the_start_naming_its_key(tmp_path, url) -> None:
    """Finding 8: ``[[feeds.sources]]`` goes through the add paths' address check before anything is stored."""
    config = private_config(tmp_path, ["https://news.example.org/rss", url])
    env = {"COOPWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    result = run_cli("--config", str(config), "feeds", "list", cwd=tmp_path, env=env)
    assert result.returncode == 2, result.stderr
    assert "configuration error: feeds.sources[1].url: private_address" in result.stderr
    assert not (tmp_path / "cli.db").exists()  # refused before the database was opened


def test_feeds_add_refuses_a_private_address_at_once(tmp_path) -> None:
    """Finding 8: ``feeds add`` gives the /addfeed refusal and stores nothing."""
    config = private_config(tmp_path, ["https://news.example.org/rss"])
    env = {"COOPWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    added = run_cli("--config", str(config), "feeds", "add", "http://10.0.0.7/rss", cwd=tmp_path, env=env)
    assert added.returncode == 1 and "private_address" in added.stderr, added.stderr
    listed = run_cli("--config", str(config), "feeds", "list", cwd=tmp_path, env=env)
    assert listed.returncode == 0 and "10.0.0.7" not in listed.stdout


def test_db_prune_dry_run_then_prune(tmp_path, feed_server) -> None:
    """Finding 11: ``db prune --dry-run`` prints what it would remove and removes nothing; ``db prune`` runs."""
    url = feed_server.set_feed(f"/cli/{tmp_path.name}-prune.xml", build_rss(2, feed_id=f"p{tmp_path.name}"))
    config = local_config(tmp_path, [url])
    env = {"COOPWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    assert run_cli("--config", str(config), "poll", "--once", cwd=tmp_path, env=env).returncode == 0
    dry = run_cli("--config", str(config), "db", "prune", "--dry-run", cwd=tmp_path, env=env)
    assert dry.returncode == 0, dry.stderr
    assert "would remove 0 items older than 365 days and 0 finished outbox rows older than 30 days" in dry.stdout
    done = run_cli("--config", str(config), "db", "prune", cwd=tmp_path, env=env)
    assert done.returncode == 0 and done.stdout.startswith("removed 0 items"), done.stdout + done.stderr
    items = run_cli("--config", str(config), "items", "--json", cwd=tmp_path, env=env)
    assert len(items.stdout.splitlines()) == 2  # fresh items stay
