"""Entry and channel dates as real feeds write them.

feedparser reads RFC 822, W3C and a dozen known forms; real feeds also write "Seg, 24 Set 2018" (Portuguese)
or "Friday, January 29, 2021 04:42 PM". Those go to dateparser, with the feed's language as the first guess.
Only absolute dates with a day, a month and a year count: a relative "yesterday" or a bare "May" would
date a story by guesswork, which is worse than the channel date or the fetch time.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

__all__ = ["entry_date", "parse_free_date"]

_PARSED_KEYS = ("published_parsed", "updated_parsed", "created_parsed")
_TEXT_KEYS = ("published", "updated", "created")
_MAX_TEXT = 80  # a date is short; longer text is a feed putting prose in the field
_SETTINGS = {
    "TIMEZONE": "UTC",  # a date without a zone is read as UTC, as feedparser does
    "TO_TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["timestamp", "absolute-time"],
}


def entry_date(raw: Mapping[str, Any], language: str | None) -> datetime | None:
    """The date of a feedparser entry (or feed): feedparser's own parse, else its text through dateparser.
    Plain dict look-ups: feedparser's own ``get`` maps a missing updated to published, with a warning."""
    for key in _PARSED_KEYS:
        value: time.struct_time | None = dict.get(raw, key)  # type: ignore[arg-type]  # no feedparser alias
        if value:
            try:
                return datetime(*value[:6], tzinfo=UTC)  # feedparser gives UTC struct_time
            except (TypeError, ValueError):
                continue
    for key in _TEXT_KEYS:
        text = dict.get(raw, key)  # type: ignore[arg-type]
        if isinstance(text, str) and text.strip():
            parsed = parse_free_date(text, language)
            if parsed is not None:
                return parsed
    return None


def parse_free_date(text: str, language: str | None = None) -> datetime | None:
    """An absolute date in any language dateparser knows, tried first in ``language`` (e.g. "pt-BR")."""
    text = " ".join(text.split())
    if not text or len(text) > _MAX_TEXT:
        return None
    hint = (language or "").split("-")[0].split("_")[0].lower()
    return _parse(text, hint or None)


@lru_cache(maxsize=2048)  # one feed repeats one format; the same strings come back at every poll
def _parse(text: str, hint: str | None) -> datetime | None:
    import dateparser  # loaded on first use: it takes a second, and most feeds never need it

    found = None
    if hint is not None:
        try:
            found = dateparser.parse(text, languages=[hint], settings=_SETTINGS)
        except ValueError:  # a language dateparser does not know
            found = None
    if found is None:  # the hint can be wrong: a feed declaring "en" with dates in Portuguese
        found = dateparser.parse(text, settings=_SETTINGS)
    return found.astimezone(UTC) if found is not None else None
