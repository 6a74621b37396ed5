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
from urllib.parse import urlsplit

from presentation.i18n import Safe, t
from presentation.links import safe_url
from presentation.names import country_name
from presentation.pager import first_page, paginate, truncate_html, utf16_len
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


def source_name(title: str | None, url: str | None) -> str:
    if title:
        return clip(title, 60)
    host = urlsplit(url or "").hostname or "?"
    return host.removeprefix("www.")


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
    also: tuple[str, ...]

    @classmethod
    def from_item(cls, item: Item) -> AlertView:
        feed_title = item.feed.title if item.feed is not None else None
        feed_url = item.feed.url if item.feed is not None else item.url
        others: list[str] = []
        for src in item.sources:
            if src.feed_id == item.feed_id:
                continue
            name = source_name(src.feed.title if src.feed else None, src.url or (src.feed.url if src.feed else None))
            if name not in others:
                others.append(name)
        topics = sorted(item.topics, key=lambda tp: -tp.score)
        return cls(
            title=item.title,
            url=item.url,
            source=source_name(feed_title, feed_url),
            published=item.published_at,
            summary=item.short_summary or item.summary,
            topics=tuple(tp.topic for tp in topics),
            countries=tuple(c.country for c in item.countries),
            also=tuple(others),
        )


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
    lines.append(t(lang, "alert.source_line", source=view.source, date=view.published.strftime("%Y-%m-%d")))
    head = "\n".join(lines)
    tail: list[str] = []
    if view.countries:
        names = ", ".join(country_name(c, lang) for c in view.countries)
        tail.append(t(lang, "alert.countries", countries=names))
    if view.also:
        tail.append(t(lang, "alert.also", sources=", ".join(view.also)))
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
