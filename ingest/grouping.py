"""Story grouping on meaning: which stored story a new item tells again, across feeds and languages.

The exact rules of ingest.dedupe (URL, content hash, title key) run first. An item none of them places joins a
story when all of these hold:

- its embedding is close to the story's (cosine >= ``threshold``): the annotator's multilingual embedding puts
  a Russian and an English report of one event side by side, which no simhash of words can;
- the countries overlap, or neither names one (two earthquakes of one size in two countries read alike);
- the dates are within ``window`` (two SCO summits a year apart read alike);
- the hazard or event kinds are compatible (a fire and an ammonia leak at one plant are two stories), and a
  warning does not join the event it warned of (the forecast and the flood are two alerts).

Candidates come from an index, never a scan: each story's vector is cut by fixed random hyperplanes into
``BANDS`` keys of ``BITS`` bits (storage/stories.py keeps them in an indexed table). Two vectors at cosine c
agree on a bit with probability 1 - acos(c)/pi, so on a band with that to the power BITS; with 16 bands of 8
bits a pair at the threshold (0.84) shares a key with probability 0.97, at 0.88 with 0.99, while the look-up
stays a handful of
index probes per item, at any number of stored items.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

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
    "decode_vector",
    "encode_vector",
    "hazard_kinds",
    "is_warning",
    "load_story_index",
    "new_story",
    "same_story",
    "story_rule",
    "story_facts",
]

BANDS = 16
BITS = 8
# Fixed seed: stored keys must stay comparable across restarts and workers.
_PLANES_SEED = 15
_planes_cache: dict[int, np.ndarray] = {}
# The embedder's mean over a news corpus (bench/story_mean.py): subtracted before cosines and band keys.
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
    # pairs' recall at its plateau (0.942); the tuning pairs' look-alikes are all refused by the facts.
    threshold: float = 0.28
    # When only one side names a country (short items often name none), the vectors must agree more.
    unplaced_threshold: float = 0.33
    window: timedelta = timedelta(days=3)


def story_rule(settings: FeedSettings) -> GroupingRule | None:
    """The rule the feeds settings ask for; None when story grouping is off."""
    if not settings.story_grouping:
        return None
    # The stricter cut for one-sided countries keeps the gap the tuning pairs chose (0.28 -> 0.33).
    return GroupingRule(settings.story_threshold, min(1.0, settings.story_threshold + 0.05), settings.story_window)


@dataclass(frozen=True, slots=True)
class StoryFacts:
    """What the rule compares of an item or story: unit vector, countries, date, kinds, warning or event."""

    vector: np.ndarray
    countries: frozenset[str]
    published: datetime
    kinds: frozenset[str]
    warning: bool
    primary: str | None = None  # the first country named: what the story is about, not who helps or borders
    topics: frozenset[str] = frozenset()
    # The uncentred vector, which the band keys are cut from: centred cosines of one story run down to 0.3,
    # where 8-bit bands rarely agree (bench/grouping.py --lsh: 37 of 72 pairs share a key centred, 72 raw).
    raw: np.ndarray | None = None


# Hazard and incident words, by stem, in the languages the feeds carry (en, ru, kk, ky, uz, tg, zh). A stem
# matches the start of a word; CJK stems match anywhere. Why: the annotator's events name meetings and drills,
# not hazards, and a hazard word is what tells a quake from a flood in two look-alike reports.
_KIND_STEMS: dict[str, tuple[str, ...]] = {
    "earthquake": (
        "earthquake",
        "quake",
        "tremor",
        "aftershock",
        "землетряс",
        "толчк",
        "толчок",
        "зилзил",
        "zilzil",
        "сілкін",
        "титирөө",
        "silkin",
        "地震",
    ),
    "flood": (
        "flood",
        "паводк",
        "паводок",
        "наводн",
        "подтоп",
        "половод",
        "затоп",
        "тасқын",
        "ташкын",
        "toshqin",
        "обхез",
        "ishim",
        "ишим",
        "洪",
        "dam ",
        "дамб",
        "плотин",
        "dambas",
        "inundat",
    ),
    "mudflow": ("mudflow", "сель", "селев", "сел ", "sel ", "泥石流"),
    "landslide": ("landslide", "оползн", "оползен", "滑坡"),
    "avalanche": ("avalanche", "лавин", "көчкү", "көшкін", "ko'chki", "雪崩"),
    "fire": ("fire", "blaze", "wildfire", "пожар", "возгоран", "горит", "өрт", "yong'in", "сӯхтор", "火"),
    "explosion": ("explosion", "blast", "взрыв", "жарыл", "portla", "爆炸"),
    "chemical": ("ammonia", "chlorine", "leak", "аммиак", "хлор", "утечк", "ammiak", "泄漏"),
    "measles": ("measles", "корь", "кори", "корью", "қызылша", "кызамык", "qizamiq", "麻疹"),
    "anthrax": ("anthrax", "сибирск", "күйдүргү", "күйдіргі", "kuydirgi", "炭疽"),
    "cchf": ("crimean-congo", "crimean", "конго", "kkgl", "ккгл", "克里米亚"),
    "mpox": ("mpox", "monkeypox", "оспа", "оспу", "оспы", "шешек", "猴痘"),
    "avian_flu": ("h5n1", "bird flu", "avian", "птичий", "құс тұмау", "禽流感"),
    "flu": ("influenza", "flu ", "грипп"),
    "cholera": ("cholera", "холер", "霍乱"),
    "brucellosis": ("brucell", "бруцелл"),
    "fmd": ("foot-and-mouth", "ящур"),
    "heat": ("heat", "жара", "жары", "issiq", "高温"),
    "dust": ("dust", "пыльн", "沙尘"),
    "wind": ("wind", "storm", "ветер", "ветр", "шторм", "буран", "大风"),
    "snow": ("snowstorm", "blizzard", "метел", "снегопад"),
    "tsunami": ("tsunami", "цунами", "海啸"),
    "air_crash": ("plane", "crash", "самолёт", "самолет", "авиакатастроф", "разбился", "ұшақ"),
    "mine": ("mine", "miner", "шахт", "горняк", "кенші", "шахтас"),
    "heating": ("теплотрасс", "heating main"),
}
_WARNING = re.compile(
    r"\b(warn|forecast|alert for|risk of|threat|advis|предупрежд|прогноз|ожида|угроз|синоптик|гидрометцентр"
    r"|ескерт|эскерт|ogohlantir)|预警|预报",
    re.IGNORECASE,
)
_HAPPENED = re.compile(
    r"\b(after\b|kill|dead|death|hit|strikes|struck|passes|worsens|погиб|жертв|произош|сош[её]л|разруш|после)",
    re.IGNORECASE,
)


def _kind_pattern(stems: tuple[str, ...]) -> re.Pattern[str]:
    # CJK stems match anywhere (no spaces between words); the others at the start of a word.
    cjk = [re.escape(x) for x in stems if ord(x[0]) >= 0x3000]
    other = [re.escape(x) for x in stems if ord(x[0]) < 0x3000]
    parts = ([r"(?<![\w'])(?:" + "|".join(other) + ")"] if other else []) + cjk
    return re.compile("|".join(parts))


_KIND_PATTERNS = {kind: _kind_pattern(stems) for kind, stems in _KIND_STEMS.items()}


def hazard_kinds(text: str) -> frozenset[str]:
    """The hazard and incident kinds ``text`` names (see ``_KIND_STEMS``)."""
    folded = f" {text.casefold()} "
    return frozenset(kind for kind, pattern in _KIND_PATTERNS.items() if pattern.search(folded))


def is_warning(title: str) -> bool:
    """A forecast or warning headline, as against a report of the event itself (which may mention warnings:
    "tsunami warnings after a huge earthquake")."""
    return _WARNING.search(title) is not None and _HAPPENED.search(title) is None


def encode_vector(vector: np.ndarray) -> bytes:
    """float16 bytes: half the size of float32, and cosines move by well under 0.001."""
    return np.asarray(vector, dtype=np.float16).tobytes()


def decode_vector(data: bytes) -> np.ndarray:
    vector = np.frombuffer(data, dtype=np.float16).astype(np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def story_facts(title: str, summary: str, annotation: Annotation, published: datetime) -> StoryFacts | None:
    """The facts of an annotated item, or None when the annotation carries no embedding (rules-only mode)."""
    if annotation.embedding is None:
        return None
    kinds = hazard_kinds(f"{title}. {summary}") | {f"event:{e.kind}" for e in annotation.events}
    vector = decode_vector(annotation.embedding)
    return StoryFacts(
        centre(vector),
        frozenset(annotation.countries),
        published,
        kinds,
        is_warning(title),
        annotation.countries[0] if annotation.countries else None,
        frozenset(annotation.topics) | frozenset(annotation.review_topics),
        vector,
    )


def _compatible_kinds(a: frozenset[str], b: frozenset[str]) -> bool:
    # A short item may name no kind at all ("Gansu quake kills over 100" names one, "Pass closed" none).
    return not a or not b or bool(a & b)


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
    elif a.countries or b.countries:
        # One side names no country: the hazard must be named on both sides and agree, at a stricter cut.
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
    """Per vector, its ``BANDS`` index keys: band number << BITS | the band's sign bits."""
    if len(vectors) == 0:
        return []
    matrix = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    bits = (matrix @ _planes(matrix.shape[1]).T > 0).reshape(matrix.shape[0], BANDS, BITS)
    weights = 1 << np.arange(BITS)
    values = (bits * weights).sum(axis=2)
    return [[band << BITS | int(v) for band, v in enumerate(row)] for row in values]


