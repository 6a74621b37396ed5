"""Places in English: an event's location is shown to readers of English and Russian alike, so it is given
by its English name ("в Душанбе" -> Dushanbe, "Toshkentda" -> Tashkent, "在成都" -> Chengdu).

The region's main cities have English names that a letter-by-letter transliteration would not give
(Ташкент and Toshkent are Tashkent, Ош is Osh, Улан-Батор is Ulaanbaatar); the rest are transliterated
with anyascii, which knows every script the region writes in.
"""

from __future__ import annotations

from anyascii import anyascii

_ENGLISH: dict[str, str] = {
    "Tashkent": "Ташкент|Тошкент|Toshkent",
    "Samarkand": "Самарканд|Самарқанд|Samarqand",
    "Bukhara": "Бухара|Бухоро|Buxoro",
    "Fergana": "Фергана|Фарғона|Farg'ona",
    "Andijan": "Андижан|Андижон|Andijon|Анжиян",
    "Navoi": "Навои|Навоий|Navoiy",
    "Termez": "Термез|Термиз|Termiz",
    "Chirchiq": "Чирчик|Chirchiq",
    "Jizzakh": "Джизак|Jizzax",
    "Dushanbe": "Душанбе",
    "Khujand": "Худжанд|Хуҷанд",
    "Kulob": "Куляб|Кулоб|Кӯлоб",
    "Khorog": "Хорог|Хоруғ",
    "Panjakent": "Пенджикент|Панҷакент",
    "Bishkek": "Бишкек|Бішкек",
    "Osh": "Ош",
    "Jalal-Abad": "Джалал-Абад|Жалал-Абад",
    "Issyk-Kul": "Иссык-Куль|Ысык-Көл",
    "Almaty": "Алматы",
    "Astana": "Астана",
    "Shymkent": "Шымкент",
    "Karaganda": "Караганда|Қарағанды",
    "Kostanay": "Костанай|Қостанай",
    "Aktobe": "Актобе|Ақтөбе",
    "Aktau": "Актау|Ақтау",
    "Kyzylorda": "Кызылорда|Қызылорда",
    "Kokshetau": "Кокшетау|Көкшетау",
    "Oskemen": "Усть-Каменогорск|Өскемен",
    "Turkestan": "Туркестан|Түркістан",
    "Ashgabat": "Ашхабад|Ашгабат|Aşgabat",
    "Ulaanbaatar": "Улан-Батор|Улаанбаатар",
    "Moscow": "Москва",
    "Beijing": "Пекин|北京",
    "Urumqi": "Урумчи|乌鲁木齐",
    "Chengdu": "Чэнду|成都",
    "Xi'an": "Сиань|西安",
    "Kashgar": "Кашгар|喀什",
    "Khorgos": "Хоргос|霍尔果斯",
    "Qingdao": "Циндао|青岛",
    "Tehran": "Тегеран|Tahran",
    "Kabul": "Кабул|喀布尔",
    "Islamabad": "Исламабад|伊斯兰堡",
    "New Delhi": "Нью-Дели|新德里",
    "Minsk": "Минск|明斯克",
    "Baku": "Баку",
    "Yerevan": "Ереван",
    "Istanbul": "Стамбул|İstanbul",
    "Tianjin": "Тяньцзинь",
}
ZH_CITIES: dict[str, str] = {
    "杜尚别": "Dushanbe", "比什凯克": "Bishkek", "阿斯塔纳": "Astana", "阿拉木图": "Almaty", "塔什干": "Tashkent",
    "撒马尔罕": "Samarkand", "阿什哈巴德": "Ashgabat", "莫斯科": "Moscow", "乌兰巴托": "Ulaanbaatar",
    "德黑兰": "Tehran", "伊塞克湖": "Issyk-Kul", "杭州": "Hangzhou", "上海": "Shanghai", "昆明": "Kunming",
}  # fmt: skip
_LOOKUP = {variant: english for english, names in _ENGLISH.items() for variant in names.split("|")}
ZH_CITIES.update({variant: english for variant, english in _LOOKUP.items() if "\u4e00" <= variant[0] <= "\u9fff"})


def english_place(name: str) -> str:
    """The English name of a place as the gazetteer wrote it."""
    return _LOOKUP.get(name) or (name if name.isascii() else anyascii(name))


def zh_location(text: str) -> str | None:
    """The first city named after 在 (at) or 赴 (to) in Chinese text, in English."""
    best: tuple[int, str] | None = None
    for city, english in ZH_CITIES.items():
        for marker in ("在", "赴"):
            at = text.find(marker + city)
            if at >= 0 and (best is None or at < best[0]):
                best = (at, english)
    return best[1] if best else None
