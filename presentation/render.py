"""Alerts and digests as Telegram HTML. Every feed string is escaped; no message exceeds Telegram's limit.

Telegram counts 4096 characters after entity parsing, in UTF-16 code units. The HTML we send is never
shorter than its visible text, so keeping the markup itself under the limit is always safe.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from model.feed_names import display_name
from presentation.i18n import Safe, t
from presentation.links import is_safe_url, safe_url
from presentation.names import country_name
from presentation.pager import first_page, paginate, truncate_html, utf16_len
from storage import items as item_store
from storage.models import Item

MAX_MESSAGE = 4096
MAX_TITLE = 400
MAX_SUMMARY = 600
ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """Plain text cut to ``limit`` characters at a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + ELLIPSIS


@dataclass(frozen=True)
class OtherSource:
    """Another feed that carried the story, by its display name, with its own link when it is http(s)."""

    name: str
    url: str | None = None
    language: str | None = None  # the report's language, when the story was told in several


@dataclass(frozen=True)
class AlertView:
    """What an alert shows, taken from an item row (with its feed and sources loaded)."""

    title: str
    url: str | None
    source: str
    published: datetime
    summary: str
    topics: tuple[str, ...]
    countries: tuple[str, ...]
    also: tuple[OtherSource, ...]
    date_source: str | None = None  # "entry", "channel", "fetched" (ingest); None: not known (older rows)
    updated: datetime | None = None  # when the source corrected the story (storage.corrections)

    @classmethod
    def from_item(cls, item: Item) -> AlertView:
        source = item.feed.display_name if item.feed is not None else display_name(None, None, item.url)
        topics = sorted(item.topics, key=lambda tp: -tp.score)
        return cls(
            title=item.title,
            url=item.url,
            source=source,
            published=item.published_at,
            summary=item.short_summary or item.summary,
            topics=tuple(tp.topic for tp in topics),
            countries=tuple(c.country for c in item.countries),
            also=other_sources(item, source),
            date_source=item.date_source,
            updated=item.updated_at,
        )


def other_sources(item: Item, own_name: str) -> tuple[OtherSource, ...]:
    """What "also reported by" shows: each other name once, in the order first seen, never the alert's own
    name, with the first http(s) link it carried. Another link from the item's own feed is named by its host."""
    seen: dict[str, OtherSource] = {}
    for src in item_store.other_sources(item):
        name = src.feed.display_name if src.feed is not None else display_name(None, None, src.url)
        if name == own_name and src.feed_id != item.feed_id:
            continue
        url = src.url if is_safe_url(src.url) else None
        if src.feed_id == item.feed_id:
            if url is None:
                continue
            name = display_name(None, None, url)  # the same feed's other link: named by its host
            if name == own_name:
                continue
        known = seen.get(name)
        if known is None or known.url is None and url is not None:
            seen[name] = OtherSource(name, url, src.language or (known.language if known else None))
    return tuple(seen.values())


def _other_source(source: OtherSource) -> str:
    name = html.escape(source.name, quote=False)
    url = safe_url(source.url)
    text = f'<a href="{url}">{name}</a>' if url else name
    if source.language:  # a story told in several languages: the reader sees which report is in which
        text += f" ({html.escape(source.language, quote=False)})"
    return text


def _date_note(lang: str, date_source: str | None) -> str:
    if date_source in ("channel", "fetched"):
        return t(lang, f"alert.date_{date_source}")
    return ""


def _summary(text: str, limit: int) -> str:
    """The first one or two sentences, clipped."""
    text = " ".join(text.split())
    sentences = re.split(r"(?<=[.!?])\s+", text)
    lead = " ".join(sentences[:2]) if sentences else text
    return clip(lead, limit)


def _title_link(view: AlertView, limit: int) -> str:
    title = html.escape(clip(view.title, limit) or "…", quote=False)
    url = safe_url(view.url)
    return f'<b><a href="{url}">{title}</a></b>' if url else f"<b>{title}</b>"


def render_alert(view: AlertView, lang: str) -> str:
    """One alert: tags, title link, source and date, summary, countries, other sources."""
    lines: list[str] = []
    if view.topics:
        lines.append(" ".join(f"#{tp}" for tp in view.topics))
    lines.append(_title_link(view, MAX_TITLE))
    lines.append(
        t(
            lang,
            "alert.source_line",
            source=view.source,
            date=view.published.strftime("%Y-%m-%d"),
            date_note=Safe(_date_note(lang, view.date_source)),
        )
    )
    head = "\n".join(lines)
    tail: list[str] = []
    if view.countries:
        names = ", ".join(country_name(c, lang) for c in view.countries)
        tail.append(t(lang, "alert.countries", countries=names))
    if view.updated is not None:
        tail.append(t(lang, "alert.updated", date=view.updated.strftime("%Y-%m-%d %H:%M UTC")))
    if view.also:
        tail.append(t(lang, "alert.also", sources=Safe(", ".join(_other_source(s) for s in view.also))))
    tail_text = "\n".join(tail)
    room = MAX_MESSAGE - utf16_len(head) - utf16_len(tail_text) - 4
    summary = html.escape(_summary(view.summary, max(40, min(MAX_SUMMARY, room))), quote=False)
    body = "\n\n".join(part for part in (head, summary, tail_text) if part)
    return truncate_html(body, MAX_MESSAGE)


def digest_line(view: AlertView, lang: str) -> str:
    tags = " ".join(f"#{tp}" for tp in view.topics[:2])
    return t(
        lang,
        "digest.line",
        title=Safe(_title_link(view, 200).removeprefix("<b>").removesuffix("</b>")),
        source=view.source,
        date=view.published.strftime("%Y-%m-%d"),
        tags=tags,
    )


def pack_messages(header: str, lines: Iterable[str], limit: int = MAX_MESSAGE) -> list[str]:
    """Join lines into as few messages as fit; a line never straddles two messages (presentation.pager)."""
    return paginate(header, lines, limit)


def render_digest(views: Sequence[AlertView], lang: str, *, title_key: str = "digest.header") -> list[str]:
    header = t(lang, title_key, count=len(views))
    return pack_messages(header, (digest_line(v, lang) for v in views))


def fit_entries(header: str, entries: Sequence[str], limit: int = MAX_MESSAGE) -> tuple[str, int]:
    """The header and as many whole entries as fit one message, and how many (presentation.pager)."""
    return first_page(header, entries, limit)
