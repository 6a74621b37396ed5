"""Plain values that flow through the feed stages: fetch -> parse -> normalise."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from operator import attrgetter


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """How a fetch may behave; filled from ``[feeds]`` in config.toml."""

    user_agent: str = "Coopwatch/0.1 (+https://github.com/coopwatch/coopwatch; news monitor)"
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    allow_private_addresses: bool = False


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
    link: str | None
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


@dataclass(frozen=True, slots=True)
class NormalisedItem:
    """An entry ready to store: plain text, canonical URL, UTC time, content fingerprints."""

    guid: str
    url: str | None  # canonical, tracking parameters removed
    title: str
    summary: str  # plain text
    content_hash: str  # sha256 hex of normalised title + summary
    simhash: int  # 64-bit signed simhash of title + summary, for near-duplicate detection
    published: datetime  # aware UTC
    language: str | None
    extras: dict[str, str] = field(default_factory=dict)

    def __reduce__(self) -> tuple[type[NormalisedItem], tuple[object, ...]]:
        # Items cross from the parse process in bulk: a constructor call unpickles in half the time of
        # the dataclass default (per-field setattr through fields()).
        return NormalisedItem, _normalised_fields(self)


_normalised_fields = attrgetter(*(f.name for f in fields(NormalisedItem)))  # every field, in declaration order
