"""Publication dates as feeds write them: feedparser's RFC 822 / ISO 8601 first, then dateparser for the
free-form rest ("Seg, 24 Set 2018", "Friday, January 29, 2021 04:42 PM"), with the feed's language as a hint."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import dateparser

__all__ = ["channel_date", "entry_date", "free_form_date"]

_ENTRY_KEYS = ("published", "updated", "created")
_CHANNEL_KEYS = ("published", "updated")  # pubDate, lastBuildDate / Atom updated, dc:date
# Absolute forms only: a relative "now" or "2 hours ago" in a feed is rarely what it seems.
_SETTINGS = {
    "TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["year", "month"],
}
_MAX_CHARS = 80  # longer "dates" are prose; dateparser is slow on them and finds dates in words


def entry_date(raw: Any, language: str | None) -> datetime | None:
    """An entry's date: published, else updated, else created, each parsed by feedparser or dateparser."""
    return _first_date(raw, _ENTRY_KEYS, language)


def channel_date(feed: Any, language: str | None) -> datetime | None:
    """The channel's own date (pubDate, lastBuildDate, Atom updated), the fallback for undated entries."""
    return _first_date(feed, _CHANNEL_KEYS, language)


def free_form_date(text: str, language: str | None) -> datetime | None:
    """A date written any way real feeds write one; the language is a hint, never a requirement."""
    text = " ".join(text.split())
    if not text or len(text) > _MAX_CHARS:
        return None
    hint = (language or "").split("-", 1)[0].split("_", 1)[0].lower()
    if hint:
        try:
            found = dateparser.parse(text, languages=[hint], settings=_SETTINGS)
        except ValueError:  # a language dateparser does not know
            found = None
        if found is not None:
            return found.astimezone(UTC)
    found = dateparser.parse(text, settings=_SETTINGS)
    return found.astimezone(UTC) if found is not None else None


def _first_date(mapping: Any, keys: tuple[str, ...], language: str | None) -> datetime | None:
    for key in keys:
        parsed: time.struct_time | None = mapping.get(f"{key}_parsed")
        if parsed:
            try:
                return datetime(*parsed[:6], tzinfo=UTC)  # feedparser gives UTC struct_time
            except (TypeError, ValueError):
                pass
        text = mapping.get(key)
        if isinstance(text, str):
            found = free_form_date(text, language)
            if found is not None:
                return found
    return None
