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

import re
from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from analysis.dates import find_dates
from analysis.event_dates import event_dates
from analysis.event_words import CJK_KINDS, REGION_KINDS, SIGNING_WORDS
from analysis.gazetteer import country_finder
from analysis.matcher import PhraseMatcher
from analysis.place_names import english_place, zh_location
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
        "учебно-методический сбор", "учебные сборы", "учебный сбор",
    ),
    "conference": (
        "conference", "forum", "symposium", "congress", "round table", "roundtable", "expo", "exhibition",
        "конференция", "форум", "симпозиум", "конгресс", "круглый стол", "выставка",
    ),
    "exercise": (
        "exercise", "drill", "simulation exercise", "tabletop exercise", "field exercise", "command-post exercise",
        "учения", "учение", "тренировка", "командно-штабная тренировка", "командно-штабные учения",
        "simulation", "tabletop", "table-top exercise", "simex", "full-scale exercise", "rehearse", "rehearsed",
        "rehearsal", "совместные сборы",
    ),
    "meeting": (
        "summit", "саммит", "встреча на высшем уровне", "meeting", "talks", "consultations", "session",
        "videoconference", "video conference", "roundtable meeting", "встреча", "заседание", "совещание",
        "переговоры", "консультации", "видеоконференция",
    ),
    "visit": (
        "visit", "study tour", "study visit", "working trip", "визит", "посещение", "ознакомительная поездка",
        "рабочая поездка", "посетил", "посетила", "посетили", "посетит", "посетят", "visited",
    ),
}  # fmt: skip
# "press conference" and "exercise of rights" are not events of interest.
_NOT_EVENTS = (
    "press conference",
    "news conference",
    "пресс-конференци*",
    "прес-конференці*",
    "баспасөз конференц*",
    "басма сөз жыйын*",
    "matbuot anjuman*",
    "матбуот анжуман*",
    "нишасти матбуот*",
    "basın toplantı*",
    # parliaments are not sittings: Uzbek "Oliy Majlis", Tajik "Маҷлиси Олӣ", "Маҷлиси намояндагон"
    "oliy majlis*",
    "олий мажлис*",
    "маҷлиси олӣ*",
    "маҷлиси олии*",
    "маҷлиси намояндагон*",
    "маҷлиси миллӣ*",
    "exercise of rights",
    "exercise of power",
    "course of",
    "in the course",
)
_SIGNING = "signing"  # a weak meeting trigger (event_words.SIGNING_WORDS)
_LOC_PREP = {"in", "at", "в", "во", "on"}


@lru_cache(maxsize=1)
def _kind_matcher() -> tuple[PhraseMatcher, list[str], PhraseMatcher]:
    pats: list[str] = []
    kinds: list[str] = []
    for table in (KINDS, REGION_KINDS, {_SIGNING: SIGNING_WORDS}):
        for kind, words in table.items():
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


def _cjk_hits(text: str, offset: int = 0) -> list[tuple[int, int, str]]:
    """Chinese triggers, found as substrings; the earliest wins, a longer one at the same spot first."""
    hits = [
        (m.start() + offset, m.end() + offset, kind)
        for kind, words in CJK_KINDS.items()
        for w in words
        for m in re.finditer(re.escape(w), text)
    ]
    return sorted(hits, key=lambda h: (h[0], h[0] - h[1]))


def _first_kind(hits: list[tuple[int, int, str]]) -> tuple[int, str]:
    """The first trigger (the title's before the body's), except that a drill beats the training or visit it is
    part of, and a visit beats the meetings held during it. A signing names a meeting only when nothing else
    names the event."""
    strong = [h for h in hits if h[2] != _SIGNING] or [(p, e, "meeting") for p, e, _ in hits]
    pos, _, kind = strong[0]
    beaten_by = {"training": "exercise", "visit": "exercise", "meeting": "visit"}.get(kind)
    for p, _, k in strong:
        if k == beaten_by:
            return p, k
    return pos, kind


def _location(tokens: Sequence[Token]) -> str | None:
    """First place named after 'in'/'в' ('in Beijing', 'в Ташкенте'), in its dictionary form."""
    for start, name in country_finder().places(tokens):
        prev = start - 1
        if prev > 0 and tokens[prev].low == "the":
            prev -= 1
        if prev >= 0 and tokens[prev].low in _LOC_PREP:
            return name
    return None


def find_events(
    title: str, body: str, tokens_title: Sequence[Token], tokens_body: Sequence[Token], published: date | None
) -> list[Event]:
    """At most one event per item: the first trigger in the title, else in the body."""
    text = f"{title}\n{body}"
    offset = len(title) + 1
    in_title = _kind_hits(tokens_title) or _cjk_hits(title)
    in_body = [(s + offset, e + offset, k) for s, e, k in _kind_hits(tokens_body)] or _cjk_hits(body, offset)
    if not in_title and not in_body:
        return []
    kind_pos, kind = _first_kind(in_title + in_body)
    start, end = event_dates(find_dates(text, published), title, body, published, kind_pos)
    location = _location(tokens_title) or _location(tokens_body)
    location = english_place(location) if location else zh_location(text)
    return [Event(kind, start, end, location)]
