"""More of the gazetteer: the region's cities and provinces, names that take case endings, and groups.

- Kazakh, Kyrgyz, Uzbek, Tajik, Mongolian and Turkish add endings to a name ("Қазақстанда", "Бішкекте",
  "Toshkentda", "Ankara'da"), so the region's names match as prefixes. Only names of five letters or more
  do, so that a short name does not swallow an ordinary word.
- A group named as a whole ("SCO member states", "стран Центральной Азии", "中亚五国") stands for every
  member: an official subscribed to Kyrgyzstan wants the SCO emergency ministers' meeting too.
"""

from __future__ import annotations

# alpha-2 -> "|"-separated names in the region's languages (Kazakh, Kyrgyz, Uzbek in both scripts, Tajik,
# Turkmen, Mongolian, Turkish, Ukrainian). Names of five letters or more match as capitalised prefixes, so
# that case endings follow; shorter ones match whole; "~" marks a lower-case adjective, matched in any case.
REGION_NAMES: dict[str, str] = {
    "KZ": "Қазақстан|Қазақстан Республикасы|Казакстан|Qazaqstan|Qozog'iston|Қозоғистон|Қазоқистон|Kazakistan|"
    "Казахстон|Казахыстан|~қазақстандық|Алматы|Астана|Шымкент|Қарағанды|Қостанай|Атырау|Жамбыл|Ақтөбе|"
    "Ақтау|Павлодар|Түркістан|Қызылорда|Көкшетау|Семей|Oskemen|Өскемен|Остона|Ostona|Олмаота|Olmaota",
    "KG": "Кыргызстан|Кыргыз Республикасы|Qirg'iziston|Қирғизистон|Kırgızistan|Қирғизстан|~кыргызстандык|"
    "Қырғызстан|Бішкек|Бишкек|Ысык-Көл|Жалал-Абад|Баткен|Нарын|Талас|Токмок|Каракол|Özgön",
    "UZ": "Oʻzbekiston|O'zbekiston|O‘zbekiston|Ўзбекистон|Ўзбекистон Республикаси|Өзбекстан|Узбекистон|"
    "Özbekistan|Toshkent|Тошкент|Ташкент|Samarqand|Самарқанд|Namangan|Наманган|Farg'ona|Фарғона|Andijon|"
    "Андижон|Анжиян|Termiz|Термиз|Surxondaryo|Сурхондарё|Qashqadaryo|Қашқадарё|Qoraqalpog'iston|"
    "Қорақалпоғистон|Buxoro|Бухоро|Xorazm|Навоий|Navoiy|Chirchiq|Chimyon|Jizzax",
    "TJ": "Тоҷикистон|Tojikiston|Тожикистон|Тәжікстан|Тажикстан|Tacikistan|Душанбе|Хуҷанд|Кӯлоб|Хоруғ|Хатлон|"
    "Суғд|Бохтар|Роғун|Истаравшан|Панҷакент",
    "TM": "Türkmenistan|Туркманистон|Turkmaniston|Түрікменстан|Түркмөнстан|Ашгабат|Aşgabat",
    "RU": "Ресей|Россия Федерациясы|Rossiya|Русия|Rusya|Оросын|Орос Улс|Маскав|Moskva",
    "CN": "Қытай|Кытай|Xitoy|Хитой|Чин|Çin|Хятад|Синьцзян|Шыңжаң",
    "AF": "Afg'oniston|Афғонистон|Ауғанстан|Ооганстан|Afganistan|Мазари-Шариф|Ҳирот|Hirot|Кобул|Kobul",
    "MN": "Монгол Улс|Моңғолия|Mo'g'uliston|Монгол|Улаанбаатар|Замын-Үүд|Өмнөговь|Дорноговь|Сүхбаатар",
    "IR": "Эрон|Eron|İran|Tahran|Теҳрон|Tehron",
    "PK": "Покистон|Pokiston",
    "IN": "Ҳиндустон|Hindiston|Үндістан|Hindistan",
    "TR": "Туркия|Turkiya|Түркия|Türkiye|Ankara|İstanbul|Kayseri",
    "AZ": "Azerbaycan|Ozarbayjon|Әзірбайжан",
    "BY": "Belarus|Беларус",
    "UA": "Україн",
    "JP": "Японі",
    "MD": "Молдов",
}

