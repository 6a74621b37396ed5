"""Month names of the region's languages, as stems that take case endings.

Kyrgyz, Tajik and Uzbek in Cyrillic borrow the Russian month names and add their own endings
("октябрында", "апрели", "мартда"), so one stem serves them all. Kazakh, Ukrainian, Turkish and
Uzbek in Latin script have their own. English and Russian stay in analysis/dates.py.
"""

from __future__ import annotations

import re

REGION_MONTHS: dict[str, int] = {
    # Russian-derived stems used by Kyrgyz, Tajik and Uzbek (Cyrillic)
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "май": 5, "июн": 6,
    "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
    # Kazakh
    "қаңтар": 1, "ақпан": 2, "наурыз": 3, "сәуір": 4, "мамыр": 5, "маусым": 6,
    "шілде": 7, "тамыз": 8, "қыркүйек": 9, "қазан": 10, "қараша": 11, "желтоқсан": 12,
    # Ukrainian (genitive stems)
    "січн": 1, "лютого": 2, "березн": 3, "квітн": 4, "травн": 5, "червн": 6,
    "липн": 7, "серпн": 8, "вересн": 9, "жовтн": 10, "листопад": 11, "грудн": 12,
    # Uzbek (Latin)
    "yanvar": 1, "fevral": 2, "mart": 3, "aprel": 4, "iyun": 6, "iyul": 7, "avgust": 8,
    "sentabr": 9, "sentyabr": 9, "oktabr": 10, "oktyabr": 10, "noyabr": 11, "dekabr": 12,
    # Turkish
    "ocak": 1, "şubat": 2, "nisan": 4, "mayıs": 5, "haziran": 6, "temmuz": 7,
    "ağustos": 8, "eylül": 9, "ekim": 10, "kasım": 11, "aralık": 12,
}  # fmt: skip

_BY_LENGTH = sorted(REGION_MONTHS, key=len, reverse=True)
# a stem and its case ending; Uzbek "3 marta" means "three times", not 3 March
REGION_MONTH_RE = "(?:" + "|".join("mart(?!a)" if s == "mart" else re.escape(s) for s in _BY_LENGTH) + r")[^\W\d_]*"


def region_month(word: str) -> int | None:
    """The month a lower-case word names, from the longest stem it starts with."""
    for stem in _BY_LENGTH:
        if word.startswith(stem):
            return REGION_MONTHS[stem]
    return None
