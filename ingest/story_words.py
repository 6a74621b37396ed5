"""Words story grouping reads besides the annotation: hazard kinds, warnings, and the places inside a country.

The annotator's countries come from country names, adjectives and capitals; a short report often names only a
province, a district or a town ("Gansu quake kills over 100", "Пожар на шахте Костенко" names the mine). Story
grouping needs a country on both sides (ingest.grouping: countries must overlap), so ``place_countries`` adds
the country of the region's provinces, large towns and well-known places, in English and Russian (the other
languages of the region through ``analysis.gazetteer_region``, which the annotator already reads).
"""

from __future__ import annotations

import re

__all__ = ["hazard_kinds", "is_warning", "place_countries"]

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

    def __init__(self, groups: dict[str, tuple[str, ...]], *, hyphen_splits: bool) -> None:
        self._by_head: dict[str, list[tuple[str, str]]] = {}
        self._phrases: list[tuple[str, str]] = []  # several words, trailing space, or CJK
        self._hyphen_splits = hyphen_splits
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
            if self._hyphen_splits and "-" in words[0]:  # "anti-flood": the stem after the hyphen counts too
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


_KINDS = _Stems(_KIND_STEMS, hyphen_splits=True)


def hazard_kinds(text: str) -> frozenset[str]:
    """The hazard and incident kinds ``text`` names (see ``_KIND_STEMS``)."""
    return frozenset(_KINDS.find(text))


def is_warning(title: str) -> bool:
    """A forecast or warning headline, as against a report of the event itself (which may mention warnings:
    "tsunami warnings after a huge earthquake")."""
    return _WARNING.search(title) is not None and _HAPPENED.search(title) is None


