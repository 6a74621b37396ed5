"""The one link-safety rule for every link the bot renders: http and https only, with a host, and nothing a
client could read as another scheme (spaces and control characters are refused, not stripped)."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

SCHEMES = frozenset({"http", "https"})


def is_safe_url(url: str | None) -> bool:
    if not url or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # a malformed IPv6 host
        return False
    return parts.scheme.lower() in SCHEMES and bool(parts.hostname)


def safe_url(url: str | None) -> str | None:
    """``url`` escaped for an href attribute when the rule allows it; None otherwise (render it unlinked)."""
    return html.escape(url, quote=True) if url is not None and is_safe_url(url) else None
