"""A normalised feed entry, and the keys derived from it that dedupe compares and storage indexes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from operator import attrgetter

_MASK = (1 << 64) - 1
_WORD = re.compile(r"\w+")
_TITLE_KEY_MIN_WORDS = 5  # shorter titles ("Daily brief") are shared by unrelated stories


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
    date_source: str = "entry"  # where ``published`` came from: "entry", "channel" (feed's date), "fetched"

    def __reduce__(self) -> tuple[type[NormalisedItem], tuple[object, ...]]:
        # Items cross from the parse process in bulk: a constructor call unpickles in half the time of
        # the dataclass default (per-field setattr through fields()).
        return NormalisedItem, _normalised_fields(self)


_normalised_fields = attrgetter(*(f.name for f in fields(NormalisedItem)))  # every field, in declaration order


def simhash_bands(value: int) -> tuple[int, int, int, int]:
    """Four 16-bit bands (0..65535), most significant first."""
    unsigned = value & _MASK
    return (unsigned >> 48 & 0xFFFF, unsigned >> 32 & 0xFFFF, unsigned >> 16 & 0xFFFF, unsigned & 0xFFFF)


@lru_cache(maxsize=4096)  # asked twice per new item: dedupe, then the row
def title_key(title: str) -> str | None:
    """A key equal for titles with the same words; syndicated copies keep the title but trim the text."""
    words = _WORD.findall(title.casefold())
    if len(words) < _TITLE_KEY_MIN_WORDS:
        return None
    return hashlib.sha256(" ".join(words).encode()).hexdigest()
