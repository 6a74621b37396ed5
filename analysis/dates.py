"""Date expressions in English, Russian and the region's languages, single days and ranges.

Month words of Kazakh, Kyrgyz, Tajik, Uzbek (Latin and Cyrillic), Ukrainian and Turkish come from
analysis/date_words.py; Chinese (9月10日至12日) and Mongolian (6-р сарын 12-нд) write months as numbers.

dateparser handles single phrases well but not ranges or a year taken from the publication date, so this
layer is explicit regexes over the forms news items use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from analysis.date_words import REGION_MONTH_RE as XM
from analysis.date_words import region_month
from analysis.day_words import (
    DAY_WORDS,
    FUTURE_RE,
    PAST_RE,
    REGION_DAY_WORD,
    REGION_WEEKDAY,
    ZH_DAY_WORDS,
    ZH_RELATIVE,
    ZH_WEEKDAYS,
    modifier,
    weekday_of,
)

_EN_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_RU_MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6,
    "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}  # fmt: skip
_EN_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_RU_DAYS = ["понедельник", "вторник", "сред", "четверг", "пятниц", "суббот", "воскресень"]

EN_M = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
RU_M = r"(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
# XM: a region month stem plus its case ending: "октябрында", "қарашада", "aprel", "Kasım"
MONTH = rf"(?:{EN_M}(?![^\W\d_])|{RU_M}|{XM})"
_ORD = r"(?:st|nd|rd|th|-?го)?"  # "14th", Russian "с 14-го по 15 апреля"
_D = r"(?<!\d)(\d{1,2})" + _ORD
# a year written after the date: ", 2024", "2024 г.", Tajik "соли 2025"
_Y = r"(?:,?\s*(?:соли\s+)?(\d{4})(?!\d))?"
# a year written before it: "2024 жылғы 3 мамырда", "2024-жылдын 14-мартында", "2025-yil 15-may"
_Y1 = _Y + r"(?:\s*(?:года|г\.))?"  # the first date's year: "с 29 декабря 2024 года по 3 января 2025 года"
_Y0 = r"(?:(?<!\d)(\d{4})\s*-?\s*(?:жылғы|жылы|жылдың|жылдын|yil(?:ning|i)?|йил(?:нинг|и)?|yılı|року)\s+)?"
# a range link: "15–19", "3 to 5", "4 and 5", "18 и 19", "up to", Kazakh "және", Uzbek/Tajik "va"/"ва"
_TO = r"\s*(?:-|–|—|‑|to|up to|till|until|through|thru|and|по|до|то|и|және|va|ва)\s*"
_DM = r"(?:\s*-\s*|\s+)(?:of\s+)?"  # "3 May", "3 of May", Uzbek and Kyrgyz "3-may", "14-мартында"
_F = re.IGNORECASE

# (regex, field order): fields name what each group holds; y0 is a year written before the date
_PATTERNS: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    # 28 November 2024 – 2 December 2024 / с 28 ноября по 2 декабря 2024 года
    (
        re.compile(rf"{_Y0}(?:from\s+|с\s+|аз\s+)?{_D}{_DM}({MONTH}){_Y1}{_TO}{_D}{_DM}({MONTH}){_Y}", _F),
        ("y0", "d1", "m1", "y1", "d2", "m2", "y"),
    ),
    # Kyrgyz and Kazakh "27-майдан 1-июнга чейин": the ablative ending says "from"
    (
        re.compile(rf"{_Y0}{_D}{_DM}({XM})(?<=дан|дын|тан|нан|ден|тен|нен|dan|tan|nan)\s+{_D}{_DM}({MONTH}){_Y}", _F),
        ("y0", "d1", "m1", "d2", "m2", "y"),
    ),
    # November 28 – December 2, 2024 / December 29, 2024 – January 3, 2025
    (
        re.compile(rf"(?:from\s+)?\b({EN_M}),?\s+{_D}{_Y}{_TO}({EN_M}),?\s+{_D}{_Y}", _F),
        ("m1", "d1", "y1", "m2", "d2", "y"),
    ),
    # 11–15 December 2024 / с 11 по 15 декабря 2024 г. / аз 22 то 25 апрели соли 2025 / 16–18-aprel
    (
        re.compile(rf"{_Y0}(?:from\s+|с\s+|аз\s+)?{_D}{_TO}{_D}{_DM}({MONTH}){_Y}", _F),
        ("y0", "d1", "d2", "m2", "y"),
    ),
    # from December 11 to 15, 2024
    (re.compile(rf"(?:from\s+)?\b({EN_M}),?\s+{_D}{_TO}{_D}(?!\s*{MONTH}){_Y}", _F), ("m2", "d1", "d2", "y")),
    # 11.12.2024 – 15.12.2024, 11–15.12.2024
    (
        re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})\s*[-–—]\s*(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\d])"),
        ("d1", "n1", "y1", "d2", "n2", "y"),
    ),
    (re.compile(r"(?<![\d.])(\d{1,2})\s*[-–—]\s*(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\d])"), ("d1", "d2", "n2", "y")),
    # Chinese: 2024年10月16日至17日, 8月30日至9月2日, 5月20日
    (
        re.compile(
            r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\s*(?:至|到|-|–|—|~|～)\s*(?:(\d{1,2})\s*月)?\s*(\d{1,2})\s*日)?"
        ),
        ("y0", "n1", "d1", "n2", "d2"),
    ),
    # Chinese news gives only the day when the month is the publication's: "3日在阿拉木图举行", "11日至16日"
    (re.compile(r"(?<![\d月])(\d{1,2})\s*日(?:\s*(?:至|到|-|–|—|~|～)\s*(\d{1,2})\s*日)?"), ("d1", "d2")),
    # Mongolian: 6-р сарын 12-нд, 5-р сарын 14-16-нд
    (
        re.compile(
            r"(?<!\d)(\d{1,2})\s*-?\s*(?:р|дугаар|дүгээр)\s+сар(?:ын|ийн)?\s+(\d{1,2})(?:\s*[-–]\s*(\d{1,2}))?", _F
        ),
        ("n1", "d1", "d2"),
    ),
    # single days: 3 September 2021, 28th of May, 3 сентября, 2024 жылғы 3 мамырда, 18-aprel, 11.12.2024
    (re.compile(rf"{_Y0}{_D}{_DM}({MONTH}){_Y}", _F), ("y0", "d2", "m2", "y")),
    (re.compile(rf"\b({EN_M}),?\s+{_D}(?![\d:]){_Y}", _F), ("m2", "d2", "y")),
    (re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\d])"), ("d2", "n2", "y")),
    (re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"), ("y", "n2", "d2")),
]

_FUTURE = re.compile(
    r"\b(?:will|shall|to be held|is scheduled|are scheduled|plans? to|upcoming|пройд[её]т|состоится|будет|будут|"
    r"пройдут|планиру\w*|намечен\w*|запланирован\w*|проведут|начн[её]тся|начнутся|стартует|стартуют|откро[ею]тся|"
    r"продлится|продлятся)\b",
    _F,
)
_WD_EN = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_WD_RU = r"(понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)"
# two weekdays make a range: "on Monday and Tuesday", "from Monday to Wednesday", "в понедельник и вторник"
_REL_RANGE = (
    re.compile(
        rf"\b(?:(next|this|coming|last|on|from)\s+)?{_WD_EN}\s*(?:and|to|through|till|until|-|–|—)\s*(?:on\s+)?{_WD_EN}\b",
        _F,
    ),
    re.compile(
        rf"(?<![а-яё])(?:в|во|с|со)\s+(?:(следующ\w+|ближайш\w+|эт\w+|прошл\w+)\s+)?{_WD_RU}"
        rf"\s*(?:и|по|до|-|–|—)\s*(?:в|во)?\s*{_WD_RU}(?![а-яё])",
        _F,
    ),
)
_REL_EN = re.compile(
    r"\b(?:(next|this|coming|last|on)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"|(day after tomorrow|tomorrow|today|yesterday))\b",
    _F,
)
_REL_RU = re.compile(
    r"(?<![а-яё])(?:(?:в|во)\s+(следующ\w+|ближайш\w+|эт\w+|прошл\w+)?\s*"
    r"(понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)"
    r"|(послезавтра|завтра|сегодня|позавчера|вчера))(?![а-яё])",
    _F,
)


_REGION_FUTURE = re.compile(FUTURE_RE, _F)
_REGION_PAST = re.compile(
    PAST_RE + r"|\b(?:was|were|held|took place|ended|closed|met|visited|прош[её]л|прошл[аио]|состоял\w*|заверш\w*)\b",
    _F,
)
_SENTENCE_END = re.compile(r"[.!?。！？\n]")


def is_future(text: str) -> bool:
    """Whether the text announces (will, пройдёт, состоится) rather than reports."""
    return bool(_FUTURE.search(text))


def _sentence(text: str, pos: int) -> str:
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, pos)]
    end = _SENTENCE_END.search(text, pos)
    return text[starts[-1] if starts else 0 : end.start() if end else len(text)]


def _future_at(text: str, pos: int, default: bool) -> bool:
    """The tense of the sentence around pos ("өтеді" ahead, "өтті" back), else of the whole text."""
    sent = _sentence(text, pos)
    if _FUTURE.search(sent) or _REGION_FUTURE.search(sent):
        return True
    if _REGION_PAST.search(sent):
        return False
    return default


@dataclass(frozen=True)
class DateSpan:
    start: date
    end: date
    pos: int  # character offset in the text
    length: int


def _month(word: str) -> int | None:
    w = word.lower().rstrip(".")
    if re.fullmatch(EN_M, w, _F):
        return _EN_MONTHS.get(w[:3])
    if re.fullmatch(RU_M, w, _F):  # "марта" meets "март" before "ма"
        return next(n for stem, n in _RU_MONTHS.items() if w.startswith(stem))
    return region_month(w)


def _closest_year(month: int, day: int, ref: date) -> int:
    """The publication year, unless the day is clearly across a year end (December news of 10 January)."""
    try:
        same = abs((date(ref.year, month, day) - ref).days)
    except ValueError:
        return ref.year
    if same <= 183:
        return ref.year
    for y in (ref.year - 1, ref.year + 1):
        try:
            if abs((date(y, month, day) - ref).days) < 92:
                return y
        except ValueError:
            continue
    return ref.year


def _day_only_month(day: int, ref: date) -> int:
    """The month of a bare day ("3日"): the publication's, or the one before when the day is well after it."""
    if day > ref.day + 20:
        return (ref.month - 2) % 12 + 1
    return ref.month


