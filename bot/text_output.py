"""Readable text for the command line's ``items``, ``search`` and ``events`` (``--json`` gives JSON lines).

A record is a head line (id, date, source, tags) and indented lines below it (title, link, snippet), with a
blank line between records, so a terminal or ``less`` shows them as a list.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from storage import items as item_store
from storage.events import Event
from storage.models import Item
from storage.search import SearchResult

__all__ = ["event_text", "item_text", "result_text"]

_TAG = re.compile(r"<[^>]+>")


def _plain(markup: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", markup)).split())


def _record(head: Iterable[str], *body: str | None) -> str:
    lines = [" · ".join(part for part in head if part)]
    lines += [f"  {line}" for line in body if line]
    return "\n".join(lines) + "\n"


def item_text(item: Item) -> str:
    tags = " ".join(f"#{t.topic}" for t in item.topics)
    countries = ", ".join(c.country for c in item.countries)
    also = [s.url or s.feed.url for s in item_store.other_sources(item)]
    return _record(
        (f"#{item.id}", f"{item.published_at:%Y-%m-%d %H:%M}", item.feed.display_name, tags, countries),
        item.title,
        item.url,
        item.short_summary,
        f"also reported by: {', '.join(also)}" if also else None,
    )


def result_text(rank: int, result: SearchResult) -> str:
    return _record(
        (f"{rank}. #{result.item_id}", f"{result.published:%Y-%m-%d}", result.source),
        result.title,
        result.url,
        _plain(result.snippet_html),
    )


def event_text(event: Event) -> str:
    dates = f"{event.start:%Y-%m-%d}" + (f" – {event.end:%Y-%m-%d}" if event.end != event.start else "")
    first = event.sources[0] if event.sources else None
    more = f"+{len(event.sources) - 1} more sources" if len(event.sources) > 1 else None
    return _record(
        (dates, event.kind, event.location or "", ", ".join(event.countries)),
        first.title if first else None,
        event.url,
        more,
    )
