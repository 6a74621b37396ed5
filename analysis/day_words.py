"""Days of the week, "today"/"yesterday"/"tomorrow" and tense words of the region's languages.

A news item writes "сейсенбіде" (Kazakh, on Tuesday), "шейшембиде" (Kyrgyz), "seshanba kuni" (Uzbek),
"рӯзи сешанбе" (Tajik), "周二" (Chinese); which Tuesday it is depends on the tense of the sentence,
as for English "on Tuesday": "өтті" (was held) looks back, "өтеді" (will be held) ahead.
English and Russian stay in analysis/dates.py.
"""

from __future__ import annotations

import re

# weekday word (stem before its case ending) -> 0 = Monday
WEEKDAYS: dict[str, int] = {
    # Kazakh
    "дүйсенбі": 0, "сейсенбі": 1, "сәрсенбі": 2, "бейсенбі": 3, "жұма": 4, "сенбі": 5, "жексенбі": 6,
    # Kyrgyz
    "дүйшөмбү": 0, "шейшемби": 1, "шаршемби": 2, "бейшемби": 3, "ишемби": 5, "жекшемби": 6,
    # Uzbek, Latin and Cyrillic
    "dushanba": 0, "seshanba": 1, "chorshanba": 2, "payshanba": 3, "shanba": 5, "yakshanba": 6,
    "душанба": 0, "сешанба": 1, "чоршанба": 2, "пайшанба": 3, "шанба": 5, "якшанба": 6,
    # Tajik
    "сешанбе": 1, "чоршанбе": 2, "панҷшанбе": 3, "ҷумъа": 4, "шанбе": 5, "якшанбе": 6,
}  # fmt: skip
# Words that are a weekday only with "day" next to them: Kyrgyz and Uzbek "жума"/"juma" is also "week"
# (Friday is "жума күнү", "juma kuni"), Tajik "душанбе" (Monday) is also the capital ("рӯзи душанбе").
DAY_NEEDED: dict[str, int] = {"жума": 4, "juma": 4, "душанбе": 0}
DAY_AFTER = r"(?:күні|күнү|куни|kuni)"
DAY_BEFORE = r"(?:рӯзи)"

# modifiers: next / last / this, before the weekday; Tajik puts them after ("сешанбеи оянда")
NEXT = ("келесі", "кийинки", "kelasi", "keyingi", "келаси", "кейинги", "оянда")
LAST = ("өткен", "өткөн", "o'tgan", "ўтган", "гузашта")
THIS = ("осы", "ушул", "shu", "шу", "ҳамин")

# relative day words -> days from publication; "бүгінгі"/"bugungi" (today's) take an ending
DAY_WORDS: dict[str, int] = {
    "бүгін": 0, "ертең": 1, "кеше": -1, "бүрсігүні": 2,  # Kazakh
    "бүгүн": 0, "эртең": 1, "кечээ": -1,  # Kyrgyz
    "bugun": 0, "ertaga": 1, "kecha": -1, "бугун": 0, "эртага": 1, "кеча": -1,  # Uzbek
    "имрӯз": 0, "фардо": 1, "дирӯз": -1,  # Tajik
}  # fmt: skip
ZH_DAY_WORDS: dict[str, int] = {
    "今天": 0, "今日": 0, "昨天": -1, "昨日": -1, "明天": 1, "明日": 1, "前天": -2, "后天": 2,
}  # fmt: skip
ZH_WEEKDAYS = "一二三四五六日天"  # 周一 … 周日/星期天

