"""Provinces, districts and towns give their country when an item names none (analysis/gazetteer_provinces.py)."""

from __future__ import annotations

import pytest

from analysis.gazetteer import country_finder
from analysis.text import tokenize


def _find(text: str) -> list[str]:
    return country_finder().find(tokenize(text))


PLACES = [
    ("KZ", "Floods in Zhetysu region: 300 residents evacuated"),
    ("KZ", "Паводок в Жетысуской области: эвакуированы жители двух сёл"),
    ("KZ", "Жетісу облысында су тасқыны болды"),
    ("KZ", "Пожар на шахте в Темиртау, пострадали горняки"),
    ("KZ", "Radiation monitoring near Semipalatinsk test site"),
    ("KZ", "Землетрясение ощутили жители Талдыкоргана"),
    ("KG", "Mudflow in Batken region damages homes"),
    ("KG", "Сель сошёл в Араванском районе"),
    ("KG", "Майлуу-Сууда калдык сактоочу жайлар текшерилди"),
    ("KG", "Tailings dam inspection in Mailuu-Suu"),
    ("KG", "Землетрясение в Кочкорском районе Нарынской области"),
    ("TJ", "Earthquake in Murghab district of GBAO"),
    ("TJ", "Сели в Горно-Бадахшанской автономной области перекрыли дорогу"),
    ("TJ", "Заминҷунбӣ дар Кӯҳистони Бадахшон"),
    ("TJ", "Flash floods hit Khatlon and Sughd"),
    ("TJ", "Оползень в Варзобском районе"),
    ("TJ", "Rogun and Nurek reservoirs at record level"),
    ("UZ", "Dam collapse at Sardoba reservoir forces evacuation"),
    ("UZ", "Qo'qonda sel xavfi haqida ogohlantirish"),
    ("UZ", "Вспышка кори в Каракалпакской республике"),
    ("UZ", "Dust storm reaches Muynak"),
    ("UZ", "Пожар на заводе в Алмалыке"),
    ("UZ", "Sirdaryo viloyatida suv toshqini"),
    ("TM", "Heavy rain in Ahal and Lebap"),
    ("TM", "Locust control in Mary province"),
    ("TM", "Паводок в Дашогузском велаяте"),
    ("TM", "Учения спасателей в Балканском велаяте"),
    ("TM", "Sandstorm in Mary velayat"),
    ("TM", "Daşoguzda suw joşmasy"),
    ("MN", "Dzud hits Khovd aimag, livestock lost"),
    ("MN", "Snowstorm in Govi-Altai and Bayankhongor"),
    ("MN", "Ховд аймагт цасан шуурга"),
    ("MN", "Пожар в степи Дорнод"),
    ("MN", "Anthrax cases in Khuvsgul province"),
    ("AF", "Floods in Badakhshan province kill 20"),
    ("AF", "Earthquake near Jalalabad in Nangarhar"),
    ("AF", "Наводнение в провинции Бадахшан унесло жизни"),
    ("AF", "Землетрясение в Баглане"),
    ("AF", "Cholera outbreak in Helmand and Kunar"),
    ("PK", "Heatwave grips Sindh and Baluchistan"),
    ("PK", "Glacial lake outburst in Gilgit-Baltistan"),
    ("PK", "Наводнение в Равалпинди"),
    ("PK", "Floods in Swat valley sweep away tourists"),
    ("PK", "Polio case reported in Waziristan"),
    ("IR", "Earthquake in Kermanshah province"),
    ("IR", "Пожар на АЭС в Бушере"),
    ("IR", "IAEA inspectors at Natanz and Fordow"),
    ("IR", "Floods in Sistan and Baluchestan"),
    ("IR", "Землетрясение в Хузестане"),
    ("CN", "Earthquake strikes Gansu and Qinghai"),
    ("CN", "Floods in Sichuan and Yunnan"),
    ("CN", "Blizzard in Inner Mongolia"),
    ("CN", "新疆乌什县发生7.1级地震"),
    ("CN", "内蒙古发生暴雪"),
    ("CN", "Землетрясение в Синьцзяне и Тибете"),
    ("CN", "甘肃积石山县地震"),
    ("RU", "Flooding in Orsk after dam breach in Orenburg region"),
    ("RU", "Лесные пожары в Алтайском крае"),
    ("RU", "Паводок в Курганской области"),
    ("RU", "Wildfires in Tuva and Buryatia"),
    ("RU", "Наводнение в Республике Алтай"),
    ("RU", "Учения МЧС в Новосибирской области"),
    ("UZ", "Ammonia leak at a chemical plant in Chirchik"),
    ("KG", "Пожар на рынке Дордой потушили к утру"),
    ("KG", "Avalanche risk closes the Too-Ashuu pass"),
    ("KZ", "Лесной пожар в области Абай"),
    ("RU", "Tsunami warning lifted for Sakhalin"),
    ("TJ", "Mudflow blocks the road near Kulob"),
    ("IN", "Monsoon floods in Kerala displace thousands"),
    ("JP", "Quake on the Noto peninsula cuts power"),
    ("KZ", "ШҲС саммити дар Остона баргузор шуд"),
    ("AF", "Ҳирот зилзилаҳо: садҳо нафар ҷон бохтанд"),
    ("RU", "Маскавда вохӯрии вазирон"),
    ("IR", "Ҳайати ҳукумат ба Теҳрон сафар кард"),
]


@pytest.mark.parametrize(("code", "text"), PLACES)
def test_province_gives_its_country(code, text):
    assert _find(text) == [code]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Mary Robinson visited Geneva", ["CH"]),
        ("A landslide victory in the election", []),
        ("Hikers crossed the Altai mountains", []),
        ("Tourists visit the Altai", []),
        ("Badakhshan", []),
        ("the Balkan peninsula and the Balkans", []),
        ("Punjab and Kashmir under heavy rain", []),
        ("Khorasan province of the Islamic State", []),
        ("a perm wave and samara style", []),
        ("Ошибка в отчёте о курганах степи", []),
        ("Ахалтекинская порода лошадей", []),
        ("The SWAT team arrived; a swat at flies", []),
        ("Вспышка в Петропавловске-Камчатском", ["RU"]),
        ("Fergana valley floods", ["UZ", "KG", "TJ"]),
        ("天山西部发生地震", []),
        ("伊塞克湖南岸", ["KG"]),
        ("阿姆河北岸", []),
        ("确定日期", []),
        ("白俄罗斯代表团", ["BY"]),
        ("印度尼西亚发生地震", ["ID"]),
        ("Mary said the Balkan route was closed", []),
        ("Rasht", ["IR"]),
        ("Рашт", ["TJ"]),
        ("Baroque churches of Noto in Sicily", []),
    ],
)
def test_no_extra_country(text, codes):
    assert _find(text) == codes


@pytest.mark.parametrize(
    "text",
    ["Министр Дарханұлы жиналыс өткізді", "Zaisan memorial hill", "the Dadu river rose overnight"],
)
def test_names_shared_across_borders_are_left_out(text):
    assert _find(text) == []
