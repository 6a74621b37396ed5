"""Story grouping on meaning: which stored story a new item tells again, across feeds and languages.

The exact rules of ingest.dedupe (URL, content hash, title key) run first. An item none of them places joins a
story when all of these hold:

- its embedding is close to the story's (cosine of centred vectors >= ``threshold``): the annotator's
  multilingual embedding puts a Russian and an English report of one event side by side, which no simhash of
  words can;
- the countries overlap: each side's own country (the first named) is among the other's. An item that names no
  country (nor a place of one, ingest.story_words) joins only a story that names none either, and then only on
  a shared hazard at a stricter cut. Two earthquakes of one size in two countries read alike;
- the dates are within ``window`` (default 3 days: two SCO meetings a year apart read alike);
- the hazard or event kinds are compatible (a fire and an ammonia leak at one plant are two stories), and a
  warning does not join the event it warned of (the forecast and the flood are two alerts).

Candidates come from an index, never a scan. A story is filed under a key per each of its first ``COUNTRIES``
countries, and a new item probes its own country's key: one index range on (key, published_at) inside the
window, the ``PER_KEY`` newest (storage.stories). The facts rule's country and date do the narrowing in the
index itself. A story that names no country can only join, or be joined by, one naming the same hazard, so
hazard keys carry those pairs: a story is also filed under the hazards it names, in one family for stories
with a country and one for those without; an item with a country probes the hazards of the second, an item
without one both. The facts of a story never change once stored, so ``StoryCache`` keeps those read and
stored, and a look-up reads from the database only the key rows and the stories it has not seen.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from ingest.story_words import StoryWords, story_words
from model.annotation import Annotation
from model.settings import FeedSettings
from storage import stories as story_store

__all__ = [
    "MEAN_PATH",
    "GroupingRule",
    "StoryFacts",
    "StoryCache",
    "StoryIndex",
    "centre",
    "corpus_mean",
    "decode_vector",
    "encode_vector",
    "index_keys",
    "load_story_index",
    "new_story",
    "rule_at",
    "same_story",
    "story_facts",
    "story_rule",
]

BANDS = 6
BITS = 2
GROUP_SIZE = 4  # more countries than this: a story about a group of states (see _own_country_named)
COUNTRIES = 3  # a story is found under its first three countries (the one it is about, then who helps)
PER_KEY = 100  # candidates per key: the newest stories of a country (or of a hazard) in the window
# The low byte of a key: a country's own, or a hazard's in one of two families (stories with a country, without).
_COUNTRY_KEY = 0xFF
_HAZARD_PLACED = 0x40
_HAZARD_UNPLACED = 0x80
# The embedder's mean over the training corpus (bench/story_mean.py): subtracted before cosines and band keys.
MEAN_PATH = Path(__file__).parent / "data" / "story_mean.npz"


@cache
def corpus_mean(dim: int) -> np.ndarray | None:
    """The shipped mean vector for embeddings of ``dim`` dimensions; None when there is none (no centring)."""
    if not MEAN_PATH.exists():
        return None
    with np.load(MEAN_PATH) as data:
        mean = np.asarray(data["mean"], dtype=np.float32)
    return mean if mean.shape == (dim,) else None


def centre(vector: np.ndarray) -> np.ndarray:
    """``vector`` less the corpus mean, at unit length: what tells one story from another of the domain."""
    mean = corpus_mean(vector.shape[0])
    if mean is None:
        return vector
    centred = vector - mean
    norm = float(np.linalg.norm(centred))
    return centred / norm if norm else centred


@dataclass(frozen=True, slots=True)
class GroupingRule:
    # Cosines of centred vectors (``centre``). bench/grouping.py --sweep: the highest cut that keeps the tuning
    # pairs' recall at its plateau.
    threshold: float = 0.28
    # Two items that name no country agree on a hazard and must agree more in meaning.
    unplaced_threshold: float = 0.33
    window: timedelta = timedelta(days=3)
    # Both name one country and one hazard (a measles outbreak in Kyrgyzstan, told in Kyrgyz and in Russian):
    # the facts say most of it, and the embedding is weakest across the region's languages.
    shared_hazard_threshold: float = 0.2


def story_rule(settings: FeedSettings) -> GroupingRule | None:
    """The rule the feeds settings ask for; None when story grouping is off."""
    if not settings.story_grouping:
        return None
    return rule_at(settings.story_threshold, settings.story_window)


def rule_at(threshold: float, window: timedelta) -> GroupingRule:
    """The rule with its three cuts set from the main one, as the defaults relate them."""
    return GroupingRule(threshold, min(1.0, threshold + 0.05), window, max(0.0, threshold - 0.08))


@dataclass(frozen=True, slots=True)
class StoryFacts:
    """What the rule compares of an item or story: unit vector, countries, date, kinds, warning or event."""

    vector: np.ndarray  # centred, unit length
    countries: frozenset[str]
    published: datetime
    kinds: frozenset[str]
    warning: bool
    primary: str | None = None  # the first country named: what the story is about, not who helps or borders
    topics: frozenset[str] = frozenset()
    ordered: tuple[str, ...] = ()  # the countries in the order named (the index files the first COUNTRIES)


def encode_vector(vector: np.ndarray) -> bytes:
    """float16 bytes: half the size of float32, and cosines move by well under 0.001."""
    return np.asarray(vector, dtype=np.float16).tobytes()


def decode_vector(data: bytes) -> np.ndarray:
    vector = np.frombuffer(data, dtype=np.float16).astype(np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def story_facts(
    title: str, summary: str, annotation: Annotation, published: datetime, words: StoryWords | None = None
) -> StoryFacts | None:
    """The facts of an annotated item, or None when the annotation carries no embedding (rules-only mode).

    The countries are the annotator's, which include those of the provinces and towns the text names
    (analysis.gazetteer_provinces): "Gansu quake kills over 100" is about China though it never says so.
    ``words``: the item's story words when the parse pool made them."""
    if annotation.embedding is None:
        return None
    words = words or story_words(title, summary)
    ordered = tuple(dict.fromkeys(annotation.countries))
    return StoryFacts(
        centre(decode_vector(annotation.embedding)),
        frozenset(ordered),
        published,
        words.kinds | {f"event:{e.kind}" for e in annotation.events},
        words.warning,
        ordered[0] if ordered else None,
        frozenset(annotation.topics) | frozenset(annotation.review_topics),
        ordered,
    )


