from __future__ import annotations

import pytest

from analysis.gazetteer import country_finder
from analysis.orgs import org_finder
from analysis.text import tokenize
from tests.analysis.conftest import item


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Rescuers from Kazakhstan and Kyrgyzstan met in Dushanbe", ["KZ", "KG", "TJ"]),
        ("Kazakh, Uzbek and Turkmen delegations", ["KZ", "UZ", "TM"]),
        ("Chinese and Russian experts, the Iranian side, Pakistani doctors", ["CN", "RU", "IR", "PK"]),
        ("Делегация Казахстана прибыла в Бишкек", ["KZ", "KG"]),
        ("в Таджикистане, с Туркменистаном, из Узбекистана", ["TJ", "TM", "UZ"]),
        ("китайские и российские спасатели, белорусская сторона", ["CN", "RU", "BY"]),
        ("в Индии и Пакистане, Ирану, Монголией, Афганистану", ["IN", "PK", "IR", "MN", "AF"]),
        ("Российской Федерацией и Республикой Беларусь", ["RU", "BY"]),
        ("встреча в Пекине и Ташкенте", ["CN", "UZ"]),
        ("Germany and Brazil", ["DE", "BR"]),
        ("Германия и Бразилия", ["DE", "BR"]),
    ],
)
def test_countries(text, codes):
    assert country_finder().find(tokenize(text)) == codes


def test_common_words_are_not_countries():
    assert country_finder().find(tokenize("what the US team told us about china plates")) == ["US"]
    assert country_finder().find(tokenize("Того же мнения придерживается эксперт")) == []


@pytest.mark.parametrize(
    ("text", "orgs"),
    [
        ("the SCO Secretariat and WHO", ["SCO", "WHO"]),
        ("Секретариат ШОС и ВОЗ", ["SCO", "WHO"]),
        ("государства СНГ, ОДКБ и СВМДА", ["CIS", "CSTO", "CICA"]),
        ("CIS, CSTO and CICA members", ["CIS", "CSTO", "CICA"]),
        ("Всемирной организации здравоохранения", ["WHO"]),
        ("OCHA, UNDRR, UNDP, UNICEF and the IAEA", ["OCHA", "UNDRR", "UNDP", "UNICEF", "IAEA"]),
        ("Евросоюз и МАГАТЭ", ["EU", "IAEA"]),
        ("the European Union and ISTC and CAREC", ["EU", "ISTC", "CAREC"]),
        ("Красного Креста и Красного Полумесяца", ["Red Cross", "Red Crescent"]),
        ("МЧС России и Роспотребнадзором", ["Emergencies Ministry", "Rospotrebnadzor"]),
        (
            "the Ministry of Emergency Situations and the Ministry of Health",
            ["Emergencies Ministry", "Health Ministry"],
        ),
    ],
)
def test_orgs(text, orgs):
    assert org_finder().find(tokenize(text)) == orgs


def test_lower_case_who_is_not_an_org():
    assert org_finder().find(tokenize("who knows what the eu-style rules say")) == []


def test_annotation_carries_entities(annotator):
    from tests.analysis.conftest import item

    ann = annotator.annotate(
        item("Спасатели Казахстана помогли Кыргызстану", "МЧС и Красный Полумесяц доставили помощь.")
    )
    assert ann.countries == ["KZ", "KG"]
    assert ann.orgs == ["Emergencies Ministry", "Red Crescent"]


@pytest.mark.parametrize(
    ("title", "countries"),
    [
        ("Floods hit Guinea, Mali, Senegal", ["GN", "ML", "SN"]),
        ("[EN/UK] Kazakhstan sends aid (RU)", ["KZ"]),
        ("Қазақстан мен Кыргызстан құтқарушылары", ["KZ", "KG"]),
        ("O'zbekiston va Тоҷикистон", ["UZ", "TJ"]),
        ("Ўзбекистон ва Қозоғистон", ["UZ", "KZ"]),
        ("哈萨克斯坦和吉尔吉斯斯坦举行会议", ["KZ", "KG"]),
        ("Guinea pig study published", []),
    ],
)
def test_countries_in_the_region_languages_lists_and_tags(rules_annotator, title, countries):
    assert rules_annotator.annotate(item(title, "")).countries == countries


@pytest.mark.parametrize(
    ("title", "org"),
    [
        ("上合组织应急部门会议", "SCO"),
        ("ШЫҰ елдерінің құтқарушылары", "SCO"),
        ("Favqulodda vaziyatlar vazirligi", "Emergencies Ministry"),
    ],
)
def test_orgs_in_the_region_languages(rules_annotator, title, org):
    assert org in rules_annotator.annotate(item(title, "")).orgs


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Алматыда жер сілкінісі сезілді", ["KZ"]),
        ("Министрлер Бішкекте кездесті", ["KG"]),
        ("Toshkentda va Samarqandda", ["UZ"]),
        ("Özbekistan'da ve Ankara'da", ["UZ", "TR"]),
        ("Монгол, Оросын аврагчид", ["MN", "RU"]),
        ("рятувальники України", ["UA"]),
        ("a fire in the Karaganda region", ["KZ"]),
        ("оползень в Узгенском районе", ["KG"]),
        ("中国与中亚五国应急管理部长会议在乌鲁木齐举行", ["CN", "KZ", "KG", "TJ", "TM", "UZ"]),
        ("health ministers of the five Central Asian states", ["KZ", "KG", "TJ", "TM", "UZ"]),
        (
            "Министры здравоохранения государств-членов ШОС",
            ["CN", "IN", "IR", "KZ", "KG", "PK", "RU", "TJ", "UZ", "BY"],
        ),
        ("Crimean-Congo haemorrhagic fever in Turkestan region", ["KZ"]),
        ("случаи Конго-крымской геморрагической лихорадки", []),
    ],
)
def test_region_places_case_endings_and_groups(text, codes):
    assert country_finder().find(tokenize(text)) == codes


def test_short_names_do_not_swallow_words():
    # "Ош" is too short to match as a prefix: "Ошибка" is a mistake, not Osh
    assert country_finder().find(tokenize("Ошибка в отчёте")) == []
