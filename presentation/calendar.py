"""Events as an iCalendar file (RFC 5545) that Outlook and Google Calendar import."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from icalendar import Calendar
from icalendar import Event as VEvent

from storage.events import Event

PRODID = "-//Coopwatch//events calendar//EN"


def build_ics(events: Sequence[Event], *, now: datetime, name: str = "Coopwatch events") -> bytes:
    """An all-day VEVENT per event (DTEND is exclusive, hence the extra day), sources in the text."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for event in events:
        entry = VEvent()
        entry.add("uid", f"event-{event.id}@coopwatch")
        entry.add("dtstamp", now)
        entry.add("dtstart", event.start)
        entry.add("dtend", event.end + timedelta(days=1))
        entry.add("summary", f"{event.kind.capitalize()}: {event.title}")
        if event.location:
            entry.add("location", event.location)
        if event.url:
            entry.add("url", event.url)
        lines = [f"{s.source}: {s.title} {s.url or ''}".strip() for s in event.sources]
        if event.countries:
            lines.append("Countries: " + ", ".join(event.countries))
        entry.add("description", "\n".join(lines))
        entry.add("categories", [event.kind, *event.topics])
        calendar.add_component(entry)
    return calendar.to_ical()