def _build(fields: tuple[str, ...], groups: tuple[str | None, ...], ref: date) -> tuple[date, date] | None:
    v = dict(zip(fields, groups, strict=True))
    m1 = _month(v["m1"]) if v.get("m1") else (int(v["n1"]) if v.get("n1") else None)
    m2 = _month(v["m2"]) if v.get("m2") else (int(v["n2"]) if v.get("n2") else m1)
    if m2 is None:
        if "n1" in v or "m1" in v or "m2" in v or "n2" in v:
            return None
        m1 = m2 = _day_only_month(int(v["d1"]), ref)
    m1 = m1 or m2
    if not 1 <= m1 <= 12 or not 1 <= m2 <= 12:
        return None
    d2 = int(v.get("d2") or v["d1"])
    d1 = int(v["d1"]) if v.get("d1") else d2
    y2 = int(v["y"]) if v.get("y") else (int(v["y0"]) if v.get("y0") else None)
    y1 = int(v["y1"]) if v.get("y1") else None
    try:
        if y2 is None:
            y2 = y1 if y1 is not None else _closest_year(m2, d2, ref)
        if y1 is None:
            y1 = y2 - 1 if m1 > m2 else y2  # 28 December - 3 January
        start, end = date(y1, m1, d1), date(y2, m2, d2)
    except ValueError:
        return None
    if end < start or (end - start).days > 120:
        return None
    return start, end


