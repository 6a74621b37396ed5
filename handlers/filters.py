"""Parsing and describing subscription filters: topics, ISO country codes, an optional @channel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pycountry

from handlers.common import ArgumentError
from presentation.i18n import t
from presentation.names import country_name

ANY = ("all", "any", "*")
# The region first: Central Asia, then the other SCO members and partners most often in the news.
KEYBOARD_COUNTRIES = ("KZ", "KG", "TJ", "TM", "UZ", "AF", "CN", "RU", "IN", "PK", "IR", "BY", "MN", "AZ")


@dataclass(frozen=True)
class Filters:
    topics: tuple[str | None, ...]
    countries: tuple[str | None, ...]
    channel: str | None = None
    everything: bool = False  # "all" alone, for /unsubscribe all

    def pairs(self) -> list[tuple[str | None, str | None]]:
        return [(tp, c) for tp in self.topics for c in self.countries]


def is_country(code: str) -> bool:
    return len(code) == 2 and code.isalpha() and pycountry.countries.get(alpha_2=code.upper()) is not None


def parse_filters(args: Sequence[str], topic_ids: Sequence[str], *, usage: str) -> Filters:
    """``public_health KZ UZ``, ``all KZ``, ``@channel disaster_risk``. Raises ArgumentError naming the
    first word it does not understand, with ``usage`` as the example."""
    topics: list[str | None] = []
    countries: list[str | None] = []
    channel = None
    saw_any = False
    for i, raw in enumerate(args):
        word = raw.strip().strip(",")
        if not word:
            continue
        low = word.lower()
        if i == 0 and word.startswith("@") and len(word) > 1:
            channel = word
        elif low in topic_ids:
            topics.append(low)
        elif low in ANY:
            saw_any = True
        elif is_country(word):
            countries.append(word.upper())
        else:
            raise ArgumentError(f"{usage}.bad_word", word=word, topics=", ".join(topic_ids))
    everything = saw_any and not topics and not countries
    return Filters(
        topics=tuple(dict.fromkeys(topics)) or (None,),
        countries=tuple(dict.fromkeys(countries)) or (None,),
        channel=channel,
        everything=everything,
    )


def describe(topic: str | None, country: str | None, lang: str, topic_name) -> str:  # noqa: ANN001
    """One filter in words: 'Public health & epidemics · Kazakhstan'."""
    tp = topic_name(topic, lang) if topic else t(lang, "subscribe.any_topic")
    ct = country_name(country, lang) if country else t(lang, "subscribe.any_country")
    return f"{tp} · {ct}"
