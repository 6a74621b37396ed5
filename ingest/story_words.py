"""Words story grouping reads besides the annotation: hazard kinds and warnings.

The countries, with the provinces and towns that name one (analysis.gazetteer_provinces), are the annotator's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["StoryWords", "hazard_kinds", "is_warning", "story_words"]

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


_WORD = re.compile(r"[\w'-]+")
_HEAD = 3  # single-word stems are indexed by their first letters, so a word checks only its own


class _Stems:
    """Which groups of stems a text names, in the order first named, in one pass over its words.

    A stem matches the start of a word (so case endings follow); a stem of several words, or one ending in a
    space, is looked up as a substring at a word start; CJK stems match anywhere (no spaces between words).
    A regular expression of every stem as alternatives costs a millisecond an item; this, a tenth of that."""

    def __init__(self, groups: dict[str, tuple[str, ...]]) -> None:
        self._by_head: dict[str, list[tuple[str, str]]] = {}
        self._phrases: list[tuple[str, str]] = []  # several words, trailing space, or CJK
        for group, stems in groups.items():
            for stem in stems:
                if ord(stem[0]) >= 0x3000 or " " in stem or len(stem) < _HEAD:
                    self._phrases.append((stem, group))
                else:
                    self._by_head.setdefault(stem[:_HEAD], []).append((stem, group))

    def find(self, text: str) -> list[str]:
        folded = text.casefold()
        found: dict[str, int] = {}
        for match in _WORD.finditer(folded):
            words = [match.group()]
            if "-" in words[0]:  # "anti-flood": the stem after the hyphen counts too
                words += words[0].split("-")[1:]
            for word in words:
                for stem, group in self._by_head.get(word[:_HEAD], ()):
                    if word.startswith(stem) and group not in found:
                        found[group] = match.start()
        padded = f" {folded} "
        for stem, group in self._phrases:
            if group in found:
                continue
            at = padded.find(stem) if ord(stem[0]) >= 0x3000 else _word_start(padded, stem)
            if at >= 0:
                found[group] = at - 1
        return sorted(found, key=found.__getitem__)


def _word_start(padded: str, stem: str) -> int:
    """Where ``stem`` first starts a word in ``padded``, or -1."""
    at = padded.find(stem)
    while at >= 0:
        if not (padded[at - 1].isalnum() or padded[at - 1] in "'-_"):
            return at
        at = padded.find(stem, at + 1)
    return -1


_KINDS = _Stems(_KIND_STEMS)


def hazard_kinds(text: str) -> frozenset[str]:
    """The hazard and incident kinds ``text`` names (see ``_KIND_STEMS``)."""
    return frozenset(_KINDS.find(text))


def is_warning(title: str) -> bool:
    """A forecast or warning headline, as against a report of the event itself (which may mention warnings:
    "tsunami warnings after a huge earthquake")."""
    return _WARNING.search(title) is not None and _HAPPENED.search(title) is None


@dataclass(frozen=True, slots=True)
class StoryWords:
    """What grouping reads in an item's words: the hazard kinds it names, and whether its title warns."""

    kinds: frozenset[str]
    warning: bool


def story_words(title: str, summary: str) -> StoryWords:
    """The story words of an item (pure CPU: the parse pool computes them, off the process that writes)."""
    return StoryWords(hazard_kinds(f"{title}. {summary}"), is_warning(title))
