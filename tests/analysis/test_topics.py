from __future__ import annotations

import pytest

from tests.analysis.conftest import item

ON_TOPIC = [
    (
        "emergency_response",
        "Rescue teams from Kyrgyzstan reach flooded villages in Kazakhstan",
        "Boats and pumps were sent across the border and families were moved to shelters.",
    ),
    (
        "emergency_response",
        "Спасатели Узбекистана помогли соседям после схода лавины",
        "Отряд МЧС доставил пострадавшим палатки, печи и продукты.",
    ),
    (
        "public_health",
        "Tajikistan receives diphtheria vaccines for children",
        "The health ministry will immunise pupils in all districts this autumn.",
    ),
    (
        "public_health",
        "В Кыргызстане выросла заболеваемость гриппом",
        "Поликлиники перешли на усиленный режим, в больницах открыты дополнительные палаты.",
    ),
    (
        "disaster_risk",
        "Seismologists warn of higher quake risk along the Tian Shan",
        "New monitoring stations recorded a swarm of small tremors near populated valleys.",
    ),
    (
        "disaster_risk",
        "Гидрологи предупредили о риске паводков на реках Казахстана",
        "Запасы снега в горах выше нормы, возможны подтопления в долинах.",
    ),
    (
        "cbrn_biosafety",
        "New biosafety rules for laboratories handling plague samples",
        "Staff must follow strict containment procedures when storing dangerous pathogens.",
    ),
    (
        "cbrn_biosafety",
        "На границе усилили радиационный контроль грузов",
        "Досмотровые комплексы обнаруживают радиоактивные материалы в автомобилях.",
    ),
    (
        "capacity_building",
        "Emergency doctors practise mass-casualty triage at a regional training",
        "Medics from three countries rehearsed sorting patients after a simulated earthquake.",
    ),
    (
        "capacity_building",
        "Спасатели прошли обучение работе с беспилотниками при поиске людей",
        "Курс для сотрудников МЧС включал полеты в горах и поиск условно пострадавших.",
    ),
    (
        "cooperation_frameworks",
        "Health ministers sign memorandum on joint response to epidemics",
        "The memorandum sets up an exchange of outbreak data between national health services.",
    ),
    (
        "cooperation_frameworks",
        "Правительства утвердили соглашение о сотрудничестве при ликвидации ЧС",
        "Документ определяет порядок направления спасателей и гуманитарной помощи.",
    ),
]

HARD_NEGATIVES = [
    (
        "SCO trade",
        "SCO states discuss lower tariffs and more trade in national currencies",
        "Ministers agreed to expand the turnover of goods and simplify customs.",
    ),
    (
        "energy",
        "Kazakhstan and China agree new oil supply contract",
        "The pipeline will deliver more crude to refineries next year.",
    ),
    (
        "transport",
        "New highway cuts travel time between Almaty and Bishkek",
        "Trucks will save two hours on the route.",
    ),
    (
        "counter-terror",
        "SCO troops hold counter-terrorism drills in the mountains",
        "Special forces practised storming a militant hideout with helicopters.",
    ),
    ("election", "Voters elect a new parliament in Tajikistan", "Polling stations closed at eight in the evening."),
    (
        "computer virus",
        "A computer virus disrupted the city's payment terminals",
        "Hackers used malware to lock the software of parking machines.",
    ),
    (
        "football",
        "Football team opens training camp ahead of the season",
        "Players will train twice a day and play friendly matches.",
    ),
    (
        "imports",
        "Retailers face a flood of imports of cheap clothing",
        "Local factories say a flood of goods from abroad is pushing them out of the market.",
    ),
    ("ru trade", "Товарооборот стран ШОС вырос на десять процентов", "Рост обеспечили поставки нефти и металлов."),
    (
        "ru football",
        "Футбольный клуб начал тренировочный сбор в Турции",
        "Команда проведет там три недели и сыграет несколько матчей.",
    ),
    (
        "ru virus",
        "Компьютерный вирус заблокировал работу касс в магазинах",
        "Хакеры потребовали выкуп за восстановление данных.",
    ),
    (
        "ru drills",
        "Военные провели антитеррористические учения на полигоне",
        "Подразделения отработали уничтожение условных боевиков.",
    ),
]


