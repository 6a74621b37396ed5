"""From a RawEntry to a NormalisedItem: plain text, canonical link, UTC time, fingerprints."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser
from w3lib.url import canonicalize_url

from feeds.fingerprint import content_hash, hamming, simhash, simhash_bands, simhashes
from feeds.models import RawEntry
from feeds.repair import repair_mojibake
from model.items import NormalisedItem

__all__ = [
    "canonical_url",
    "dedupe_entries",
    "hamming",
    "html_to_text",
    "normalise_entries",
    "normalise_entry",
    "simhash",
    "simhash_bands",
]

_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
_TRACKING_NAMES = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "ysclid", "_openstat", "mc_cid", "mc_eid",
        "igshid", "twclid", "_hsenc", "_hsmi", "mkt_tok", "vero_id", "oly_anon_id", "oly_enc_id", "wt_mc",
        "rb_clickid", "s_cid", "at_medium", "at_campaign", "ncid", "cmpid",
    }
)  # fmt: skip
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Put a space before block-level tags so "<p>a</p><p>b</p>" reads "a b", not "ab".
_BLOCK_TAG = re.compile(
    r"<(/?(?:p|div|br|hr|li|ul|ol|dd|dt|h[1-6]|tr|td|th|table|blockquote|pre|section|article|figcaption)\b)",
    re.IGNORECASE,
)
_DROPPED_TAGS = ["script", "style", "noscript", "template", "iframe", "object"]
_SPACE = re.compile(r"\s+")
_FALLBACK_TITLE_CHARS = 120


def html_to_text(html: str) -> str:
    """Plain text: tags stripped, script/style dropped, entities decoded, whitespace collapsed."""
    if "<" not in html and "&" not in html:
        return _SPACE.sub(" ", html).strip()
    tree = LexborHTMLParser(_BLOCK_TAG.sub(r" <\1", html))
    tree.strip_tags(_DROPPED_TAGS)
    root = tree.body or tree.root
    text = root.text(deep=True, separator="") if root is not None else ""
    return _SPACE.sub(" ", text).strip()


def canonical_url(url: str) -> str:
    """Tracking parameters and fragment dropped, scheme/host lower-cased, default port and query sorted."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    netloc = parts.netloc.lower()
    scheme = parts.scheme.lower()
    if parts.port is not None and _DEFAULT_PORTS.get(scheme) == parts.port:
        netloc = netloc.rsplit(":", 1)[0]
    rebuilt = urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))
    return canonicalize_url(rebuilt)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_NAMES or lowered.startswith(_TRACKING_PREFIXES)


def normalise_entry(
    entry: RawEntry,
    *,
    fetched_at: datetime,
    feed_language: str | None,
    max_future: timedelta = timedelta(days=2),
) -> NormalisedItem:
    """Normalise one entry; never raises on odd input (missing ids, dates, links)."""
    [item] = normalise_entries([entry], fetched_at=fetched_at, feed_language=feed_language, max_future=max_future)
    return item


def normalise_entries(
    entries: Sequence[RawEntry],
    *,
    fetched_at: datetime,
    feed_language: str | None,
    max_future: timedelta = timedelta(days=2),
    channel_date: datetime | None = None,
) -> list[NormalisedItem]:
    """``normalise_entry`` for each of a feed's entries (their simhashes in one pass). An entry without a
    date of its own takes ``channel_date`` (the feed's), else ``fetched_at``; ``date_source`` says which."""
    fetched_at = _as_utc(fetched_at)
    texts = [
        (html_to_text(repair_mojibake(entry.title)), html_to_text(repair_mojibake(entry.summary_html)))
        for entry in entries
    ]
    fingerprints = simhashes([f"{title}\n{summary}" for title, summary in texts])
    items = []
    for entry, (title, summary), fingerprint in zip(entries, texts, fingerprints, strict=True):
        url = _safe_canonical(entry.link)
        digest = content_hash(title, summary)
        published, date_source = _date(entry.published, channel_date, fetched_at, max_future)
        items.append(
            NormalisedItem(
                guid=(entry.guid or "").strip() or url or f"sha256:{digest}",
                url=url,
                title=title or _shorten(summary),
                summary=summary,
                content_hash=digest,
                simhash=fingerprint,
                published=published,
                language=entry.language or feed_language,
                extras=dict(entry.extras),
                date_source=date_source,
            )
        )
    return items


def _date(
    own: datetime | None, channel: datetime | None, fetched_at: datetime, max_future: timedelta
) -> tuple[datetime, str]:
    """The entry's date and its source; a date far ahead is a feed bug and must not pin the item to the top,
    so it is clamped to the fetch time (and a channel date ahead of it is no better than none)."""
    if own is not None:
        moment = _as_utc(own)
        return (fetched_at if moment > fetched_at + max_future else moment), "entry"
    if channel is not None:
        return min(_as_utc(channel), fetched_at), "channel"
    return fetched_at, "fetched"


def dedupe_entries(items: Sequence[NormalisedItem]) -> list[NormalisedItem]:
    """Drop repeats within one fetched feed: same guid, then same link, then same text. First wins."""
    guids: set[str] = set()
    urls: set[str] = set()
    hashes: set[str] = set()
    kept = []
    for item in items:
        has_text = bool(item.title or item.summary)
        if item.guid in guids or (item.url and item.url in urls) or (has_text and item.content_hash in hashes):
            continue
        kept.append(item)
        guids.add(item.guid)
        if item.url:
            urls.add(item.url)
        if has_text:
            hashes.add(item.content_hash)
    return kept


def _safe_canonical(link: str | None) -> str | None:
    if not link or not link.strip():
        return None
    try:
        return canonical_url(link)
    except ValueError:  # e.g. a bad port; keep the link as given rather than lose the item
        return link.strip()


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _shorten(text: str) -> str:
    if len(text) <= _FALLBACK_TITLE_CHARS:
        return text
    return text[:_FALLBACK_TITLE_CHARS].rsplit(" ", 1)[0] + "…"
