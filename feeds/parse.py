"""Parsing fetched bytes into a ParsedFeed with feedparser (which never sees a URL)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urljoin

import feedparser
import feedparser.mixin

from feeds._charset import as_utf8_document, decode_feed
from feeds.dates import channel_date, entry_date
from feeds.errors import EmptyBody, NotAFeed
from feeds.models import ParsedFeed, RawEntry
from feeds.normalise import html_to_text, web_link

__all__ = ["parse_feed"]

# A DOCTYPE with an internal subset declaring entities: feeds never need one, and it is how
# billion-laughs and quadratic-blowup payloads arrive. feedparser and expat defend too; this
# does not depend on their versions.
_ENTITY_DOCTYPE = re.compile(
    r"(\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*)<!DOCTYPE[^\[>]*\[(.*?)\]\s*>", re.DOTALL | re.IGNORECASE
)
# Namespaces whose elements feedparser already maps to its own fields.
_CORE_PREFIXES = frozenset({"", "rdf", "content", "dc", "dcterms", "atom", "xml", "xhtml", "georss", "media"})
_MAX_TTL = timedelta(days=7)
# feedparser's own prefixes for well-known namespace URIs (a private table, hence the fallback).
_KNOWN_NAMESPACES: dict[str, str] = getattr(getattr(feedparser.mixin, "_FeedParserMixin", None), "namespaces", {})


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a fetched feed body; EmptyBody or NotAFeed when there is nothing to read."""
    if not body.strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        raise EmptyBody(f"{url}: empty response body")
    decoded = decode_feed(body, content_type)
    text = _drop_entity_doctype(decoded.text)
    media_type = (content_type or "application/xml").split(";", 1)[0].strip() or "application/xml"
    result = feedparser.parse(
        io.BytesIO(as_utf8_document(text)),  # a stream, so feedparser never treats it as a URL or path
        # no content-location: feedparser would resolve non-URL guids against it
        response_headers={"content-type": f"{media_type}; charset=utf-8"},
        sanitize_html=False,  # we reduce HTML to plain text ourselves
        resolve_relative_uris=False,
    )
    if not result.get("version") and not result.entries:
        reason = _bozo(result) or "no RSS, Atom or RDF structure found"
        raise NotAFeed(f"{url}: not a feed ({media_type}): {reason}")
    feed = result.feed
    language = _clean(feed.get("language")) or _clean(feed.get("title_detail", {}).get("language"))
    extras = _extra_prefixes(result)
    entries = [_entry(raw, url, language, extras) for raw in result.entries]
    reasons = [reason for reason in (decoded.problem, _bozo(result)) if reason]
    return ParsedFeed(
        title=html_to_text(feed.get("title") or ""),  # plain text, like item titles: never markup as a name
        link=web_link(_clean(feed.get("link"))),
        language=language,
        ttl=_ttl(feed.get("ttl")),
        entries=entries,
        bozo_reason="; ".join(reasons) or None,
        published=channel_date(feed, language),
        hub=_link_rel(feed, "hub"),
        self_url=_link_rel(feed, "self"),
    )


def _link_rel(feed: dict, rel: str) -> str | None:
    for link in feed.get("links") or ():
        if link.get("rel") == rel and (href := web_link(_clean(link.get("href")))):
            return href
    return None


def _drop_entity_doctype(text: str) -> str:
    match = _ENTITY_DOCTYPE.match(text)
    if match is None or "<!ENTITY" not in match.group(2).upper():
        return text
    return match.group(1) + text[match.end() :]


def _bozo(result: Any) -> str | None:
    if not result.get("bozo"):
        return None
    exc = result.get("bozo_exception")
    if exc is None:
        return "malformed feed"
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        return None  # we re-encoded to UTF-8 ourselves; decode_feed reports real charset problems
    return f"{type(exc).__name__}: {exc}"


def _entry(raw: Any, base: str, feed_language: str | None, extra_prefixes: frozenset[str]) -> RawEntry:
    link = _clean(raw.get("link"))
    summary = raw.get("summary") or ""
    if not summary and raw.get("content"):
        summary = raw["content"][0].get("value", "")
    language = _clean(raw.get("title_detail", {}).get("language")) or feed_language
    return RawEntry(
        guid=_clean(raw.get("id")),
        link=web_link(urljoin(base, link)) if link else None,
        title=raw.get("title") or "",
        summary_html=summary,
        published=entry_date(raw, language),
        language=language,
        extras=_extras(raw, extra_prefixes),
    )


def _extra_prefixes(result: Any) -> frozenset[str]:
    """Prefixes feedparser uses for the document's non-core namespaces (its own name for known URIs)."""
    prefixes = {_KNOWN_NAMESPACES.get(uri, prefix) for prefix, uri in result.get("namespaces", {}).items()}
    return frozenset(prefix for prefix in prefixes if prefix and prefix not in _CORE_PREFIXES)


def _extras(raw: Any, prefixes: frozenset[str]) -> dict[str, str]:
    if not prefixes:
        return {}
    extras = {}
    for key, value in raw.items():
        prefix, sep, local = key.partition("_")
        if sep and prefix in prefixes and isinstance(value, str) and not local.endswith("detail"):
            extras[f"{prefix}:{local}"] = value.strip()
    return extras


def _ttl(value: Any) -> timedelta | None:
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return min(timedelta(minutes=minutes), _MAX_TTL) if minutes > 0 else None


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None