def _own_country_named(a: StoryFacts, b: StoryFacts) -> bool:
    """Whether ``b`` names the country ``a`` is about. A story naming more than ``GROUP_SIZE`` countries is
    about a group ("SCO member states", "the five Central Asian states"): its first country is only the first
    member listed, and the other story's own country among them is what counts."""
    return len(a.countries) > GROUP_SIZE or a.primary in b.countries


def _compatible_kinds(a: frozenset[str], b: frozenset[str]) -> bool:
    # A short item may name no kind at all ("Gansu quake kills over 100" names one, "Pass closed" none).
    return not a or not b or bool(a & b)


def _shared_hazard(a: frozenset[str], b: frozenset[str]) -> bool:
    return any(not kind.startswith("event:") for kind in a & b)


def same_story(a: StoryFacts, b: StoryFacts, rule: GroupingRule) -> bool:
    """Whether ``a`` and ``b`` tell one story, by the rule in the module docstring (the facts first: they
    are cheaper than the cosine and refuse most candidates)."""
    if abs(a.published - b.published) > rule.window:
        return False
    threshold = rule.threshold
    if a.countries and b.countries:
        # Each story's own country is among the other's: "a quake in Tajikistan's Murghab" also names
        # Afghanistan (a Murghab is there too), and a quake in Afghanistan is still another story.
        if not (_own_country_named(a, b) and _own_country_named(b, a)):
            return False
        if _shared_hazard(a.kinds, b.kinds):
            threshold = rule.shared_hazard_threshold
    else:
        # One side or both name no country ("WHO declares mpox an emergency"): the hazard must be named on
        # both sides and agree, at a stricter cut.
        threshold = rule.unplaced_threshold
        if not _shared_hazard(a.kinds, b.kinds):
            return False
    if a.warning != b.warning or not _compatible_kinds(a.kinds, b.kinds):
        return False
    if not _compatible_kinds(a.topics, b.topics):
        return False  # health ministers and emergency chiefs meeting in one city on one day
    return float(np.dot(a.vector, b.vector)) >= threshold


