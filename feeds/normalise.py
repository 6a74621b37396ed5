"""From a RawEntry to a NormalisedItem: plain text, canonical link, UTC time, fingerprints."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import ftfy
from selectolax.lexbor import LexborHTMLParser
from w3lib.url import canonicalize_url

from feeds.fingerprint import content_hash, hamming, simhash, simhash_bands, simhashes
from feeds.models import RawEntry
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
    "web_link",
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
_WEB_SCHEMES = ("http://", "https://")
# ftfy limited to undoing mis-decoded text (UTF-8 read as cp1252/latin-1, twice over): no unescaping, quote
# straightening, width or ligature changes, so correct text in any script comes out as it went in.
_MOJIBAKE_ONLY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


def html_to_text(html: str) -> str:
    """Plain text: tags stripped, script/style dropped, entities decoded, whitespace collapsed."""
    if "<" not in html and "&" not in html:
        return _SPACE.sub(" ", html).strip()
    tree = LexborHTMLParser(_BLOCK_TAG.sub(r" <\1", html))
    tree.strip_tags(_DROPPED_TAGS)
    root = tree.body or tree.root
    text = root.text(deep=True, separator="") if root is not None else ""
    return _SPACE.sub(" ", text).strip()


def repair_mojibake(text: str) -> str:
    """Text a source double-encoded ("ÐœÐ§Ð¡" for "МЧС") read back; correct text is returned unchanged."""
    return text if text.isascii() else ftfy.fix_text(text, _MOJIBAKE_ONLY)


def web_link(link: str | None) -> str | None:
    """The one link rule for everything stored: http(s) or nothing (no javascript:, data:, file:, tg:...)."""
    link = (link or "").strip()
    return link if link[:8].lower().startswith(_WEB_SCHEMES) else None


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
    channel_published: datetime | None = None,
) -> NormalisedItem | None:
    """Normalise one entry; never raises on odd input (missing ids, dates, links). None for an empty entry."""
    items = normalise_entries(
        [entry],
        fetched_at=fetched_at,
        feed_language=feed_language,
        max_future=max_future,
        channel_published=channel_published,
    )
    return items[0] if items else None


def normalise_entries(
    entries: Sequence[RawEntry],
    *,
    fetched_at: datetime,
    feed_language: str | None,
    max_future: timedelta = timedelta(days=2),
    channel_published: datetime | None = None,
) -> list[NormalisedItem]:
    """``normalise_entry`` for each of a feed's entries (their simhashes in one pass), empty ones left out.

    An entry without a date of its own takes the channel's date, else the fetch time; ``date_source`` says
    which ("entry", "channel", "fetched"), so an old channel's undated items are never news of today.
    """
    fetched_at = _as_utc(fetched_at)
    channel = _as_utc(channel_published) if channel_published is not None else None
    kept: list[tuple[RawEntry, str | None, str, str]] = []
    for entry in entries:
        title = repair_mojibake(html_to_text(entry.title))
        summary = repair_mojibake(html_to_text(entry.summary_html))
        url = _safe_canonical(entry.link)
        if title or summary or url:  # an entry with nothing to read or follow is not a story
            kept.append((entry, url, title, summary))
    fingerprints = simhashes([f"{title}\n{summary}" for _, _, title, summary in kept])
    items = []
    for (entry, url, title, summary), fingerprint in zip(kept, fingerprints, strict=True):
        digest = content_hash(title, summary)
        published, source = _dated(entry.published, channel, fetched_at, max_future)
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
                date_source=source,
            )
        )
    return items


def _dated(
    own: datetime | None, channel: datetime | None, fetched_at: datetime, max_future: timedelta
) -> tuple[datetime, str]:
    """The date an item is filed under, and where it came from."""
    published, source = (own, "entry") if own is not None else (channel, "channel")
    if published is None:
        return fetched_at, "fetched"
    published = _as_utc(published)
    if published > fetched_at + max_future:
        return fetched_at, "fetched"  # a date far ahead is a feed bug; it must not pin the item to the top
    return published, source


def dedupe_entries(items: Sequence[NormalisedItem]) -> list[NormalisedItem]:
    """Drop repeats within one fetched feed: same guid, then same link. First wins.

    Two guids with the same text stay: ingest stores them as one story with the second URL as another
    source (ingest/store.py), so a story two papers of one feed carry keeps both links.
    """
    guids: set[str] = set()
    urls: set[str] = set()
    kept = []
    for item in items:
        if item.guid in guids or (item.url and item.url in urls):
            continue
        kept.append(item)
        guids.add(item.guid)
        if item.url:
            urls.add(item.url)
    return kept


def _safe_canonical(link: str | None) -> str | None:
    link = web_link(link)
    if link is None:
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
