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
from datetime import date, timedelta
from functools import lru_cache

from analysis.dates import DateSpan, find_dates, is_future
from analysis.event_words import CJK_KINDS, REGION_KINDS
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
        "simulation", "tabletop", "table-top exercise", "simex", "full-scale exercise",
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
    "news conference",
    "пресс-конференци*",
    "прес-конференці*",
    "баспасөз конференц*",
    "басма сөз жыйын*",
    "matbuot anjuman*",
    "матбуот анжуман*",
    "нишасти матбуот*",
    "basın toplantı*",
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
    for table in (KINDS, REGION_KINDS):
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
    """The first trigger (the title's before the body's), except that a drill beats the training or visit
    it is part of."""
    pos, _, kind = hits[0]
    if kind in ("training", "visit"):
        for p, _, k in hits:
            if k == "exercise":
                return p, k
    return pos, kind


_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7,
    "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "十": 10,
}  # fmt: skip
_RU_NUMBER_STEMS = {"двух": 2, "трех": 3, "трёх": 3, "четырех": 4, "четырёх": 4, "пяти": 5, "шести": 6, "семи": 7}
_EN_N = r"\d{1,2}|two|three|four|five|six|seven|eight|nine|ten"
_DURATION = re.compile(
    rf"\b({_EN_N})[- ](day|week)\b"
    r"|(двух|тр[её]х|четыр[её]х|пяти|шести|семи)(дневн|недельн)"
    # "last three days", "for two weeks", "продлятся три дня", "为期三天"
    rf"|\b(?:for|lasts?|lasting|run(?:s|ning)? for|over)\s+({_EN_N})\s+(day|week)s?\b"
    r"|(?:продл\w+|в течение)\s+(\d{1,2}|два|две|три|четыре|пять|шесть|семь)\s+(д[нея]\w*|недел\w*)"
    r"|为期\s*(\d{1,2}|[两二三四五六七十])\s*(天|周)",
    re.IGNORECASE,
)
_ENDING = re.compile(r"\b(?:end(?:ed|ing|s)?|conclud\w*|clos\w*|complet\w*|wrap\w*)\b|заверш\w*|закры\w*", re.I)


def _with_duration(span: DateSpan, text: str) -> tuple[date, date]:
    """A single day and "a five-day course" make a range: it starts there, or ends there if the text says so."""
    if span.start != span.end:
        return span.start, span.end
    m = _DURATION.search(text)
    if not m:
        return span.start, span.end
    if m.group(3):
        n = _RU_NUMBER_STEMS[m.group(3).lower()]
        days = n * (7 if m.group(4).lower().startswith("недел") else 1)
    else:
        num, unit = next((m.group(i), m.group(i + 1)) for i in (1, 5, 7, 9) if m.group(i))
        n = int(num) if num.isdigit() else _NUMBER_WORDS[num.lower()]
        days = n * (7 if unit.lower().startswith(("week", "недел", "周")) else 1)
    if not 1 < days <= 31:
        return span.start, span.end
    if _ENDING.search(text):
        return span.end - timedelta(days=days - 1), span.end
    return span.start, span.start + timedelta(days=days - 1)


def _location(tokens: Sequence[Token]) -> str | None:
    """First place named after 'in'/'в' ('in Beijing', 'в Ташкенте'), in its dictionary form."""
    for start, name in country_finder().places(tokens):
        prev = start - 1
        if prev > 0 and tokens[prev].low == "the":
            prev -= 1
        if prev >= 0 and tokens[prev].low in _LOC_PREP:
            return name
    return None


# "opened on 5 August and runs until 18 August", "с 3 ноября ... до 14 ноября", "11月3日开班……至11月14日结束"
_RANGE_LINK = re.compile(
    r"\b(?:until|till|through|to)\b|\bи продлится до\b|\bпо\b|\bдо\b|至|gacha\b|дейін\b|чейин\b", re.I
)
_RANGE_GAP = 80  # characters between the two dates that may still join them


def _join_ranges(spans: list[DateSpan], text: str) -> list[DateSpan]:
    """Two single days a few words apart, linked by 'until' or the like, are one range."""
    ordered = sorted(spans, key=lambda sp: sp.pos)
    out: list[DateSpan] = []
    i = 0
    while i < len(ordered):
        a = ordered[i]
        b = ordered[i + 1] if i + 1 < len(ordered) else None
        if b is not None and a.start == a.end and b.start == b.end and 0 < (b.start - a.start).days <= 31:
            between = text[a.pos + a.length : b.pos]
            link = _RANGE_LINK.search(between)
            # "to" joins only "5 March to 9 March"; no link reaches across a sentence end
            near = link and (link.group(0).lower() != "to" or len(between.strip()) <= 4)
            if len(between) <= _RANGE_GAP and near and ". " not in between:
                out.append(DateSpan(a.start, b.end, a.pos, b.pos + b.length - a.pos))
                i += 2
                continue
        out.append(a)
        i += 1
    return out


