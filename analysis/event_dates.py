"""Which of an item's dates is its event's: ranges joined, datelines, stamps, deadlines and old dates set
aside, the tense of the item choosing between a past and an upcoming event, and "a five-day course" making
a single day a range.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from analysis.dates import DateSpan, is_future

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
    r"|(?:продл\w+|в течение)\s+(\d{1,2}|два|две|три|четыре|пять|шесть|семь|двух|тр[её]х|четыр[её]х|пяти)\s+"
    r"(д[нея]\w*|недел\w*)"
    r"|为期\s*(\d{1,2}|[两二三四五六七十])\s*(天|周)"
    # "3 days training", "two weeks of courses"
    rf"|\b({_EN_N})\s+(day|week)s?\s+(?:of\s+)?(?=training|course|seminar|workshop|exercise|drill|conference|forum)",
    re.IGNORECASE,
)
# Kazakh "үш күндік", Kyrgyz "эки күндүк", Uzbek "besh kunlik", Tajik "серӯза", "bir haftalik"
_REGION_NUMBERS = {
    "бір": 1, "екі": 2, "үш": 3, "төрт": 4, "бес": 5, "алты": 6, "жеті": 7, "он": 10,
    "бир": 1, "эки": 2, "үч": 3, "беш": 5, "жети": 7,
    "ikki": 2, "uch": 3, "to'rt": 4, "besh": 5, "olti": 6, "yetti": 7, "o'n": 10,
    "икки": 2, "уч": 3, "тўрт": 4, "олти": 6, "етти": 7, "ўн": 10,
    "як": 1, "ду": 2, "се": 3, "чор": 4, "панҷ": 5, "шаш": 6, "ҳафт": 7, "даҳ": 10,
}  # fmt: skip
_REGION_DURATION = re.compile(
    r"(?<![^\W\d_])(\d{1,2}|"
    + "|".join(sorted(_REGION_NUMBERS, key=len, reverse=True))
    + r")\s*-?\s*(күндік|күндүк|kunlik|кунлик|рӯза|апталық|апталык|haftalik|ҳафталик|ҳафтаина)(?![^\W\d_])",
    re.IGNORECASE,
)
_ENDING = re.compile(
    r"\b(?:end(?:ed|ing|s)?|conclud\w*|clos\w*|complet\w*|wrap\w*)\b|заверш\w*|закры\w*"
    r"|аяқталды|аяктады|yakunlandi|якунланди|анҷом ёфт|结束|闭幕",
    re.I,
)


def _duration_days(text: str) -> int | None:
    m = _DURATION.search(text)
    if m and m.group(3):
        n = _RU_NUMBER_STEMS[m.group(3).lower()]
        return n * (7 if m.group(4).lower().startswith("недел") else 1)
    if m:
        num, unit = next((m.group(i), m.group(i + 1)) for i in (1, 5, 7, 9, 11) if m.group(i))
        n = int(num) if num.isdigit() else _NUMBER_WORDS.get(num.lower()) or _RU_NUMBER_STEMS[num.lower()]
        return n * (7 if unit.lower().startswith(("week", "недел", "周")) else 1)
    m = _REGION_DURATION.search(text)
    if m:
        num = m.group(1).lower()
        n = int(num) if num.isdigit() else _REGION_NUMBERS[num]
        return n * (1 if m.group(2).lower() in ("күндік", "күндүк", "kunlik", "кунлик", "рӯза") else 7)
    return None


def _with_duration(span: DateSpan, text: str) -> tuple[date, date]:
    """A single day and "a five-day course" make a range: it starts there, or ends there if the text says so."""
    if span.start != span.end:
        return span.start, span.end
    days = _duration_days(text)
    if days is None or not 1 < days <= 31:
        return span.start, span.end
    if _ENDING.search(text):
        return span.end - timedelta(days=days - 1), span.end
    return span.start, span.start + timedelta(days=days - 1)


# A report that names no day but says the event opened starts it on the day of publication.
_OPENING = re.compile(
    r"\b(?:open(?:ed|s)|began|beg[iu]ns?|start(?:ed|s)|kick(?:ed|s)? off|got under way)\b|открыл\w*|открыт\w*"
    r"|стартова\w*|начал\w*|ашылды|ачылды|ochildi|boshlandi|кушода|开幕|开班|启动",
    re.I,
)


def _reported_with_duration(published: date, text: str) -> tuple[date, date]:
    """The day of publication as the event's: it opened that day ("a two-day forum opened"), else a report of a
    multi-day event ("during the three-day seminar") ends that day."""
    days = _duration_days(text)
    if days is None or not 1 < days <= 31:
        return published, published
    if _OPENING.search(text) and not _ENDING.search(text):
        return published, published + timedelta(days=days - 1)
    return published - timedelta(days=days - 1), published


# "opened on 5 August and runs until 18 August", "с 3 ноября ... до 14 ноября", "11月3日开班……至11月14日结束"
_RANGE_LINK = re.compile(
    r"\b(?:until|till|through|to)\b|\bи продлится до\b|\bпо\b|\bдо\b|至|gacha\b|дейін\b|чейин\b", re.I
)
_RANGE_GAP = 80  # characters between the two dates that may still join them
# "2 июня ... начались учения ..., которые продлятся до 6 июня": a verb of lasting right before the end date
# joins it across a longer clause of the same sentence.
_LASTS_UNTIL = re.compile(
    r"(?:\bпродл\w+|\bпродолж\w+)\s+до\s*$|\b(?:run|runs|last|lasts|continue|continues)\s+until\s*$", re.I
)
_LASTS_GAP = 200


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
            lasts = _LASTS_UNTIL.search(between) and len(between) <= _LASTS_GAP
            if (lasts or (len(between) <= _RANGE_GAP and near)) and ". " not in between:
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
_DATELINE_TAIL = re.compile(r"\s*(?:\([^()\n]{1,40}\)\s*\.?\s*|\.\s*[^\W\d_][^\s.]{1,20}\s*)?[–—-]")
# a city written in lower case needs its agency in brackets: "Душанбе, 20.08.2015 (АМИТ «Ховар»).-"
_DATELINE_CITY = re.compile(rf"(?:^|\n)\s*[{_UP}][^\W\d_]+(?:[ -][{_UP}][^\W\d_]+)?,\s*$")
_DATELINE_CITY_TAIL = re.compile(r"\s*\([^()\n]{1,40}\)\s*\.?\s*[–—-]")
# a deadline: "applications are accepted until 1 March", "прием заявок продлится до 10 марта"
_DEADLINE = re.compile(
    r"(?:deadline|applications?|registration|register|submi\w+|apply|заяв\w*|регистрац\w*|подач\w*|"
    r"отч[её]т\w*|өтінім\w*|ariza\w*|ариза\w*|өтүнмө\w*|дархост\w*)[^.;\n]{0,45}$",
    re.I,
)
_OLD_DAYS = 180  # a date this long before publication is history (an anniversary, the previous meeting)
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
    """ "ASTANA, 12 May (Kazinform) –", "Душанбе, 20.08.2015 (АМИТ «Ховар»).-", Xinhua's "新华社北京11月22日电"."""
    before, end = text[max(0, sp.pos - 60) : sp.pos], sp.pos + sp.length
    if text.startswith("电", end):
        return True
    if _DATELINE.search(before) and _DATELINE_TAIL.match(text, end):
        return True
    return bool(_DATELINE_CITY.search(before) and _DATELINE_CITY_TAIL.match(text, end))


