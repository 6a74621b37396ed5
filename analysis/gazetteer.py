"""Country gazetteer: names (pycountry, English and Russian), adjectives, demonyms and capitals."""

from __future__ import annotations

import gettext
import re
from collections.abc import Sequence
from functools import lru_cache

import pycountry

from analysis.gazetteer_provinces import PROVINCE_NAMES, PROVINCE_REGION, ZH_PROVINCES
from analysis.gazetteer_region import GROUPS, PLACE_NAMES, REGION_NAMES, ZH_GROUPS, ZH_PLACES
from analysis.matcher import PhraseMatcher
from analysis.text import Token

# Common names, adjectives, demonyms and cities that pycountry lacks. Names are matched when capitalised;
# entries starting with "~" are lower-case adjectives (Russian), matched in any case.
_EXTRA: dict[str, str] = {
    "KZ": "Kazakhstan|Kazakh|Kazakhstani|Kazakhstanis|Kazakhs|Astana|Nur-Sultan|Almaty|Shymkent|Казахстан|"
    "Республика Казахстан|Астана|Нур-Султан|Алматы|Шымкент|Караганда|Семей|Уральск|Актобе|Актау|"
    "Петропавловск|~казахстанский|~казахский|казахстанец|казахстанцы",
    "KG": "Kyrgyzstan|Kyrgyz Republic|Kyrgyz|Kyrgyzstani|Bishkek|Osh|Issyk-Kul|Кыргызстан|Киргизия|"
    "Кыргызская Республика|Бишкек|Ош|Иссык-Куль|~кыргызский|~киргизский|~кыргызстанский",
    "TJ": "Tajikistan|Tajik|Tajikistani|Dushanbe|Khujand|Khorog|Таджикистан|Республика Таджикистан|"
    "Душанбе|Худжанд|Хорог|~таджикский|"
    "~таджикистанский",
    "TM": "Turkmenistan|Turkmen|Ashgabat|Туркменистан|Туркмения|Ашхабад|~туркменский",
    "UZ": "Uzbekistan|Uzbek|Uzbekistani|Tashkent|Samarkand|Bukhara|Termez|Nukus|Karakalpakstan|"
    "Узбекистан|Республика Узбекистан|Ташкент|Самарканд|Бухара|Термез|Нукус|Каракалпакстан|"
    "~узбекский|~узбекистанский",
    "CN": "China|PRC|People's Republic of China|Chinese|Beijing|Shanghai|Shenzhen|Urumqi|Xinjiang|КНР|Китай|"
    "Китайская Народная Республика|Пекин|Шанхай|Шэньчжэнь|Урумчи|Синьцзян|~китайский",
    "RU": "Russia|Russian Federation|Russian|Moscow|St Petersburg|Saint Petersburg|Россия|"
    "Российская Федерация|РФ|"
    "Москва|Санкт-Петербург|Новосибирск|~российский",
    "IN": "India|Indian|New Delhi|Delhi|Mumbai|Индия|Нью-Дели|Дели|Мумбаи|~индийский",
    "PK": "Pakistan|Pakistani|Islamabad|Karachi|Lahore|Пакистан|Исламабад|Карачи|~пакистанский",
    "IR": "Iran|Iranian|Tehran|Иран|Тегеран|~иранский",
    "BY": "Belarus|Belarusian|Minsk|Беларусь|Белоруссия|Республика Беларусь|Минск|~белорусский",
    "MN": "Mongolia|Mongolian|Ulaanbaatar|Ulan Bator|Монголия|Улан-Батор|~монгольский",
    "AF": "Afghanistan|Afghan|Kabul|Herat|Kandahar|Афганистан|Кабул|Герат|Кандагар|~афганский",
    "AZ": "Azerbaijani|Baku|Азербайджан|Баку|~азербайджанский",
    "AM": "Armenian|Yerevan|Армения|Ереван|~армянский",
    "GE": "Georgian|Tbilisi|Грузия|Тбилиси|~грузинский",
    "UA": "Ukrainian|Kyiv|Kiev|Украина|Киев|~украинский",
    "TR": "Turkey|Türkiye|Turkish|Ankara|Istanbul|Antalya|Турция|Анкара|Стамбул|Анталья|~турецкий",
    "US": "United States|USA|US|American|Washington|США|Соединенные Штаты|Вашингтон|~американский",
    "GB": "United Kingdom|UK|Britain|British|London|Великобритания|Лондон|~британский",
    "DE": "German|Berlin|Германия|Берлин|~германский|~немецкий",
    "FR": "French|Paris|Франция|Париж|~французский",
    "JP": "Japanese|Tokyo|Япония|Токио|~японский",
    "KR": "South Korea|Korea|South Korean|Korean|Seoul|Южная Корея|Республика Корея|Корея|Сеул|~южнокорейский",
    "KP": "North Korea|Pyongyang|КНДР|Северная Корея|Пхеньян",
    "IT": "Italian|Milan|Rome|Италия|Рим|~итальянский",
    "ES": "Spanish|Madrid|Испания|Мадрид|~испанский",
    "CH": "Swiss|Geneva|Bern|Швейцария|Женева|Берн|~швейцарский",
    "BE": "Belgian|Brussels|Бельгия|Брюссель|~бельгийский",
    "AT": "Austrian|Vienna|Австрия|Вена|~австрийский",
    "AE": "UAE|Emirati|Abu Dhabi|Dubai|ОАЭ|Абу-Даби|Дубай",
    "SA": "Saudi Arabia|Saudi|Riyadh|Саудовская Аравия|Эр-Рияд",
    "EG": "Egyptian|Cairo|Египет|Каир|~египетский",
    "QA": "Qatari|Doha|Катар|Доха",
    "VN": "Vietnam|Vietnamese|Hanoi|Вьетнам|Ханой",
    "TH": "Thai|Bangkok|Таиланд|Бангкок",
    "SY": "Syria|Syrian|Damascus|Сирия|Дамаск",
    "NP": "Nepali|Nepalese|Kathmandu|Непал|Катманду",
    "BD": "Bangladeshi|Dhaka|Бангладеш",
    "MY": "Malaysian|Kuala Lumpur|Малайзия",
    "ID": "Indonesian|Jakarta|Индонезия|Джакарта",
    "CZ": "Czech Republic|Czech|Prague|Чехия|Прага",
    "KW": "Kuwaiti|Кувейт",
    "MM": "Myanmar|Мьянма",
    "LA": "Laos|Лаос",
    "MD": "Moldova|Молдова|Молдавия",
    "BO": "Bolivia|Боливия",
    "VE": "Venezuela|Венесуэла",
    "TZ": "Tanzania|Танзания",
    "SN": "Senegal|Senegalese|Dakar|Сенегал|Дакар",
}
# Chinese names, found as substrings (Chinese is written without spaces and does not inflect).
_ZH_NAMES: dict[str, str] = {
    "哈萨克斯坦": "KZ", "吉尔吉斯斯坦": "KG", "吉尔吉斯": "KG", "塔吉克斯坦": "TJ", "乌兹别克斯坦": "UZ",
    "土库曼斯坦": "TM", "中国": "CN", "中华人民共和国": "CN", "俄罗斯": "RU", "俄": "RU", "印度": "IN",
    "巴基斯坦": "PK", "伊朗": "IR", "白俄罗斯": "BY", "蒙古": "MN", "阿富汗": "AF", "阿塞拜疆": "AZ",
    "亚美尼亚": "AM", "土耳其": "TR", "美国": "US", "日本": "JP", "韩国": "KR", "尼泊尔": "NP",
    "孟加拉国": "BD", "缅甸": "MM", "越南": "VN", "泰国": "TH", "印度尼西亚": "ID", "菲律宾": "PH",
    "乌克兰": "UA", "格鲁吉亚": "GE", "沙特阿拉伯": "SA", "埃及": "EG",
}  # fmt: skip
# Names that are also everyday words or surnames in the other sense; left out of the gazetteer.
_SKIP = {"Того", "Чад", "Jersey", "Man", "Chad", "Jordan", "Niger", "Guinea", "Mali", "Мали", "Panama"}
# ...but in a list of countries ("Guinea, Mali, Senegal") they are countries.
_LIST_ONLY = {"Chad": "TD", "Niger": "NE", "Guinea": "GN", "Mali": "ML", "Мали": "ML", "Чад": "TD", "Jordan": "JO"}
_LIST_GAP = 2  # tokens between two names of one list ("Guinea, Mali and Senegal")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# "[EN/UK]", "(RU)", "[kk]": language tags and codes in brackets, not countries
LANGUAGE_TAG = re.compile(r"[\[(]\s*[A-Za-z]{2}(?:\s*[/,|;]\s*[A-Za-z]{2})*\s*[\])]")
_GROUP = "@"  # marks a group's code in the entries: "@sco" stands for every SCO member
_ZH_ALL = {**_ZH_NAMES, **ZH_PLACES, **ZH_PROVINCES, **{name: _GROUP + group for name, group in ZH_GROUPS.items()}}
# longest name first, so that a name inside a longer one is not found too: 白俄罗斯 is Belarus, not Russia;
# 印度尼西亚 Indonesia, not India
_ZH_RE = re.compile("|".join(re.escape(n) for n in sorted(_ZH_ALL, key=len, reverse=True)))
_PREFIX_MIN = 5  # a shorter name matches whole: "Ош" must not take "Ошибка"
_FOCUS = ("KZ", "KG", "TJ", "TM", "UZ", "CN", "RU", "IN", "PK", "IR", "BY", "MN", "AF")