def _country_number(code: str | None) -> int:
    """0 for no country, else a number per alpha-2 code (A-Z in five bits each)."""
    if not code or len(code) != 2 or not code.isalpha():
        return 0
    return (ord(code[0].upper()) - 64) << 5 | (ord(code[1].upper()) - 64)


def _hazard_keys(kinds: frozenset[str], family: int) -> list[int]:
    # A hash, not a list position, so that a hazard added to ingest.story_words moves no stored key.
    return sorted({family | zlib.crc32(kind.encode()) % 0x3F for kind in kinds if not kind.startswith("event:")})


def index_keys(facts: StoryFacts) -> tuple[list[int], list[int]]:
    """(the keys an item probes, the keys its story is filed under), by the module docstring's scheme."""
    placed = facts.primary is not None
    filed = [_country_number(c) << 8 | _COUNTRY_KEY for c in facts.ordered[:COUNTRIES]]
    filed += _hazard_keys(facts.kinds, _HAZARD_PLACED if placed else _HAZARD_UNPLACED)
    probe = _hazard_keys(facts.kinds, _HAZARD_UNPLACED)
    if placed:
        probe.insert(0, _country_number(facts.primary) << 8 | _COUNTRY_KEY)
    else:
        probe += _hazard_keys(facts.kinds, _HAZARD_PLACED)
    return probe, filed


# A story's place in age order, as ingest.dedupe.Ref: (0, item id) stored, (1, n) the n-th accepted in a group.
Ref = tuple[int, int]


class _Filed:
    """The stories under one key, oldest first, with their vectors stacked when first asked after a change."""

    __slots__ = ("entries", "_matrix")

    def __init__(self) -> None:
        self.entries: list[tuple[Ref, int, StoryFacts]] = []
        self._matrix: np.ndarray | None = None

    def add(self, entry: tuple[Ref, int, StoryFacts], cap: int) -> None:
        self.entries.append(entry)
        if len(self.entries) > cap:  # the cap of the stored look-up, for the group's own stories too
            del self.entries[0]
        self._matrix = None

    def scores(self, vector: np.ndarray) -> np.ndarray:
        if self._matrix is None:
            self._matrix = np.stack([facts.vector for _, _, facts in self.entries])
        return self._matrix @ vector


class StoryIndex:
    """Stories that the items of a group could join, by key, with the group's new stories as they come."""

    def __init__(self, rule: GroupingRule) -> None:
        self.rule = rule
        self._by_key: dict[int, _Filed] = {}
        self._cut = min(rule.threshold, rule.unplaced_threshold, rule.shared_hazard_threshold)

    def add(self, ref: Ref, feed_id: int, facts: StoryFacts, keys: Sequence[int]) -> None:
        """File a story under ``keys`` (the stored ones it was found under, or a new story's filed keys)."""
        for key in keys:
            self._by_key.setdefault(key, _Filed()).add((ref, feed_id, facts), PER_KEY)

    def match(self, feed_id: int, facts: StoryFacts, keys: Sequence[int]) -> Ref | None:
        """The closest story ``facts`` joins, by the rule; inside one feed two items stay two stories (as in
        dedupe). One matrix product per key gives every cosine; only those above the lowest cut have their
        facts checked, closest first."""
        close: list[tuple[float, Ref, StoryFacts]] = []
        for key in keys:
            filed = self._by_key.get(key)
            if filed is None:
                continue
            scores = filed.scores(facts.vector)
            for n in np.flatnonzero(scores >= self._cut):
                ref, other_feed, other = filed.entries[n]
                if other_feed != feed_id:
                    close.append((float(scores[n]), ref, other))
        close.sort(key=lambda found: found[0], reverse=True)
        for _, ref, other in close:
            if same_story(facts, other, self.rule):
                return ref
        return None


