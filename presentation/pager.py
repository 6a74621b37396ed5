"""One pager for every list the bot sends (search, events, latest, feeds, chats, digests): whole entries, as many
as fit, under Telegram's limit as Telegram counts it, after entity parsing, in UTF-16 code units.

The markup here is ours: tags from the catalogue and text escaped with ``html.escape``, so what Telegram shows is
the markup without its tags, with the character references decoded. Counting that (not the markup) lets a page
of links hold as many entries as really fit.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

MAX_MESSAGE = 4096
ELLIPSIS = "…"
MARKUP_FACTOR = 3  # the markup of a page may be up to this many times what Telegram counts of it
SEPARATOR = "\n\n"
_TAGS = re.compile(r"<[^>]*>")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def visible_len(markup: str) -> int:
    """How long Telegram counts ``markup`` (HTML parse mode): tags dropped, references decoded, UTF-16 units."""
    return utf16_len(html.unescape(_TAGS.sub("", markup)))


def _fits(text: str, limit: int) -> bool:
    # The markup itself is bounded too (a 3,000-character link is short on screen but not on the wire).
    return visible_len(text) <= limit and utf16_len(text) <= MARKUP_FACTOR * limit


def _cut(entry: str, limit: int) -> str:
    """An entry too long for a message of its own, cut with its tags closed (the only entry ever cut)."""
    return truncate_html(entry, limit)


_TOKEN = re.compile(r"<[^>]*>|&[#\w]+;|[^<&]+|[<&]", re.DOTALL)
_TAG = re.compile(r"<\s*(/)?\s*([a-zA-Z-]+)")


def truncate_html(markup: str, limit: int = MAX_MESSAGE) -> str:
    """Cut Telegram HTML to ``limit`` UTF-16 units without splitting a tag or an entity; reopened tags
    are closed so the result still parses."""
    if utf16_len(markup) <= limit:
        return markup
    out: list[str] = []
    open_tags: list[str] = []
    used = 0
    budget = limit - 1  # room for the ellipsis

    def closing() -> int:
        return sum(len(tag) + 3 for tag in open_tags)

    for match in _TOKEN.finditer(markup):
        token = match.group(0)
        tag = _TAG.match(token) if token.startswith("<") and token.endswith(">") else None
        if tag and tag.group(1):
            cost = utf16_len(token)
            if used + cost > budget:
                break
            if open_tags and open_tags[-1] == tag.group(2).lower():
                open_tags.pop()
            out.append(token)
            used += cost
            continue
        if tag:
            name = tag.group(2).lower()
            cost = utf16_len(token)
            if used + cost + closing() + len(name) + 3 > budget:
                break
            open_tags.append(name)
            out.append(token)
            used += cost
            continue
        if token.startswith("&"):
            if used + len(token) + closing() > budget:
                break
            out.append(token)
            used += len(token)
            continue
        room = budget - used - closing()
        if utf16_len(token) <= room:
            out.append(token)
            used += utf16_len(token)
            continue
        piece = token[: max(0, room)]
        while piece and utf16_len(piece) > room:
            piece = piece[:-1]
        out.append(piece)
        break
    out.append(ELLIPSIS)
    out.extend(f"</{tag}>" for tag in reversed(open_tags))
    return "".join(out)


def paginate(header: str, entries: Iterable[str], limit: int = MAX_MESSAGE) -> list[str]:
    """Messages of whole entries; the header opens the first. An entry never straddles two messages."""
    pages: list[str] = []
    current = header
    for entry in entries:
        candidate = f"{current}{SEPARATOR}{entry}" if current else entry
        if _fits(candidate, limit):
            current = candidate
            continue
        if current:
            pages.append(current)
        current = entry if _fits(entry, limit) else _cut(entry, limit)
    if current:
        pages.append(current)
    return pages


def first_page(header: str, entries: Sequence[str], limit: int = MAX_MESSAGE) -> tuple[str, int]:
    """The header and as many whole entries as fit one message, and how many that is (at least one: an entry
    too long alone is cut, tags closed)."""
    text, shown = header, 0
    for entry in entries:
        candidate = f"{text}{SEPARATOR}{entry}" if text else entry
        if _fits(candidate, limit):
            text, shown = candidate, shown + 1
            continue
        if shown == 0:
            room = limit - visible_len(text) - len(SEPARATOR) if text else limit
            cut = _cut(entry, room)
            text, shown = (f"{text}{SEPARATOR}{cut}" if text else cut), 1
        break
    return text, shown