def _not_event_date(sp: DateSpan, text: str) -> bool:
    before = text[max(0, sp.pos - 60) : sp.pos]
    return sp.start == sp.end and bool(_STAMP.search(before) or _DOC_DATE.search(before))


def _drop_datelines(spans: list[DateSpan], text: str) -> list[DateSpan]:
    """A dateline's day gives way to a day within a month of it, before ("BISHKEK, 5 March – … held on
    4 March") or after ("ALMATY, 16 March – The council will meet on 25 March"); otherwise it may well be
    the event's own day ("ASTANA, 12 May – A drill is under way")."""
    lines = [sp for sp in spans if _is_dateline(sp, text)]
    if not lines:
        return spans
    rest = [sp for sp in spans if sp not in lines]
    line = lines[0].start
    if any(abs((line - sp.start).days) <= 31 for sp in rest):
        return rest
    return spans


def _is_deadline(sp: DateSpan, text: str) -> bool:
    return sp.start == sp.end and bool(_DEADLINE.search(text[max(0, sp.pos - 60) : sp.pos]))


def _drop_side_dates(spans: list[DateSpan], text: str, published: date | None) -> list[DateSpan]:
    """Deadlines, and days long before publication (an anniversary's date, last year's meeting), give way
    to any other date."""
    kept = [sp for sp in spans if not _is_deadline(sp, text)] or spans
    if published is not None:
        recent = [sp for sp in kept if (published - sp.end).days <= _OLD_DAYS]
        kept = recent or kept
    return kept


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


def event_dates(
    spans: list[DateSpan], title: str, body: str, published: date | None, kind_pos: int
) -> tuple[date | None, date | None]:
    """The event's first and last day among the item's dates; a report that names no day tells of the day it
    was published, an announcement that names none stays undated."""
    text = f"{title}\n{body}"
    spans = [sp for sp in _join_ranges(spans, text) if not _not_event_date(sp, text)]
    spans = _drop_side_dates(_drop_datelines(spans, text), text, published)
    chosen = _pick_dates(_by_tense(spans, title, body, published), kind_pos)
    if chosen:
        return _with_duration(chosen, text)
    if published is not None and not is_future(text):
        return _reported_with_duration(published, text)
    return None, None


def _pick_dates(spans: list[DateSpan], kind_pos: int) -> DateSpan | None:
    """The date nearest the trigger word; ranges first, as they describe the event itself."""
    if not spans:
        return None
    return min(spans, key=lambda sp: (sp.start == sp.end, abs(sp.pos - kind_pos) // 200, abs(sp.pos - kind_pos)))