# alpha-2 -> stems of provinces, districts, towns and landmarks (a stem matches the start of a word, so Russian
# case endings follow). Only places that lie in one country; border rivers and ranges are left out.
_PLACE_STEMS: dict[str, tuple[str, ...]] = {
    "KZ": (
        "akmola",
        "акмол",
        "almaty",
        "алмат",
        "aktobe",
        "актоб",
        "актюб",
        "atyrau",
        "атырау",
        "aktau",
        "актау",
        "mangystau",
        "мангист",
        "мангыст",
        "karaganda",
        "qaraghandy",
        "караганд",
        "kostanay",
        "костанай",
        "kyzylorda",
        "кызылорд",
        "pavlodar",
        "павлодар",
        "petropavl",
        "петропавловск",
        "north kazakhstan",
        "северо-казахстан",
        "turkestan region",
        "туркестанск",
        "zhambyl",
        "жамбыл",
        "taraz",
        "тараз",
        "shymkent",
        "шымкент",
        "semey",
        "семей",
        "abay region",
        "абай",
        "ulytau",
        "улытау",
        "kokshetau",
        "кокшетау",
        "oskemen",
        "усть-каменогорск",
        "east kazakhstan",
        "восточно-казахстан",
        "uralsk",
        "уральск",
        "west kazakhstan",
        "западно-казахстан",
        "zhetysu",
        "жетісу",
        "жетысу",
        "taldykorgan",
        "талдыкорган",
        "ekibastuz",
        "экибастуз",
        "temirtau",
        "темиртау",
        "baikonur",
        "байконур",
        "kurchatov",
        "курчатов",
        "semipalatinsk",
        "семипалатинск",
        "ishim",
        "ишим",
        "kostenko",
        "костенко",
    ),
    "KG": (
        "bishkek",
        "бишкек",
        "osh region",
        "ошск",
        "osh city",
        "jalal-abad",
        "джалал-абад",
        "жалал-абад",
        "batken",
        "баткен",
        "naryn",
        "нарын",
        "talas",
        "талас",
        "issyk-kul",
        "иссык-кул",
        "ысык-көл",
        "chui",
        "чуй",
        "karakol",
        "каракол",
        "tokmok",
        "токмок",
        "dordoy",
        "dordoi",
        "дордо",
        "too-ashuu",
        "төө-ашуу",
        "тоо-ашуу",
        "kara-balta",
        "кара-балт",
        "kyzyl-kiya",
        "кызыл-кия",
    ),
    "TJ": (
        "dushanbe",
        "душанбе",
        "khatlon",
        "хатлон",
        "sughd",
        "согд",
        "gorno-badakhshan",
        "горно-бадахшан",
        "gbao",
        "гбао",
        "murghab",
        "мургаб",
        "мурғоб",
        "khorog",
        "хорог",
        "kulob",
        "kulyab",
        "куляб",
        "bokhtar",
        "бохтар",
        "khujand",
        "худжанд",
        "rogun",
        "рогун",
        "anzob",
        "анзоб",
        "vakhsh",
        "вахш",
        "pamir",
        "памир",
        "istaravshan",
        "истаравшан",
        "penjikent",
        "пенджикент",
    ),
    "UZ": (
        "tashkent",
        "ташкент",
        "samarkand",
        "самарканд",
        "bukhara",
        "бухар",
        "namangan",
        "наманган",
        "fergana",
        "фергана",
        "andijan",
        "андижан",
        "karakalpak",
        "каракалпак",
        "nukus",
        "нукус",
        "khorezm",
        "хорезм",
        "sardoba",
        "сардоб",
        "syrdarya region",
        "сырдарьинск",
        "jizzakh",
        "джизак",
        "navoi",
        "навои",
        "termez",
        "термез",
        "surkhandarya",
        "сурхандар",
        "kashkadarya",
        "кашкадар",
        "chirchik",
        "chirchiq",
        "чирчик",
        "aral sea",
        "аральск",
        "muynak",
        "муйнак",
    ),
    "TM": ("ashgabat", "ашхабад", "turkmenbashi", "туркменбаши", "dashoguz", "дашогуз", "mary province"),
    "AF": (
        "kabul",
        "кабул",
        "herat",
        "герат",
        "kandahar",
        "кандагар",
        "kunar",
        "кунар",
        "nangarhar",
        "нангархар",
        "jalalabad",
        "джелалабад",
        "badakhshan province",
        "baghlan",
        "баглан",
        "balkh",
        "балх",
        "mazar-i-sharif",
        "мазари-шариф",
        "kunduz",
        "кундуз",
        "helmand",
        "гильменд",
        "paktika",
        "пактик",
        "zindajan",
        "зиндаджан",
    ),
    "CN": (
        "xinjiang",
        "синьцзян",
        "tibet",
        "тибет",
        "xizang",
        "gansu",
        "ганьсу",
        "qinghai",
        "цинхай",
        "sichuan",
        "сычуан",
        "yunnan",
        "юньнань",
        "urumqi",
        "урумчи",
        "kashgar",
        "кашгар",
        "wushi",
        "учтурфан",
        "jishishan",
        "цзишишань",
        "tingri",
        "dingri",
        "тингри",
        "шигадзе",
        "shigatse",
        "beijing",
        "пекин",
        "shanghai",
        "шанхай",
        "hong kong",
        "гонконг",
        "yili",
        "ili kazakh",
        "илийск",
        "khorgos",
        "хоргос",
    ),
    "RU": (
        "orsk",
        "орск",
        "orenburg",
        "оренбург",
        "kamchatka",
        "камчат",
        "kuril",
        "курильск",
        "severo-kurilsk",
        "северо-курильск",
        "sakhalin",
        "сахалин",
        "novosibirsk",
        "новосибирск",
        "altai krai",
        "алтайск",
        "omsk",
        "омск",
        "tyumen",
        "тюмен",
        "kurgan",
        "курган",
        "chelyabinsk",
        "челябинск",
        "astrakhan",
        "астрахан",
        "dagestan",
        "дагестан",
        "buryatia",
        "бурят",
        "irkutsk",
        "иркутск",
        "yakutia",
        "якути",
        "moscow",
        "москв",
    ),
    "MN": ("ulaanbaatar", "улан-батор", "улаанбаатар", "darkhan", "дархан", "erdenet", "эрдэнэт"),
    "IN": ("new delhi", "нью-дели", "mumbai", "мумбаи", "kerala", "керал", "assam", "ассам"),
    "PK": ("islamabad", "исламабад", "karachi", "карачи", "lahore", "лахор", "peshawar", "пешавар", "sindh"),
    "IR": ("tehran", "тегеран", "mashhad", "мешхед", "bandar abbas", "бендер-аббас"),
    "JP": ("kyushu", "кюсю", "hokkaido", "хоккайдо", "okinawa", "окинав", "fukushima", "фукусим", "tokyo", "токио"),
}
_CJK_PLACES: dict[str, tuple[str, ...]] = {
    "CN": ("新疆", "西藏", "甘肃", "青海", "四川", "云南", "乌鲁木齐", "喀什", "积石山", "定日", "日喀则"),
    "KZ": ("阿斯塔纳", "阿拉木图"),
    "KG": ("比什凯克",),
    "UZ": ("塔什干",),
    "TJ": ("杜尚别",),
}
_PLACES = _Stems(
    {code: (*_PLACE_STEMS.get(code, ()), *_CJK_PLACES.get(code, ())) for code in {**_PLACE_STEMS, **_CJK_PLACES}},
    hyphen_splits=False,
)


def place_countries(text: str) -> list[str]:
    """Countries of the places ``text`` names, in the order first named."""
    return _PLACES.find(text)