# Tense words; Uzbek ' stands for any of its apostrophes (o'tdi, o‘tdi, oʻtdi).
FUTURE_WORDS = (
    # Kazakh
    "өтеді", "өткізіледі", "болады", "өтпек", "басталады", "ашылады", "жалғасады", "ұйымдастырылады",
    "қатысады", "жоспарлануда", "келеді", "ашылатын", "өтетін", "басталатын", "өткізілетін",
    # Kyrgyz
    "өтөт", "өткөрүлөт", "болот", "башталат", "ачылат", "уланат", "келет", "катышат", "пландалууда",
    "жүргүзөт", "өтүүчү",
    # Uzbek
    "bo'ladi", "o'tkaziladi", "o'tadi", "boshlanadi", "ochiladi", "davom etadi", "rejalashtirilgan",
    "qatnashadi", "бўлади", "ўтказилади", "ўтади", "бошланади", "очилади", "давом этади", "қатнашади",
    # Tajik
    "мегардад", "мегарданд", "мешавад", "мешаванд", "меояд", "меоянд", "хоҳад", "меёбад", "мегузарад",
)  # fmt: skip
PAST_WORDS = (
    "өтті", "өткізілді", "болды", "басталды", "ашылды", "кездесті", "қатысты", "келді", "аяқталды",
    "өттү", "өткөрүлдү", "болду", "башталды", "ачылды", "жолукту", "катышты", "келди", "аяктады",
    "bo'ldi", "o'tkazildi", "o'tdi", "boshlandi", "ochildi", "uchrashdi", "o'tkazdi", "qatnashdi", "keldi",
    "buyurdi", "yakunlandi", "bo'lishdi", "бўлди", "ўтказилди", "ўтди", "бошланди", "очилди", "буюрди",
    "ўтказди", "гардид", "гардиданд", "шуд", "шуданд", "ёфт", "омад", "доштанд", "варзиданд",
)  # fmt: skip
ZH_FUTURE = ("将于", "将在", "即将", "将举行", "将")


def _alternation(words: tuple[str, ...]) -> str:
    parts = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w).replace("'", "['‘’ʻ`]") for w in parts)


def _word_rx(words: tuple[str, ...]) -> str:
    return rf"(?<![^\W\d_])(?:{_alternation(words)})(?![^\W\d_])"


FUTURE_RE = _word_rx(FUTURE_WORDS) + "|" + "|".join(ZH_FUTURE)
PAST_RE = _word_rx(PAST_WORDS)

_MOD = _alternation(NEXT + LAST + THIS)
_WD = _alternation(tuple(WEEKDAYS))
_WD_DAY = _alternation(tuple(DAY_NEEDED))
# "келесі сейсенбіде", "seshanba kuni", "рӯзи сешанбе", "сешанбеи оянда", "жума күнү", "рӯзи душанбе"
REGION_WEEKDAY = re.compile(
    rf"(?<![^\W\d_])(?:({_MOD})\s+)?(?:{DAY_BEFORE}\s+)?"
    rf"(?:({_WD})(?:де|да|дө|та|те|сі|си|da|и)?(?:\s+{DAY_AFTER})?"
    rf"|(?:(?<=рӯзи )({_WD_DAY})|({_WD_DAY})\s+{DAY_AFTER}))"
    rf"(?:\s+(оянда|гузашта))?(?![^\W\d_])",
    re.IGNORECASE,
)
REGION_DAY_WORD = re.compile(
    rf"(?<![^\W\d_])({_alternation(tuple(DAY_WORDS))})(?:гі|ги|кі|ки|gi)?(?![^\W\d_]|-)", re.IGNORECASE
)
ZH_RELATIVE = re.compile(rf"({'|'.join(ZH_DAY_WORDS)})|(上|下|本|这)?(?:周|星期|礼拜)([{ZH_WEEKDAYS}])")


def weekday_of(word: str) -> int | None:
    w = word.lower()
    return WEEKDAYS.get(w, DAY_NEEDED.get(w))


def modifier(word: str | None) -> str | None:
    """'next', 'last' or 'this' for a modifier word."""
    if not word:
        return None
    w = re.sub("['‘’ʻ`]", "'", word.lower())
    for name, words in (("next", NEXT), ("last", LAST), ("this", THIS)):
        if w in words:
            return name
    return None
