"""Parsing the few response headers that steer polling: Retry-After, Cache-Control, validators."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx

from feeds.models import CacheValidators

_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)\"?", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|[,\s])(?:no-cache|no-store)(?:$|[,\s=])", re.IGNORECASE)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> timedelta | None:
    """Retry-After as a delay: delta-seconds or an HTTP-date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP-date is GMT by definition
        when = when.replace(tzinfo=UTC)
    delay = when - (now or datetime.now(UTC))
    return max(delay, timedelta(0))


def parse_max_age(value: str | None) -> timedelta | None:
    """Cache-Control max-age; None when absent or when no-cache/no-store forbid reuse."""
    if not value or _NO_CACHE.search(value):
        return None
    match = _MAX_AGE.search(value)
    return timedelta(seconds=int(match.group(1))) if match else None


def conditional_headers(validators: CacheValidators) -> dict[str, str]:
    headers = {}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def response_validators(response: httpx.Response, previous: CacheValidators | None = None) -> CacheValidators:
    """Validators the server sent; on a 304 the stored ones stand where the server omits them."""
    etag = response.headers.get("etag")
    last_modified = response.headers.get("last-modified")
    if previous is not None:
        etag = etag or previous.etag
        last_modified = last_modified or previous.last_modified
    return CacheValidators(etag=etag, last_modified=last_modified)