def _weekday_index(word: str) -> int | None:
    w = word.lower()
    for i, (en, ru) in enumerate(zip(_EN_DAYS, _RU_DAYS, strict=True)):
        if w == en or w.startswith(ru):
            return i
    return None


def _relative(mod: str | None, wd: int, ref: date, future: bool) -> date:
    mod = (mod or "").lower()
    if mod in ("下", "上", "本", "这"):  # Chinese counts weeks: 下周二 is Tuesday of next week
        monday = ref - timedelta(days=ref.weekday())
        return monday + timedelta(days=wd + {"下": 7, "上": -7}.get(mod, 0))
    ahead = (wd - ref.weekday()) % 7
    if mod.startswith(("next", "coming", "следующ", "ближайш")):
        return ref + timedelta(days=ahead or 7)
    if mod.startswith(("last", "прошл")):
        return ref - timedelta(days=(ref.weekday() - wd) % 7 or 7)
    if mod.startswith(("this", "эт")):
        return ref + timedelta(days=ahead)
    if future:
        return ref + timedelta(days=ahead or 7)
    return ref - timedelta(days=(ref.weekday() - wd) % 7)


_DAY_WORDS = {
    "today": 0, "tomorrow": 1, "yesterday": -1, "day after tomorrow": 2,
    "сегодня": 0, "завтра": 1, "вчера": -1, "послезавтра": 2, "позавчера": -2,
}  # fmt: skip