# Dates that are not the event's: a wire dateline ("ASTANA, 12 May (Kazinform) –"), a publication stamp
# ("Published 16 November", "Опубликовано: 16.11.2025") and a document's date ("Law of 11 April 2014",
# "Постановлением от 5 мая 2025 года").
_UP = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІЎҲҶӢӮ"
_DATELINE = re.compile(rf"(?:^|\n)\s*[{_UP}][{_UP}' .\-]{{2,30}},\s*$")
_DATELINE_TAIL = re.compile(r"\s*(?:\([^()\n]{1,40}\)\s*)?[–—-]")
_STAMP = re.compile(
    r"(?:published|updated|posted|опубликовано|обновлено|дата публикации|жарияланды|жарыяланды|发布时间|发布日期)"
    r"\s*(?:on\s*)?:?\s*$",
    re.I,
)
_DOC_DATE = re.compile(
    r"(?:(?<![^\W\d_])от|\b(?:law|decree|resolution|order|act|agreement|protocol)\s+(?:no\.?\s*\S+\s+)?(?:of|dated)"
    r"|\bdated)\s*$",
    re.I,
)


def _is_dateline(sp: DateSpan, text: str) -> bool:
    before = text[max(0, sp.pos - 60) : sp.pos]
    return bool(_DATELINE.search(before) and _DATELINE_TAIL.match(text, sp.pos + sp.length))


def _not_event_date(sp: DateSpan, text: str) -> bool:
    before = text[max(0, sp.pos - 60) : sp.pos]
    return sp.start == sp.end and bool(_STAMP.search(before) or _DOC_DATE.search(before))


def _drop_datelines(spans: list[DateSpan], text: str) -> list[DateSpan]:
    """A dateline's day gives way to a day of the week before it ("BISHKEK, 5 March – … held on 4 March");
    otherwise it may well be the event's own day ("ASTANA, 12 May – A drill is under way")."""
    lines = [sp for sp in spans if _is_dateline(sp, text)]
    if not lines:
        return spans
    rest = [sp for sp in spans if sp not in lines]
    line = lines[0].start
    if any(0 < (line - sp.start).days <= 7 for sp in rest):
        return rest
    return spans


# The tense of the title (else of the text) says whether the item tells of an event past or to come, and so
# which of "held on 5–7 September 2024 ... the next will take place on 12–15 August" it is about.
_PAST = re.compile(
    r"\b(?:held|took place|ended|closed|concluded|completed|wrapped up|was|were|met|hosted|conducted|visited|"
    r"returned|attended|прош[её]л|прошл[аио]|состоял\w*|заверши\w*|завершились|провел\w*|провёл\w*|"
    r"посетил\w*|прибыл\w*|өтті|өттү|болды|o'tdi|o‘tdi|ўтди|гардид|шуданд)(?![^\W\d_])|举行了|结束",
    re.I,
)
_FUTURE_MORE = re.compile(
    r"(?<![^\W\d_])(?:өтеді|өтөт|o'tkaziladi|o'tadi|ўтказилади|мегардад|мешавад|баргузор мешавад)(?![^\W\d_])"
    r"|将于|将在|即将|将举行",
    re.I,
)


# headline futures: "Kyrgyzstan to host …", "Next SCO drill set for Kazakhstan"
_HEADLINE_FUTURE = re.compile(
    r"\b(?:to (?:host|hold|meet|open|start|take place|be held)|set for|next|upcoming)\b", re.I
)


def _future(text: str) -> bool:
    return is_future(text) or bool(_FUTURE_MORE.search(text))


def _by_tense(spans: list[DateSpan], title: str, body: str, published: date | None) -> list[DateSpan]:
    if published is None or len(spans) < 2:
        return spans
    if _future(title) or _HEADLINE_FUTURE.search(title) or (not _PAST.search(title) and _future(body)):
        kept = [sp for sp in spans if sp.end >= published]
    elif _PAST.search(title) or _PAST.search(body):
        kept = [sp for sp in spans if sp.start <= published + timedelta(days=1)]
    else:
        return spans
    return kept or spans


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
    in_title = _kind_hits(tokens_title) or _cjk_hits(title)
    in_body = [(s + offset, e + offset, k) for s, e, k in _kind_hits(tokens_body)] or _cjk_hits(body, offset)
    if not in_title and not in_body:
        return []
    kind_pos, kind = _first_kind(in_title + in_body)
    spans = [sp for sp in _join_ranges(find_dates(text, published), text) if not _not_event_date(sp, text)]
    spans = _drop_datelines(spans, text)
    chosen = _pick_dates(_by_tense(spans, title, body, published), kind_pos)
    location = _location(tokens_title) or _location(tokens_body)
    location = english_place(location) if location else zh_location(text)
    if chosen:
        start, end = _with_duration(chosen, text)
    elif published is not None and not is_future(text):
        start = end = published  # a report that names no day tells of the day it was published
    else:
        start = end = None
    return [Event(kind, start, end, location)]