@pytest.mark.parametrize(
    ("topic", "title", "summary"), ON_TOPIC, ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(ON_TOPIC)]
)
def test_on_topic_items_get_their_topic(annotator, topic, title, summary):
    ann = annotator.annotate(item(title, summary))
    # sent, or at least proposed to the admins (review band); never dropped
    assert topic in ann.topics + ann.review_topics, (ann.topics, ann.scores)
    assert ann.band in ("send", "review")


@pytest.mark.parametrize(("kind", "title", "summary"), HARD_NEGATIVES, ids=[k for k, _, _ in HARD_NEGATIVES])
def test_hard_negatives_get_no_topic(annotator, kind, title, summary):
    ann = annotator.annotate(item(title, summary))
    assert ann.topics == [], (kind, ann.topics, ann.scores)


def test_rules_only_still_classifies(rules_annotator):
    ann = rules_annotator.annotate(
        item("Epidemic of cholera: WHO sends vaccines", "Vaccination starts in the capital.")
    )
    assert "public_health" in ann.topics
    assert ann.evidence["public_health"]["embedding_score"] is None
    assert "vaccine" in ann.evidence["public_health"]["terms"]


def test_evidence_names_terms_and_nearest_example(annotator):
    ann = annotator.annotate(item("Rescuers search rubble after earthquake", "Search and rescue teams arrived."))
    ev = ann.evidence["emergency_response"]
    assert "search and rescue" in ev["terms"]
    assert ev["nearest_example"]["text"]
    assert 0 < ev["nearest_example"]["similarity"] <= 1.0


def test_negative_terms_are_reported(annotator):
    ann = annotator.annotate(item("Computer virus spreads", "The malware hit banks."))
    assert "computer virus" in ann.evidence["public_health"]["negative_terms"]


def test_language_detection(annotator):
    assert annotator.annotate(item("Спасатели прибыли", "")).language == "ru"
    assert annotator.annotate(item("Rescuers arrived", "")).language == "en"
    # the text wins over a feed's declared language; the hint only decides when there are too few letters
    assert annotator.annotate(item("Rescuers arrived", "", lang="ru-RU")).language == "en"
    assert annotator.annotate(item("12", "", lang="ru-RU")).language == "ru"


@pytest.mark.parametrize(
    ("title", "lang"),
    [
        ("Қазақстан құтқарушылары су тасқынынан зардап шеккен ауылдарға көмек көрсетті", "kk"),
        ("Кыргызстандын куткаруучулары жер титирөөдөн кийин үйлөрдү текшерип жатышат", "ky"),
        ("Рятувальники України допомагають постраждалим від повені", "uk"),
        ("Наҷотдиҳандагони Тоҷикистон ба минтақаҳои зарардида кӯмак расониданд", "tg"),
        ("哈萨克斯坦救援人员抵达地震灾区", "zh"),
        ("O'zbekiston qutqaruvchilari sel oqibatlarini bartaraf etmoqda", "uz"),
    ],
)
def test_language_of_the_region(annotator, title, lang):
    assert annotator.annotate(item(title, "", lang="en")).language == lang


def test_annotate_many_matches_annotate(annotator):
    items = [item(t, s) for _, t, s in ON_TOPIC[:4]]
    many = annotator.annotate_many(items)
    assert [a.topics for a in many] == [annotator.annotate(i).topics for i in items]


def test_to_json_is_json_safe(annotator):
    import json

    ann = annotator.annotate(item("Webinar on biosafety on 3 September", "Labs join online.", "2024-08-01"))
    data = json.loads(json.dumps(ann.to_json()))
    assert data["events"][0]["start"] == "2024-09-03"
