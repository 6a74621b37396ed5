"""Events: kind from trigger words, dates from the date layer, location from the gazetteer.

Five kinds, each with a definition the trigger lists below follow:

- meeting: officials meet to talk or decide: talks, consultations, a session of a commission, a ministerial
  meeting, a summit of heads of state (a summit is officials meeting, so it is a meeting).
- conference: many parties gather and presentations are given: a conference, forum, symposium, congress,
  round table, expo.
- training: people are taught: a training, course, workshop, seminar, webinar, master class, internship.
- exercise: a practised response to a simulated emergency: an exercise, drill, simulation, tabletop.
- visit: a delegation travels to see or meet a host: a visit, study tour, working trip.

Older kinds map onto these: summit -> meeting, workshop and webinar -> training (see OLD_KINDS).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from analysis.dates import DateSpan, find_dates
from analysis.gazetteer import country_finder
from analysis.matcher import PhraseMatcher
from analysis.text import Token
from model.annotation import Event

EVENT_KINDS = ("meeting", "conference", "training", "exercise", "visit")
OLD_KINDS = {"summit": "meeting", "workshop": "training", "webinar": "training", "seminar": "training"}

# kind -> trigger phrases (English stems / Russian forms). Longer phrases win over shorter ones at one spot.
KINDS: dict[str, tuple[str, ...]] = {
    "training": (
        "webinar", "online seminar", "online workshop", "вебинар", "онлайн семинар", "онлайн-семинар",
        "workshop", "seminar", "master class", "семинар", "практикум", "мастер-класс", "семинар-тренинг",
        "training", "course", "courses", "training course", "master-trainer", "тренинг", "обучение", "курсы",
        "курс", "повышение квалификации", "стажировка", "обучающий", "internship", "capacity-building workshop",
    ),
    "conference": (
        "conference", "forum", "symposium", "congress", "round table", "roundtable", "expo", "exhibition",
        "конференция", "форум", "симпозиум", "конгресс", "круглый стол", "выставка",
    ),
    "exercise": (
        "exercise", "drill", "simulation exercise", "tabletop exercise", "field exercise", "command-post exercise",
        "учения", "учение", "тренировка", "командно-штабная тренировка", "командно-штабные учения",
    ),
    "meeting": (
        "summit", "саммит", "встреча на высшем уровне", "meeting", "talks", "consultations", "session",
        "videoconference", "video conference", "roundtable meeting", "встреча", "заседание", "совещание",
        "переговоры", "консультации", "видеоконференция", "met", "встретился", "встретились",
    ),
    "visit": (
        "visit", "study tour", "study visit", "working trip", "визит", "посещение", "ознакомительная поездка",
        "рабочая поездка", "посетил", "посетила", "посетили", "visited",
    ),
}  # fmt: skip
# "press conference" and "exercise of rights" are not events of interest.
_NOT_EVENTS = (
    "press conference",
    "пресс-конференция",
    "exercise of rights",
    "exercise of power",
    "course of",
    "in the course",
)
_LOC_PREP = {"in", "at", "в", "во", "on"}


@lru_cache(maxsize=1)
def _kind_matcher() -> tuple[PhraseMatcher, list[str], PhraseMatcher]:
    pats: list[str] = []
    kinds: list[str] = []
    for kind, words in KINDS.items():
        pats.extend(words)
        kinds.extend([kind] * len(words))
    return PhraseMatcher(pats), kinds, PhraseMatcher(list(_NOT_EVENTS))


def _kind_hits(tokens: Sequence[Token]) -> list[tuple[int, int, str]]:
    """(char start, char end, kind) of trigger words, excluding 'press conference' and the like."""
    matcher, kinds, stop = _kind_matcher()
    blocked = {i for h in stop.find(tokens) for i in range(h.start, h.end)}
    hits = sorted(matcher.find(tokens), key=lambda h: (h.start, -(h.end - h.start)))
    out: list[tuple[int, int, str]] = []
    covered = -1
    for h in hits:
        if h.start < covered or any(i in blocked for i in range(h.start, h.end)):
            continue
        covered = h.end
        out.append((tokens[h.start].start, tokens[h.end - 1].end, kinds[h.pattern_id]))
    return out


def _location(tokens: Sequence[Token]) -> str | None:
    """First place named after 'in'/'в' ('in Beijing', 'в Ташкенте'), in its dictionary form."""
    for start, name in country_finder().places(tokens):
        prev = start - 1
        if prev > 0 and tokens[prev].low == "the":
            prev -= 1
        if prev >= 0 and tokens[prev].low in _LOC_PREP:
            return name
    return None


def _pick_dates(spans: list[DateSpan], kind_pos: int) -> DateSpan | None:
    """The date nearest the trigger word; ranges first, as they describe the event itself."""
    if not spans:
        return None
    return min(spans, key=lambda sp: (sp.start == sp.end, abs(sp.pos - kind_pos) // 200, abs(sp.pos - kind_pos)))


def find_events(
    title: str, body: str, tokens_title: Sequence[Token], tokens_body: Sequence[Token], published: date | None
) -> list[Event]:
    """At most one event per item: the first trigger in the title, else in the body."""
    text = f"{title}\n{body}"
    offset = len(title) + 1
    kinds = _kind_hits(tokens_title) or [(s + offset, e + offset, k) for s, e, k in _kind_hits(tokens_body)]
    if not kinds:
        return []
    kind_pos, _, kind = kinds[0]
    spans = find_dates(text, published)
    chosen = _pick_dates(spans, kind_pos)
    location = _location(tokens_title) or _location(tokens_body)
    return [Event(kind, chosen.start if chosen else None, chosen.end if chosen else None, location)]