def _region_relative(text: str, ref: date, future: bool, taken: list[tuple[int, int]]) -> list[DateSpan]:
    """Weekdays and today/yesterday/tomorrow of Kazakh, Kyrgyz, Uzbek, Tajik and Chinese."""
    out: list[DateSpan] = []
    for m in REGION_WEEKDAY.finditer(text):
        mod = modifier(m.group(1)) or modifier(m.group(5))
        wd = weekday_of(next(g for g in m.groups()[1:4] if g))
        if wd is not None:
            d = _relative(mod, wd, ref, _future_at(text, m.start(), future))
            out.append(DateSpan(d, d, m.start(), m.end() - m.start()))
    for m in REGION_DAY_WORD.finditer(text):
        d = ref + timedelta(days=DAY_WORDS[m.group(1).lower()])
        out.append(DateSpan(d, d, m.start(), m.end() - m.start()))
    for m in ZH_RELATIVE.finditer(text):
        if m.group(1):
            d = ref + timedelta(days=ZH_DAY_WORDS[m.group(1)])
        else:
            wd = min(ZH_WEEKDAYS.index(m.group(3)), 6)
            d = _relative(m.group(2), wd, ref, _future_at(text, m.start(), future))
        out.append(DateSpan(d, d, m.start(), m.end() - m.start()))
    return [sp for sp in out if not any(sp.pos < te and ts < sp.pos + sp.length for ts, te in taken)]


def find_dates(text: str, ref: date | None) -> list[DateSpan]:
    """Every date expression in the text; relative ones need the reference (publication) date."""
    anchor = ref or date.today()
    spans: list[DateSpan] = []
    taken: list[tuple[int, int]] = []
    for rx, fields in _PATTERNS:  # ordered longest form first; later forms skip covered text
        for m in rx.finditer(text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            built = _build(fields, m.groups(), anchor)
            if built:
                taken.append((s, e))
                spans.append(DateSpan(built[0], built[1], s, e - s))
    if ref is not None:
        future = bool(_FUTURE.search(text) or _REGION_FUTURE.search(text))
        for rx in _REL_RANGE:
            for m in rx.finditer(text):
                mod, wd1, wd2 = m.groups()
                i1, i2 = _weekday_index(wd1), _weekday_index(wd2)
                if i1 is None or i2 is None or i1 == i2:
                    continue
                mod = mod if mod and mod.lower() not in ("on", "from") else None
                d1 = _relative(mod, i1, ref, _future_at(text, m.start(), future))
                d2 = d1 + timedelta(days=(i2 - i1) % 7)
                taken.append(m.span())
                spans.append(DateSpan(d1, d2, m.start(), m.end() - m.start()))
        for rx in (_REL_EN, _REL_RU):
            for m in rx.finditer(text):
                if any(m.start() < te and ts < m.end() for ts, te in taken):
                    continue
                mod, wd_word, day_word = m.groups()
                if day_word:
                    d = ref + timedelta(days=_DAY_WORDS[day_word.lower()])
                else:
                    wd = _weekday_index(wd_word)
                    if wd is None:
                        continue
                    mod = mod if mod and mod.lower() != "on" else None
                    d = _relative(mod, wd, ref, _future_at(text, m.start(), future))
                spans.append(DateSpan(d, d, m.start(), m.end() - m.start()))
        spans.extend(_region_relative(text, ref, future, taken))
    spans.sort(key=lambda sp: sp.pos)
    return spans
