"""Which story an incoming entry repeats, for the entries of a whole group of feeds at once.

The rules, the same whether one feed or several are stored in a transaction:

- same canonical URL or same content hash: the same story, whichever feed carried it and whenever;
- same title key or a simhash within ``max_distance`` bits: the same story only across feeds and within the
  near-duplicate window (inside one feed, two guids are two stories: two quakes of similar size read alike);
- a URL, hash or title key match comes before a near match, in that order, and the oldest story wins;
- an entry without text (a link alone) matches by its URL only: every empty text has the same hash and
  simhash, so text rules would join unrelated links;
- inside one feed, a second guid with the same text is the same story too: ingest/store.py keeps its URL as
  another source (the index holds only earlier feeds' stories, so that rule lives there).

A group costs one query per 500 entries (same URL, hash or title key, or a shared simhash band: storage/items.py
``list_duplicate_candidates``), not a few per feed. The stored rows they return go into a ``DuplicateIndex``
that answers each entry in memory; items accepted earlier in the same group join it as they are accepted, so two
feeds of one group carrying one story still store it once. The index holds every stored row that could answer
any entry's question, and a few more (say, a same-feed row found by its title key), which the rules above then
leave out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from feeds.fingerprint import content_hash as text_hash
from feeds.fingerprint import hamming, simhash_bands
from model.items import NormalisedItem
from storage import items as item_store

# A story's place in age order: (0, item id) for a stored item, (1, n) for the n-th item accepted in the group
# (stored later in that order, so after every stored one). ``min`` picks the oldest.
Ref = tuple[int, int]
EMPTY_TEXT_HASH = text_hash("", "")  # the hash of an entry without title and summary


@dataclass(frozen=True, slots=True)
class Incoming:
    """An entry some feed delivered for the first time, with what its dedupe needs to know."""

    feed_id: int
    entry: NormalisedItem
    title_key: str | None
    since: datetime  # start of the near-duplicate window of this entry's poll


# A story in the index: (ref, feed id, fetched at, simhash). A tuple: the index is built per group, in bulk.
_Known = tuple[Ref, int, datetime, int]


class DuplicateIndex:
    """Stored and just-accepted stories by URL, content hash, title key and simhash band.

    Only what ``incoming`` will ask about is kept: a story's other title key and bands are left out.
    """

    def __init__(self, incoming: Sequence[Incoming], max_distance: int) -> None:
        self.max_distance = max_distance
        self._by_url: dict[str, Ref] = {}
        self._by_hash: dict[str, Ref] = {}
        self._by_title: dict[str, list[_Known]] = {}
        # Keyed by band position << 16 | band value (simhash_bands, without a tuple per key).
        self._by_band: dict[int, list[_Known]] = {}
        self._titles = {i.title_key for i in incoming if i.title_key}
        self._bands = {key for i in incoming for key in _band_keys(i.entry.simhash)} if max_distance > 0 else set()

    def add(
        self,
        ref: Ref,
        *,
        feed_id: int,
        fetched_at: datetime,
        url: str | None,
        content_hash: str,
        title_key: str | None,
        simhash: int,
    ) -> None:
        known = (ref, feed_id, fetched_at, simhash)
        if url:
            current = self._by_url.get(url)
            if current is None or ref < current:
                self._by_url[url] = ref
        if content_hash == EMPTY_TEXT_HASH:
            return  # no text: found by its URL alone
        current = self._by_hash.get(content_hash)
        if current is None or ref < current:
            self._by_hash[content_hash] = ref
        if title_key in self._titles:
            self._by_title.setdefault(title_key, []).append(known)
        if self._bands:
            for key in _band_keys(simhash):
                if key in self._bands:
                    self._by_band.setdefault(key, []).append(known)

    def add_incoming(self, ref: Ref, incoming: Incoming, fetched_at: datetime) -> None:
        entry = incoming.entry
        self.add(
            ref,
            feed_id=incoming.feed_id,
            fetched_at=fetched_at,
            url=entry.url,
            content_hash=entry.content_hash,
            title_key=incoming.title_key,
            simhash=entry.simhash,
        )

    def match(self, incoming: Incoming) -> Ref | None:
        """The oldest story ``incoming`` repeats, by the rules in the module docstring; None for a new story."""
        entry = incoming.entry
        if entry.url and entry.url in self._by_url:
            return self._by_url[entry.url]
        if entry.content_hash == EMPTY_TEXT_HASH:
            return None  # near-duplicate matching never runs on an empty text
        if entry.content_hash in self._by_hash:
            return self._by_hash[entry.content_hash]
        feed_id, since = incoming.feed_id, incoming.since
        if incoming.title_key:
            titled = [k[0] for k in self._by_title.get(incoming.title_key, ()) if k[1] != feed_id and k[2] >= since]
            if titled:
                return min(titled)
        if self.max_distance <= 0:
            return None
        value, limit = entry.simhash, self.max_distance
        near = (
            known[0]
            for key in _band_keys(value)
            for known in self._by_band.get(key, ())
            if known[1] != feed_id and known[2] >= since and hamming(known[3], value) <= limit
        )
        return min(near, default=None)


def _band_keys(simhash: int) -> tuple[int, int, int, int]:
    """``simhash_bands`` with each band's position in the bits above it: one int key per (position, band)."""
    first, second, third, fourth = simhash_bands(simhash)
    return (first, 1 << 16 | second, 2 << 16 | third, 3 << 16 | fourth)


async def load_index(session: AsyncSession, incoming: Sequence[Incoming], *, max_distance: int) -> DuplicateIndex:
    """An index of the stored items any of ``incoming`` could repeat (see the module docstring)."""
    index = DuplicateIndex(incoming, max_distance)
    questions = [(i.entry.url, i.entry.content_hash, i.title_key, i.entry.simhash, i.since) for i in incoming]
    for item_id, feed_id, fetched_at, url, content_hash, key, value in await item_store.list_duplicate_candidates(
        session, questions, near=max_distance > 0
    ):
        index.add(
            (0, item_id),
            feed_id=feed_id,
            fetched_at=fetched_at,
            url=url,
            content_hash=content_hash,
            title_key=key,
            simhash=value,
        )
    return index
