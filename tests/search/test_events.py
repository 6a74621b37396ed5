"""Events calendar: grouping of the same event from several items, queries, .ics and CLI, on both backends."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

from icalendar import Calendar

from bot.queries import cli_events
from presentation.calendar import build_ics
from storage.db import Database
from storage.events import list_events
from tests.search.conftest import NOW, add_item

TODAY = NOW.date()


async def _seed(db: Database) -> None:
    async with db.session() as s:
        # One training reported by three outlets, with slightly different dates and place spellings.
        await add_item(
            s,
            "Rescuers' training in Almaty",
            topics=["capacity_building"],
            countries=["KZ"],
            orgs=["SCO"],
            feed="Kazinform",
            published=NOW - timedelta(days=3),
            events=[("training", "2025-06-20", "2025-06-22", "Almaty")],
        )
        await add_item(
            s,
            "Учебный курс для спасателей",
            topics=["capacity_building"],
            countries=["KZ", "KG"],
            feed="AKIpress",
            published=NOW - timedelta(days=2),
            language="ru",
            events=[("training", "2025-06-21", None, "Almaty, Kazakhstan")],
        )
        await add_item(
            s,
            "SCO rescuers gather",
            topics=["emergency_response"],
            countries=[],
            feed="Trend",
            published=NOW - timedelta(days=1),
            events=[("training", "2025-06-20", "2025-06-20", None)],
        )
        # Same kind and dates, another place and country: a different training.
        await add_item(
            s,
            "Lab training in Dushanbe",
            topics=["cbrn_biosafety"],
            countries=["TJ"],
            orgs=["WHO"],
            feed="Asia-Plus",
            events=[("training", "2025-06-21", "2025-06-23", "Dushanbe")],
        )
        # Another kind on the same days in Almaty: not merged.
        await add_item(
            s,
            "Summit of emergency ministers",
            topics=["cooperation_frameworks"],
            countries=["KZ"],
            events=[("summit", "2025-06-21", "2025-06-21", "Almaty")],
        )
        # Past events.
        await add_item(
            s,
            "Earthquake drill held",
            topics=["capacity_building"],
            countries=["UZ"],
            published=NOW - timedelta(days=30),
            events=[("exercise", "2025-05-10", "2025-05-12", "Tashkent")],
        )
        await add_item(
            s,
            "Webinar on vaccines",
            topics=["public_health"],
            countries=["KG"],
            published=NOW - timedelta(days=60),
            events=[("webinar", "2025-04-02", None, None)],
        )
        # No date: not on the calendar.
        await add_item(s, "A conference some day", events=[("conference", None, None, "Bishkek")])


async def test_same_event_from_several_items_is_one(database: Database) -> None:
    await _seed(database)
    async with database.session() as s:
        page = await list_events(s, today=TODAY)
    kinds = [(e.kind, e.location, e.start, e.end) for e in page.events]
    assert kinds == [
        ("training", "Almaty", date(2025, 6, 20), date(2025, 6, 22)),
        ("training", "Dushanbe", date(2025, 6, 21), date(2025, 6, 23)),
        ("summit", "Almaty", date(2025, 6, 21), date(2025, 6, 21)),
    ]
    almaty = page.events[0]
    assert [src.source for src in almaty.sources] == ["Kazinform", "AKIpress", "Trend"]
    assert almaty.countries == ("KG", "KZ")
    assert almaty.topics == ("capacity_building", "emergency_response")
    assert almaty.url and almaty.url.startswith("https://")


async def test_past_and_filters(database: Database) -> None:
    await _seed(database)
    async with database.session() as s:
        past = await list_events(s, today=TODAY, when="past")
        by_topic = await list_events(s, today=TODAY, topic="cbrn_biosafety")
        by_country = await list_events(s, today=TODAY, when="past", country="kg")
        by_org = await list_events(s, today=TODAY, org="who")
        paged = await list_events(s, today=TODAY, limit=2, offset=0)
        rest = await list_events(s, today=TODAY, limit=2, offset=2)
    assert [e.kind for e in past.events] == ["exercise", "webinar"]  # latest first
    assert [e.location for e in by_topic.events] == ["Dushanbe"]
    assert [e.kind for e in by_country.events] == ["webinar"]
    assert [e.location for e in by_org.events] == ["Dushanbe"]
    assert paged.has_more and len(paged.events) == 2
    assert not rest.has_more and [e.kind for e in rest.events] == ["summit"]


async def test_ics_parses_back(database: Database) -> None:
    await _seed(database)
    async with database.session() as s:
        page = await list_events(s, today=TODAY)
    data = build_ics(page.events, now=NOW)
    calendar = Calendar.from_ical(data)
    vevents = calendar.walk("VEVENT")
    assert len(vevents) == 3
    first = vevents[0]
    assert first.decoded("dtstart") == date(2025, 6, 20)
    assert first.decoded("dtend") == date(2025, 6, 23)  # exclusive end of an all-day event
    assert str(first.get("location")) == "Almaty"
    assert "Kazinform" in str(first.get("description"))
    assert str(first.get("uid")).endswith("@coopwatch")
    assert len({str(v.get("uid")) for v in vevents}) == 3


async def test_cli_events_json(database: Database) -> None:
    await _seed(database)
    out = io.StringIO()
    assert await cli_events(database.url, True, out, today=TODAY) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["kind"] for r in rows] == ["training", "training", "summit"]
    assert len(rows[0]["sources"]) == 3
    out = io.StringIO()
    await cli_events(database.url, False, out, today=TODAY)
    assert len(out.getvalue().splitlines()) == 5
