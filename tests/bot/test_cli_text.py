"""``items``, ``search`` and ``events`` print readable text by default and JSON lines with ``--json``."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime

from bot.cli import build_parser
from bot.queries import cli_events, cli_search, items_command
from bot.settings import settings_from_mapping
from bot.text_output import event_text
from storage.db import Database
from storage.events import Event, EventSource
from tests.bot.conftest import TOPICS, store_item


def test_json_is_an_option_not_a_requirement() -> None:
    parser = build_parser()
    for argv in (["items"], ["search", "flood"], ["events", "--upcoming"]):
        assert parser.parse_args(argv).json is False
        assert parser.parse_args([*argv, "--json"]).json is True


async def test_items_and_search_read_as_text_by_default_and_as_json_lines_on_request(
    sqlite_database: Database,
) -> None:
    settings = settings_from_mapping({"topics": TOPICS}, {"COOPWATCH_DATABASE_URL": sqlite_database.url})
    item = await store_item(sqlite_database, "Floods in the Almaty region", summary="Rescuers evacuated a village.")
    text, as_json = io.StringIO(), io.StringIO()
    assert await items_command(settings, 10, text) == 0
    assert await items_command(settings, 10, as_json, as_json=True) == 0
    head, title, url, *_ = text.getvalue().splitlines()
    assert head.startswith(f"#{item.id} · ") and "Example News" in head and "#emergency_response" in head
    assert title == "  Floods in the Almaty region" and url == f"  {item.url}"
    assert not text.getvalue().lstrip().startswith("{")
    assert json.loads(as_json.getvalue())["title"] == "Floods in the Almaty region"

    found, err = io.StringIO(), io.StringIO()
    assert await cli_search(sqlite_database.url, "floods", 5, found, err, as_json=False) == 0
    lines = found.getvalue().splitlines()
    assert lines[0].startswith(f"1. #{item.id} · ") and lines[1] == "  Floods in the Almaty region"
    assert "<" not in found.getvalue()  # the snippet's highlighting markup is gone
    nothing = io.StringIO()
    assert await cli_search(sqlite_database.url, "earthquake", 5, nothing, err, as_json=False) == 0
    assert nothing.getvalue() == "nothing found for earthquake\n"


async def test_events_read_as_text(sqlite_database: Database) -> None:
    out = io.StringIO()
    assert await cli_events(sqlite_database.url, True, out, as_json=False, today=date(2026, 1, 1)) == 0
    assert out.getvalue() == "no upcoming events\n"
    source = EventSource(1, "Joint exercise near Almaty", "https://x.example/1", "Example News", datetime.now(UTC))
    event = Event(3, "exercise", date(2026, 12, 15), date(2026, 12, 17), "Almaty", ("KZ", "KG"), (), (), (source,))
    assert event_text(event) == (
        "2026-12-15 – 2026-12-17 · exercise · Almaty · KZ, KG\n  Joint exercise near Almaty\n  https://x.example/1\n"
    )