# cities and provinces in English and Russian, matched like country names (Russian forms inflect)
PLACE_NAMES: dict[str, str] = {
    "KZ": "Karaganda|Akmola|Kostanay|Pavlodar|Atyrau|Aktobe|Aktau|Taraz|Kyzylorda|Semey|Zhambyl|Mangystau|"
    "Turkestan region|Ust-Kamenogorsk|Kokshetau|Костанай|Павлодар|Атырау|Тараз|Кызылорда|Кокшетау|"
    "Усть-Каменогорск|~алматинский|~жамбылский|~карагандинский|~акмолинский|~туркестанский|~костанайский|"
    "~павлодарский|~атырауский|~мангистауский|~кызылординский|~актюбинский",
    "KG": "Jalal-Abad|Naryn|Batken|Talas|Chui|Karakol|Tokmok|Uzgen|Джалал-Абад|Нарын|Баткен|Каракол|Токмок|"
    "Узген|~ошский|~баткенский|~нарынский|~таласский|~чуйский|~иссык-кульский|~джалал-абадский|~узгенский",
    "TJ": "Kulob|Bokhtar|Khatlon|Sughd|Rogun|Istaravshan|Panjakent|Isfara|Куляб|Бохтар|Хатлон|Согд|Рогун|"
    "~хатлонский|~согдийский",
    "UZ": "Fergana|Andijan|Namangan|Kashkadarya|Surkhandarya|Khorezm|Urgench|Navoi|Jizzakh|Chirchiq|Chimgan|"
    "Karshi|Фергана|Андижан|Наманган|Ургенч|Навои|Джизак|Чирчик|Чимган|Карши|~ферганский|~андижанский|"
    "~наманганский|~кашкадарьинский|~сурхандарьинский|~самаркандский|~бухарский|~ташкентский|~хорезмский",
    "TM": "Turkmenabat|Dashoguz|Balkanabat|Turkmenbashi|Туркменабат|Дашогуз|Балканабат|Туркменбаши",
    "RU": "Kamchatka|Orenburg|Khabarovsk|Vladivostok|Yekaterinburg|Chelyabinsk|Omsk|Novosibirsk|Irkutsk|"
    "Buryatia|Dagestan|Kazan|Камчатка|Оренбург|Хабаровск|Владивосток|Екатеринбург|Челябинск|Омск|Иркутск|"
    "Бурятия|Дагестан|Казань|Алтайский край|Забайкалье",
    "CN": "Horgos|Khorgos|Kashgar|Xi'an|Tianjin|Qingdao|Hangzhou|Chengdu|Guangzhou|Wuhan|Sichuan|Yunnan|"
    "Хоргос|Кашгар|Сиань|Тяньцзинь|Циндао|Ханчжоу|Чэнду|Гуанчжоу|Ухань|Сычуань",
    "IN": "Kolkata|Chennai|Bengaluru|Assam|Kerala|Goa|Калькутта|Ченнаи",
    "PK": "Quetta|Peshawar|Balochistan|Sindh|Khyber Pakhtunkhwa|Gilgit|Кветта|Пешавар|Белуджистан",
    "IR": "Mashhad|Isfahan|Tabriz|Shiraz|Мешхед|Исфахан|Тебриз",
    "MN": "Darkhan|Erdenet|Zamyn-Uud|Дархан|Эрдэнэт",
    "AF": "Mazar-i-Sharif|Balkh|Kunduz|Nangarhar|Мазари-Шариф|Балх|Кундуз",
}

ZH_PLACES: dict[str, str] = {
    "新疆": "CN", "北京": "CN", "乌鲁木齐": "CN", "霍尔果斯": "CN", "伊犁": "CN", "青岛": "CN", "杭州": "CN",
    "西安": "CN", "喀什": "CN", "明斯克": "BY", "比什凯克": "KG", "伊塞克湖": "KG", "阿斯塔纳": "KZ",
    "阿拉木图": "KZ", "塔什干": "UZ", "撒马尔罕": "UZ", "杜尚别": "TJ", "阿什哈巴德": "TM", "莫斯科": "RU",
    "乌兰巴托": "MN", "伊斯兰堡": "PK", "德黑兰": "IR", "喀布尔": "AF", "新德里": "IN",
}  # fmt: skip

CENTRAL_ASIA = ("KZ", "KG", "TJ", "TM", "UZ")
SCO_MEMBERS = ("CN", "IN", "IR", "KZ", "KG", "PK", "RU", "TJ", "UZ", "BY")
CIS_MEMBERS = ("AM", "AZ", "BY", "KZ", "KG", "MD", "RU", "TJ", "UZ")
CSTO_MEMBERS = ("AM", "BY", "KZ", "KG", "RU", "TJ")

# group -> (members, phrases that name all of them; lower case, matched in any case)
GROUPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "central_asia": (
        CENTRAL_ASIA,
        (
            "central asian states", "central asian countries", "central asian nations", "central asian republics",
            "five central asian", "countries of central asia", "states of central asia",
            "страна центральной азии", "государство центральной азии", "центральноазиатское государство",
            "центральноазиатская страна", "орталық азия елдер*", "борбордук азия өлкөлөр*",
            "markaziy osiyo davlat*", "markaziy osiyo mamlakat*", "марказий осиё давлат*",
            "давлатҳои осиёи марказӣ",
        ),
    ),
    "sco": (
        SCO_MEMBERS,
        (
            "sco member states", "sco member countries", "sco members", "sco states", "sco countries",
            "member states of the sco", "member states of the shanghai cooperation organisation",
            "member states of the shanghai cooperation organization",
            "государств* член* шос", "стран* член* шос", "государство шос", "страна шос", "стран* участниц* шос",
            "шыұ елдер*", "шыұ-ға мүше*", "шку өлкөлөр*", "шкунун мүчө*", "shht davlat*", "shht mamlakat*",
            "shht a'zo*", "шҳт давлат*", "шҳт мамлакат*", "давлатҳои аъзои сҳш*",
        ),
    ),
    "cis": (
        CIS_MEMBERS,
        ("cis member states", "cis countries", "государств* участник* снг", "страна снг", "государство снг"),
    ),
    "csto": (
        CSTO_MEMBERS,
        ("csto member states", "csto countries", "государств* член* одкб", "страна одкб"),
    ),
    # the valley is shared: an item about it concerns all three
    "fergana_valley": (
        ("UZ", "KG", "TJ"),
        ("fergana valley", "ferghana valley", "ферганская долина", "farg'ona vodiy*", "фарғона водий*"),
    ),
    # names that hold a country's name but are not about it: the fever, not the Congo
    "no_country": ((), ("crimean-congo", "конго-крымская", "кырым-конго", "қырым-конго")),
}  # fmt: skip


# Chinese names of groups -> the group in GROUPS
ZH_GROUPS: dict[str, str] = {
    "中亚五国": "central_asia",
    "中亚国家": "central_asia",
    "上合组织成员国": "sco",
    "上海合作组织成员国": "sco",
    "费尔干纳盆地": "fergana_valley",
    "费尔干纳谷地": "fergana_valley",
}