def best_match(facts: StoryFacts, candidates: Iterable[tuple[int, StoryFacts]], rule: GroupingRule) -> int | None:
    """The candidate id closest to ``facts`` among those the rule accepts; None for a new story.

    One matrix product gives every cosine; only candidates above the lower cut have their facts checked."""
    found = list(candidates)
    if not found:
        return None
    scores = np.stack([other.vector for _, other in found]) @ facts.vector
    cut = min(rule.threshold, rule.unplaced_threshold)
    for n in np.argsort(-scores):
        if scores[n] < cut:
            break
        if same_story(facts, found[n][1], rule):
            return found[n][0]
    return None


# A story's place in age order, as ingest.dedupe.Ref: (0, item id) stored, (1, n) the n-th accepted in a group.
Ref = tuple[int, int]
PER_KEY = 20  # candidates per band key: bounds a key that many look-alike stories of the window crowd


class StoryIndex:
    """Stories that the items of a group could join, by band key, with the group's new stories as they come."""

    def __init__(self, rule: GroupingRule) -> None:
        self.rule = rule
        self._by_key: dict[int, list[tuple[Ref, int, StoryFacts]]] = {}

    def add(self, ref: Ref, feed_id: int, facts: StoryFacts, keys: Sequence[int] | None = None) -> None:
        for key in keys if keys is not None else band_keys(facts.raw if facts.raw is not None else facts.vector)[0]:
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
    """A StoryIndex of the stored stories any of ``facts`` could join: one look-up per 500 band keys."""
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
        )
        index.add((0, story.item_id), story.feed_id, stored, story.keys)
    return index


def new_story(item_id: int, feed_id: int, facts: StoryFacts, keys: Sequence[int]) -> story_store.NewStory:
    """The row that makes a new headline item findable by later reports."""
    countries = [facts.primary, *sorted(facts.countries - {facts.primary})] if facts.primary else []
    return story_store.NewStory(
        item_id,
        feed_id,
        encode_vector(facts.vector),
        countries,
        facts.kinds,
        facts.topics,
        facts.warning,
        facts.published,
        keys,
    )
