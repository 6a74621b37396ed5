"""Plain values that flow through the feed stages: fetch -> parse -> normalise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class CacheValidators:
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Fetched:
    """A 2xx response whose body was read in full (under the cap, decompressed)."""

    url: str  # final URL after redirects
    body: bytes
    content_type: str | None
    validators: CacheValidators
    permanent_redirect: str | None = None  # new URL when every hop was 301/308
    max_age: timedelta | None = None  # Cache-Control max-age
    retry_after: timedelta | None = None


@dataclass(frozen=True, slots=True)
class NotModified:
    """A 304: nothing new since the stored validators."""

    url: str
    validators: CacheValidators
    permanent_redirect: str | None = None
    max_age: timedelta | None = None


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One entry as the feed gave it (HTML not yet stripped)."""

    guid: str | None
    link: str | None  # http(s) only: any other scheme is no link
    title: str
    summary_html: str
    published: datetime | None  # aware UTC when the feed had a parsable date
    language: str | None = None
    extras: dict[str, str] = field(default_factory=dict)  # namespaced extras, e.g. gdacs:alertlevel


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    link: str | None
    language: str | None
    ttl: timedelta | None
    entries: list[RawEntry]
    bozo_reason: str | None = None  # malformed XML that still yielded entries
    published: datetime | None = None  # the channel's own date: the fallback for undated entries
    hub: str | None = None  # <link rel="hub">: a WebSub hub that pushes new entries
    self_url: str | None = None  # <link rel="self">: the topic URL to subscribe with
