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

Candidates come from an index, never a scan. A story is filed under keys (country, band, bits) for each of its
first ``COUNTRIES`` countries (country 0: it names none): ``BANDS`` bands of ``BITS`` sign bits of its centred
vector against fixed random hyperplanes. A new item probes the keys of its own country only, each an index
range on (key, published_at) inside the window, at most ``PER_KEY`` newest per key (storage.stories). So the
facts rule's country and date do most of the narrowing in the index itself, and the bands split a country's
stories of the window further: two centred vectors at cosine c agree on a bit with probability
1 - acos(c)/pi, on a band of 2 bits at the threshold (0.28) with 0.35, so a pair at the threshold shares one of
6 keys with probability 0.93, at 0.5 with 0.97 (bench/grouping.py --lsh counts it on the pairs).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from ingest.story_words import hazard_kinds, is_warning, place_countries
from model.annotation import Annotation
from model.settings import FeedSettings
from storage import stories as story_store

__all__ = [
    "BANDS",
    "BITS",
    "MEAN_PATH",
    "GroupingRule",
    "StoryFacts",
    "StoryIndex",
    "band_keys",
    "centre",
    "corpus_mean",
    "country_keys",
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
COUNTRIES = 3  # a story is found under its first three countries (the one it is about, then who helps)
PER_KEY = 20  # candidates per key: bounds a key that many stories of one country in the window crowd
# Fixed seed: stored keys must stay comparable across restarts and workers.
_PLANES_SEED = 15
_planes_cache: dict[int, np.ndarray] = {}
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


def story_facts(title: str, summary: str, annotation: Annotation, published: datetime) -> StoryFacts | None:
    """The facts of an annotated item, or None when the annotation carries no embedding (rules-only mode).

    The countries are the annotator's, then those of the provinces and towns the text names (in that order):
    "Gansu quake kills over 100" is about China though it never says so."""
    if annotation.embedding is None:
        return None
    text = f"{title}. {summary}"
    kinds = hazard_kinds(text) | {f"event:{e.kind}" for e in annotation.events}
    ordered = tuple(dict.fromkeys([*annotation.countries, *place_countries(text)]))
    return StoryFacts(
        centre(decode_vector(annotation.embedding)),
        frozenset(ordered),
        published,
        kinds,
        is_warning(title),
        ordered[0] if ordered else None,
        frozenset(annotation.topics) | frozenset(annotation.review_topics),
        ordered,
    )


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
        if a.primary not in b.countries or b.primary not in a.countries:
            return False
        if _shared_hazard(a.kinds, b.kinds):
            threshold = rule.shared_hazard_threshold
    elif a.countries or b.countries:
        return False  # the countries must overlap, and nothing overlaps no country
    else:
        # Neither names a country: the hazard must be named on both sides and agree, at a stricter cut.
        threshold = rule.unplaced_threshold
        if not (a.kinds & b.kinds):
            return False
    if a.warning != b.warning or not _compatible_kinds(a.kinds, b.kinds):
        return False
    if not _compatible_kinds(a.topics, b.topics):
        return False  # health ministers and emergency chiefs meeting in one city on one day
    return float(np.dot(a.vector, b.vector)) >= threshold


def _planes(dim: int) -> np.ndarray:
    planes = _planes_cache.get(dim)
    if planes is None:
        planes = np.random.default_rng(_PLANES_SEED).standard_normal((BANDS * BITS, dim)).astype(np.float32)
        _planes_cache[dim] = planes
    return planes


def band_keys(vectors: np.ndarray | Sequence[np.ndarray]) -> list[list[int]]:
    """Per vector, its ``BANDS`` band values: band number << BITS | the band's sign bits (no country yet)."""
    if len(vectors) == 0:
        return []
    matrix = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    bits = (matrix @ _planes(matrix.shape[1]).T > 0).reshape(matrix.shape[0], BANDS, BITS)
    weights = 1 << np.arange(BITS)
    values = (bits * weights).sum(axis=2)
    return [[band << BITS | int(v) for band, v in enumerate(row)] for row in values]


def _country_number(code: str | None) -> int:
    """0 for no country, else a number per alpha-2 code (A-Z in five bits each)."""
    if not code or len(code) != 2 or not code.isalpha():
        return 0
    return (ord(code[0].upper()) - 64) << 5 | (ord(code[1].upper()) - 64)


def country_keys(countries: Sequence[str | None], bands: Sequence[int]) -> list[int]:
    """The index keys of ``bands`` under each country: country number << 8 | band value."""
    return [_country_number(c) << 8 | band for c in dict.fromkeys(countries) for band in bands]


def index_keys(facts: StoryFacts, bands: Sequence[int]) -> tuple[list[int], list[int]]:
    """(the keys an item probes, the keys its story is filed under): its own country's, and its first
    ``COUNTRIES`` countries' (country 0 for an item that names none)."""
    probe = country_keys([facts.primary], bands)
    filed = country_keys(list(facts.ordered[:COUNTRIES]) or [None], bands)
    return probe, filed


def best_match(facts: StoryFacts, candidates: Iterable[tuple[int, StoryFacts]], rule: GroupingRule) -> int | None:
    """The candidate id closest to ``facts`` among those the rule accepts; None for a new story.

    One matrix product gives every cosine; only candidates above the lower cut have their facts checked."""
    found = list(candidates)
    if not found:
        return None
    scores = np.stack([other.vector for _, other in found]) @ facts.vector
    cut = min(rule.threshold, rule.unplaced_threshold, rule.shared_hazard_threshold)
    for n in np.argsort(-scores):
        if scores[n] < cut:
            break
        if same_story(facts, found[n][1], rule):
            return found[n][0]
    return None


# A story's place in age order, as ingest.dedupe.Ref: (0, item id) stored, (1, n) the n-th accepted in a group.
Ref = tuple[int, int]


class StoryIndex:
    """Stories that the items of a group could join, by band key, with the group's new stories as they come."""

    def __init__(self, rule: GroupingRule) -> None:
        self.rule = rule
        self._by_key: dict[int, list[tuple[Ref, int, StoryFacts]]] = {}

    def add(self, ref: Ref, feed_id: int, facts: StoryFacts, keys: Sequence[int]) -> None:
        """File a story under ``keys`` (the stored ones it matched, or a new story's filed keys)."""
        for key in keys:
            known = self._by_key.setdefault(key, [])
            known.append((ref, feed_id, facts))
            if len(known) > PER_KEY:  # the cap of the stored look-up, for the group's own stories too
                del known[0]

    def match(self, feed_id: int, facts: StoryFacts, keys: Sequence[int]) -> Ref | None:
        """The closest story ``facts`` joins; inside one feed two items stay two stories (as in dedupe)."""
        seen: dict[Ref, StoryFacts] = {}
        for key in keys:
            for ref, other_feed, other in self._by_key.get(key, ()):
                if other_feed != feed_id:
                    seen[ref] = other
        return best_match(facts, seen.items(), self.rule)


async def load_story_index(
    session: AsyncSession, facts: Sequence[tuple[StoryFacts, Sequence[int]]], rule: GroupingRule
) -> StoryIndex:
    """A StoryIndex of the stored stories any of ``facts`` (with the keys each probes) could join: one
    statement per few hundred distinct keys, whatever the number of items (storage.stories)."""
    index = StoryIndex(rule)
    if not facts:
        return index
    keys = {key for _, item_keys in facts for key in item_keys}
    since = min(f.published for f, _ in facts) - rule.window
    until = max(f.published for f, _ in facts) + rule.window
    for story in await story_store.list_story_candidates(session, keys, since, until, per_key=PER_KEY):
        stored = StoryFacts(
            decode_vector(story.vector),
            frozenset(story.countries),
            story.published_at,
            frozenset(story.kinds),
            story.warning,
            story.countries[0] if story.countries else None,
            frozenset(story.topics),
            tuple(story.countries),
        )
        index.add((0, story.item_id), story.feed_id, stored, story.keys)
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