class StoryCache:
    """The facts of stories by item id, the most recently used kept: those this process stored and those it
    read. A story's row never changes, and the next groups of a poll ask for the same newest stories of each
    country. An id that a rolled-back insert freed is filled again through ``put``, which overwrites."""

    def __init__(self, size: int = 5000) -> None:
        self._size = size
        self._facts: OrderedDict[int, tuple[int, StoryFacts]] = OrderedDict()

    def get(self, item_id: int) -> tuple[int, StoryFacts] | None:
        """(feed id, facts) of a story, or None when unknown here."""
        found = self._facts.get(item_id)
        if found is not None:
            self._facts.move_to_end(item_id)
        return found

    def put(self, item_id: int, feed_id: int, facts: StoryFacts) -> None:
        self._facts[item_id] = (feed_id, facts)
        self._facts.move_to_end(item_id)
        while len(self._facts) > self._size:
            self._facts.popitem(last=False)


def _stored_facts(story: story_store.StoredStory) -> StoryFacts:
    return StoryFacts(
        decode_vector(story.vector),
        frozenset(story.countries),
        story.published_at,
        frozenset(story.kinds),
        story.warning,
        story.countries[0] if story.countries else None,
        frozenset(story.topics),
        tuple(story.countries),
    )


async def load_story_index(
    session: AsyncSession,
    facts: Sequence[tuple[StoryFacts, Sequence[int]]],
    rule: GroupingRule,
    cache: StoryCache | None = None,
) -> StoryIndex:
    """A StoryIndex of the stored stories any of ``facts`` (with the keys each probes) could join: one
    statement per hundred distinct keys, whatever the number of items, and one per few hundred stories not
    in ``cache`` (storage.stories)."""
    index = StoryIndex(rule)
    if not facts:
        return index
    cache = cache if cache is not None else StoryCache()
    keys = {key for _, item_keys in facts for key in item_keys}
    since = min(f.published for f, _ in facts) - rule.window
    until = max(f.published for f, _ in facts) + rule.window
    rows = await story_store.list_story_keys(session, keys, since, until, per_key=PER_KEY)
    known: dict[int, tuple[int, StoryFacts]] = {}
    for _, item_id in rows:
        found = cache.get(item_id)
        if found is not None:
            known[item_id] = found
    for story in await story_store.list_stories(session, {item_id for _, item_id in rows} - known.keys()):
        facts_of = _stored_facts(story)
        known[story.item_id] = (story.feed_id, facts_of)
        cache.put(story.item_id, story.feed_id, facts_of)
    # Oldest first, so that the newest stay under a key's cap as in the database.
    found_rows = [(key, item_id) for key, item_id in rows if item_id in known]  # else deleted meanwhile (retention)
    for key, item_id in sorted(found_rows, key=lambda row: known[row[1]][1].published):
        index.add((0, item_id), *known[item_id], [key])
    return index


def new_story(item_id: int, feed_id: int, facts: StoryFacts, keys: Sequence[int]) -> story_store.NewStory:
    """The row that makes a new headline item findable by later reports, filed under ``keys``."""
    return story_store.NewStory(
        item_id,
        feed_id,
        encode_vector(facts.vector),
        list(facts.ordered),
        facts.kinds,
        facts.topics,
        facts.warning,
        facts.published,
        keys,
    )