def _entries() -> list[tuple[str, str, bool]]:
    """(pattern, alpha-2, case-sensitive) for every country."""
    try:
        ru = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    except OSError:  # locales missing: English names plus the table above still work
        ru = gettext.NullTranslations()
    out: list[tuple[str, str, bool]] = []
    for c in pycountry.countries:
        names = {c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)}
        names.add(ru.gettext(c.name))
        for name in names:
            if name and "," not in name and "(" not in name and name not in _SKIP:
                out.append((name, c.alpha_2, True))
    for code, spec, prefixed in [
        *((c, s, False) for c, s in _EXTRA.items()),
        *((c, s, False) for c, s in PLACE_NAMES.items()),
        *((c, s, True) for c, s in REGION_NAMES.items()),
        *((c, s, False) for c, s in PROVINCE_NAMES.items()),
        *((c, s, True) for c, s in PROVINCE_REGION.items()),
    ]:
        for name in spec.split("|"):
            if name.startswith("~"):
                out.append((name[1:], code, False))
            else:
                out.append((name + "*" if prefixed and len(name) >= _PREFIX_MIN else name, code, True))
    for group, (_, phrases) in GROUPS.items():
        out.extend((phrase, _GROUP + group, False) for phrase in phrases)
    return out


class CountryFinder:
    def __init__(self) -> None:
        entries = _entries()
        self._codes = [code for _, code, _ in entries]
        self._names = [name for name, _, _ in entries]
        self._cases = [case for _, _, case in entries]
        self._matcher = PhraseMatcher([p for p, _, _ in entries], case_sensitive=[c for _, _, c in entries])
        self._list_names = list(_LIST_ONLY)
        self._list_matcher = PhraseMatcher(self._list_names, case_sensitive=[True] * len(self._list_names))

    def places(self, tokens: Sequence[Token]) -> list[tuple[int, str]]:
        """(token index, name as written in the gazetteer) of capitalised place names."""
        out: list[tuple[int, str]] = []
        covered_to = -1
        for h in sorted(self._matcher.find(tokens), key=lambda h: (h.start, -(h.end - h.start))):
            if h.start < covered_to:
                continue
            covered_to = h.end
            if self._cases[h.pattern_id] and not self._codes[h.pattern_id].startswith(_GROUP):
                out.append((h.start, self._names[h.pattern_id].rstrip("*")))
        return out

    def find(self, tokens: Sequence[Token]) -> list[str]:
        """Alpha-2 codes in order of first mention, longest match winning overlaps; ambiguous names (Guinea,
        Mali) count when they stand in a list next to another country."""
        hits = sorted(self._matcher.find(tokens), key=lambda h: (h.start, -(h.end - h.start)))
        found: list[tuple[float, int, str]] = []  # (start, end, code)
        covered_to = -1
        for h in hits:
            if h.start < covered_to:
                continue
            covered_to = h.end
            found.append((h.start, h.end, self._codes[h.pattern_id]))
        pending = [
            (h.start, h.end, _LIST_ONLY[self._list_names[h.pattern_id]]) for h in self._list_matcher.find(tokens)
        ]
        changed = True
        while pending and changed:  # grow lists from their firm members, one neighbour at a time
            changed = False
            for cand in list(pending):
                if any(0 <= cand[0] - e <= _LIST_GAP or 0 <= s - cand[1] <= _LIST_GAP for s, e, _ in found):
                    found.append(cand)
                    pending.remove(cand)
                    changed = True
        for n, tok in enumerate(tokens):
            if _CJK.search(tok.text):
                for m in _ZH_RE.finditer(tok.text):
                    found.append((n + m.start() / 10000, n, _ZH_ALL[m.group(0)]))
        seen: dict[str, float] = {}
        for start, _, code in sorted(found, key=lambda f: f[0]):
            if code.startswith(_GROUP):
                for member in GROUPS[code[1:]][0]:
                    seen.setdefault(member, start)
            else:
                seen.setdefault(code, start)
        return list(seen)


@lru_cache(maxsize=1)
def country_finder() -> CountryFinder:
    return CountryFinder()


def is_focus(code: str) -> bool:
    return code in _FOCUS
