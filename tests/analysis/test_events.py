from __future__ import annotations

from datetime import date

import pytest

from analysis.dates import find_dates
from tests.analysis.conftest import item

REF = date(2024, 10, 10)  # a Thursday


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("11–15 December 2024", date(2024, 12, 11), date(2024, 12, 15)),
        ("11-15 December", date(2024, 12, 11), date(2024, 12, 15)),
        ("from December 11 to 15", date(2024, 12, 11), date(2024, 12, 15)),
        ("from December 11 to 15, 2023", date(2023, 12, 11), date(2023, 12, 15)),
        ("December 11-15, 2024", date(2024, 12, 11), date(2024, 12, 15)),
        ("с 11 по 15 декабря 2024 года", date(2024, 12, 11), date(2024, 12, 15)),
        ("с 11 по 15 декабря", date(2024, 12, 11), date(2024, 12, 15)),
        ("11–15 декабря 2024 г.", date(2024, 12, 11), date(2024, 12, 15)),
        ("from 28 November to 2 December 2024", date(2024, 11, 28), date(2024, 12, 2)),
        ("November 28 – December 2, 2024", date(2024, 11, 28), date(2024, 12, 2)),
        ("с 28 ноября по 2 декабря", date(2024, 11, 28), date(2024, 12, 2)),
        ("on 3 September", date(2024, 9, 3), date(2024, 9, 3)),
        ("on September 3", date(2024, 9, 3), date(2024, 9, 3)),
        ("On 28th of May 2020", date(2020, 5, 28), date(2020, 5, 28)),
        ("3 сентября 2021 года", date(2021, 9, 3), date(2021, 9, 3)),
        ("11.12.2024", date(2024, 12, 11), date(2024, 12, 11)),
        ("20.05.2024–22.05.2024", date(2024, 5, 20), date(2024, 5, 22)),
        ("2024-12-11", date(2024, 12, 11), date(2024, 12, 11)),
        ("next Tuesday", date(2024, 10, 15), date(2024, 10, 15)),
        ("tomorrow", date(2024, 10, 11), date(2024, 10, 11)),
        ("завтра", date(2024, 10, 11), date(2024, 10, 11)),
        ("послезавтра", date(2024, 10, 12), date(2024, 10, 12)),
        ("в следующий вторник", date(2024, 10, 15), date(2024, 10, 15)),
        ("the drill will take place on Monday", date(2024, 10, 14), date(2024, 10, 14)),
        ("the meeting was held on Monday", date(2024, 10, 7), date(2024, 10, 7)),
        ("9月10日至12日，上合组织成员国举行联合演练", date(2024, 9, 10), date(2024, 9, 12)),
        ("2023年9月5日至7日举行", date(2023, 9, 5), date(2023, 9, 7)),
        ("8月30日至9月2日", date(2024, 8, 30), date(2024, 9, 2)),
        ("ТЖМ: 3-7 қараша аралығында семинар өтеді", date(2024, 11, 3), date(2024, 11, 7)),
        ("2024 жылғы 5 наурызда жиналып", date(2024, 3, 5), date(2024, 3, 5)),
        ("2023-жылдын 20-22-февралында", date(2023, 2, 20), date(2023, 2, 22)),
        ("27-майдан 1-июнга чейин өткөн", date(2024, 5, 27), date(2024, 6, 1)),
        ("аз 22 то 25 апрели соли 2025", date(2025, 4, 22), date(2025, 4, 25)),
        ("16–18-aprel kunlari", date(2024, 4, 16), date(2024, 4, 18)),
        ("2025-yil 15–16-may kunlari", date(2025, 5, 15), date(2025, 5, 16)),
        ("14 январь куни", date(2024, 1, 14), date(2024, 1, 14)),
        ("5-р сарын 14-16-нд", date(2024, 5, 14), date(2024, 5, 16)),
        ("3-14 Kasım tarihleri arasında", date(2024, 11, 3), date(2024, 11, 14)),
        ("Протягом 4–8 листопада", date(2024, 11, 4), date(2024, 11, 8)),
        ("переговоры прошли 18 и 19 ноября", date(2024, 11, 18), date(2024, 11, 19)),
        ("форум прошел с 14-го по 15 апреля", date(2024, 4, 14), date(2024, 4, 15)),
        ("from 22 up to 26 September", date(2024, 9, 22), date(2024, 9, 26)),
        ("held on October, 16 in Dushanbe", date(2024, 10, 16), date(2024, 10, 16)),
        ("was held on March, 3-4 for rescuers", date(2024, 3, 3), date(2024, 3, 4)),
        ("the drill was held on Monday and Tuesday", date(2024, 10, 7), date(2024, 10, 8)),
        ("the workshop will run from Monday to Wednesday", date(2024, 10, 14), date(2024, 10, 16)),
        ("учения прошли в понедельник и вторник", date(2024, 10, 7), date(2024, 10, 8)),
        ("联合演练3日在阿拉木图举行", date(2024, 10, 3), date(2024, 10, 3)),
        ("联合救灾演练11日至16日在绍兴举行", date(2024, 10, 11), date(2024, 10, 16)),
    ],
)
def test_date_forms(text, start, end):
    spans = find_dates(text, REF)
    assert spans, text
    assert (spans[0].start, spans[0].end) == (start, end)


def test_year_comes_from_published_across_year_end():
    assert find_dates("on 10 January", date(2024, 12, 20))[0].start == date(2025, 1, 10)
    assert find_dates("on 28 December", date(2025, 1, 5))[0].start == date(2024, 12, 28)


def test_no_dates_in_plain_numbers():
    assert find_dates("In May 2020 about 300 people and 15 teams", REF) == []
    assert find_dates("31 February 2024", REF) == []


def test_relative_dates_need_published():
    assert find_dates("tomorrow", None) == []


@pytest.mark.parametrize(
    ("title", "summary", "kind", "start", "end", "location"),
    [
        (
            "Joint exercise of rescuers in Bishkek",
            "It runs 11–15 December 2024.",
            "exercise",
            "2024-12-11",
            "2024-12-15",
            "Bishkek",
        ),
        ("Вебинар по биобезопасности", "Вебинар пройдет завтра.", "training", "2024-10-11", "2024-10-11", None),
        (
            "Семинар в Ташкенте",
            "С 11 по 15 декабря 2024 года пройдет семинар.",
            "training",
            "2024-12-11",
            "2024-12-15",
            "Tashkent",
        ),
        (
            "Ministers to meet next Tuesday",
            "The meeting will discuss the action plan.",
            "meeting",
            "2024-10-15",
            "2024-10-15",
            None,
        ),
        ("SCO summit opens in Astana on 3 July", "", "meeting", "2024-07-03", "2024-07-03", "Astana"),
        (
            "Conference on disaster risk",
            "From December 11 to 15 experts meet.",
            "conference",
            "2024-12-11",
            "2024-12-15",
            None,
        ),
        (
            "Training course for lab staff",
            "The course starts on 3 September.",
            "training",
            "2024-09-03",
            "2024-09-03",
            None,
        ),
        (
            "Визит делегации в Москву",
            "Визит состоится с 28 ноября по 2 декабря.",
            "visit",
            "2024-11-28",
            "2024-12-02",
            "Moscow",
        ),
    ],
)
def test_events(annotator, title, summary, kind, start, end, location):
    ann = annotator.annotate(item(title, summary))
    ev = ann.events[0].to_json()
    assert (ev["kind"], ev["start"], ev["end"], ev["location"]) == (kind, start, end, location)


def test_press_conference_is_not_an_event(annotator):
    assert annotator.annotate(item("Minister speaks at press conference", "He answered questions.")).events == []


def test_reported_event_without_date_is_dated_by_publication(annotator):
    ev = annotator.annotate(item("Rescuers held a drill", "No date was given.")).events
    assert ev and ev[0].kind == "exercise" and ev[0].start == ev[0].end == REF


def test_announced_event_without_date_stays_undated(annotator):
    ev = annotator.annotate(item("Rescuers will hold a drill", "No date was given yet.")).events
    assert ev and ev[0].kind == "exercise" and ev[0].start is None


def test_uzbek_times_is_not_march():
    assert find_dates("narxlar 3 marta oshdi", REF) == []


@pytest.mark.parametrize(
    ("title", "summary", "kind", "start", "end"),
    [
        ("上合组织成员国紧急救灾部门联合演练在新疆举行", "9月10日至12日在乌鲁木齐举行。", "exercise",
         "2024-09-10", "2024-09-12"),
        ("Қазақстан мен Қырғызстан министрлері Бішкекте кездесті", "Министрлер 2 желтоқсанда талқылады.", "meeting",
         "2024-12-02", "2024-12-02"),
        ("Qutqaruvchilar Chirchiqda qo‘shma mashg‘ulot o‘tkazdi", "17-18 oktabr kunlari bo‘lib o‘tdi.", "exercise",
         "2024-10-17", "2024-10-18"),
        ("Дар Кӯлоб аз 14 то 16 октябр машқҳо гузаронида шуданд", "", "exercise", "2024-10-14", "2024-10-16"),
        ("Rescuers train together on mudflow response", "They held a field drill from 11 to 13 April.", "exercise",
         "2024-04-11", "2024-04-13"),
        ("WHO course for lab staff", "The five-day course ended on 20 September.", "training", "2024-09-16",
         "2024-09-20"),
        ("Investment conference opens", "The two-day conference, starting on 11 May, looks at minerals.", "conference",
         "2024-05-11", "2024-05-12"),
    ],
)  # fmt: skip
def test_region_events_keep_kind_and_both_ends(annotator, title, summary, kind, start, end):
    ev = annotator.annotate(item(title, summary)).events
    assert ev and (ev[0].kind, str(ev[0].start), str(ev[0].end)) == (kind, start, end)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("15–19 March", "2024-03-15", "2024-03-19"),
        ("March 15 to 19", "2024-03-15", "2024-03-19"),
        ("с 15 по 19 марта", "2024-03-15", "2024-03-19"),
        ("15–19 марта 2024 г.", "2024-03-15", "2024-03-19"),
        ("from 11 to 15 December", "2023-12-11", "2023-12-15"),
        ("March 15-19, 2024", "2024-03-15", "2024-03-19"),
        ("с 28 ноября по 2 декабря 2023 года", "2023-11-28", "2023-12-02"),
    ],
)
def test_date_ranges_keep_both_ends(text, start, end):
    from datetime import date

    from analysis.dates import find_dates

    spans = find_dates(f"The training is held {text} in Almaty.", date(2024, 3, 1))
    assert [(s.start.isoformat(), s.end.isoformat()) for s in spans] == [(start, end)]


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("SCO summit in Astana", "meeting"),
        ("Online webinar on biosafety for lab staff", "training"),
        ("Workshop on early warning for hydromet specialists", "training"),
        ("International forum on disaster risk reduction opens", "conference"),
        ("Rescuers hold a joint command-post exercise", "exercise"),
        ("Delegation of the emergencies ministry visits Dushanbe", "visit"),
        ("Ministers hold talks on the action plan", "meeting"),
    ],
)
def test_event_kinds_follow_the_definitions(rules_annotator, title, kind):
    from analysis.events import EVENT_KINDS

    events = rules_annotator.annotate(item(title, "")).events
    assert [e.kind for e in events] == [kind] and kind in EVENT_KINDS


@pytest.mark.parametrize(
    ("title", "summary", "kind", "start", "end", "location"),
    [
        # a start and an end day linked by "until", "до", 至 are one range
        (
            "Course for rescue officials",
            "A training course opened in Urumqi on 5 August and will run until 18 August.",
            "training",
            "2024-08-05",
            "2024-08-18",
            "Urumqi",
        ),
        ("疾控培训班在成都开班", "11月3日，培训班在成都开班，培训至11月14日结束。", "training", "2024-11-03",
         "2024-11-14", "Chengdu"),
        # plural Russian nouns in their cases: "на переговорах", "консультаций"
        ("Итоги переговоров в Андижане", "На переговорах 11 марта стороны утвердили план.", "meeting", "2024-03-11",
         "2024-03-11", "Andijan"),
        ("Эксперты приедут в Душанбе", "Специалисты проведут рабочие встречи 16 марта.", "visit", "2024-03-16",
         "2024-03-16", "Dushanbe"),
        ("ТЖМ мамандары курстан өтті", "7-18 қыркүйек аралығында біліктілігін арттырды.", "training", "2024-09-07",
         "2024-09-18", None),
    ],
)  # fmt: skip
def test_ranges_with_until_plural_triggers_and_english_places(annotator, title, summary, kind, start, end, location):
    ev = annotator.annotate(item(title, summary)).events[0].to_json()
    assert (ev["kind"], ev["start"], ev["end"], ev["location"]) == (kind, start, end, location)


def test_two_dates_in_separate_sentences_stay_apart(annotator):
    ev = annotator.annotate(item("Ministers met on 3 May to discuss floods", "A report is due on 20 May.")).events[0]
    assert (ev.start, ev.end) == (date(2024, 5, 3), date(2024, 5, 3))


@pytest.mark.parametrize(
    ("title", "summary", "kind", "start", "end"),
    [
        # a dateline and a publication stamp are not the event's day
        ("Consultations on dam safety", "BISHKEK, 10 October (AKIpress) – The sides held consultations on 9 October.",
         "meeting", "2024-10-09", "2024-10-09"),
        ("Встреча глав государств", "Опубликовано: 10.10.2024. Встреча прошла 9 октября.", "meeting", "2024-10-09",
         "2024-10-09"),
        # a law's date is not the event's
        ("Заседание комиссии по ЧС", "Постановлением от 1 октября 2024 года утвержден план. "
         "Заседание прошло 8 октября.", "meeting", "2024-10-08", "2024-10-08"),
        # the title's tense picks the upcoming event over the past one, and the other way round
        ("Kyrgyzstan to host CIS emergency council", "The council met on 24 October 2023 in Minsk and will meet in "
         "Bishkek on 16 October 2024.", "meeting", "2024-10-16", "2024-10-16"),
        ("Заседание совета прошло в Минске", "Заседание прошло 9 октября; следующее состоится 16 октября 2025 года.",
         "meeting", "2024-10-09", "2024-10-09"),
        ("Joint SCO drill starts Monday", "The drill will start on Monday and last three days.", "exercise",
         "2024-10-14", "2024-10-16"),
        ("Ош шаарында тегерек стол өттү", "Тегерек стол 9-октябрда өттү.", "conference", "2024-10-09", "2024-10-09"),
        ("Мизи мудаввар", "Мизи мудаввар 9 октябр баргузор гардид.", "conference", "2024-10-09", "2024-10-09"),
    ],
)  # fmt: skip
def test_event_dates_in_context(annotator, title, summary, kind, start, end):
    ev = annotator.annotate(item(title, summary)).events[0].to_json()
    assert (ev["kind"], ev["start"], ev["end"]) == (kind, start, end)


@pytest.mark.parametrize(
    "title",
    ["ТЖМ басшысы баспасөз конференциясын өткізді", "Пресс-конференции министра", "Vazir matbuot anjumani o'tkazdi"],
)
def test_press_conferences_in_the_region_are_not_events(annotator, title):
    assert annotator.annotate(item(title, "")).events == []


@pytest.mark.parametrize(
    ("title", "summary", "kind"),
    [
        # a meeting held during a visit: the visit is the event
        (
            "Heads of the emergency agencies met in Dushanbe",
            "The Iranian delegation also visited a rescue centre.",
            "visit",
        ),
        ("Ministries sign a health programme", "The document was signed during a visit of the delegation.", "visit"),
        # a signing names a meeting only when nothing else names the event
        ("Companies signed supply deals", "The contracts were signed at the exhibition in Tashkent.", "conference"),
        ("Kazakhstan and Kyrgyzstan signed a memorandum on mudflow warning", "", "meeting"),
        ("Rescuers rehearse an ammonia leak at the border crossing", "", "exercise"),
        ("Ховд аймагт газар хөдлөлтийн дадлага сургуулилт боллоо", "", "exercise"),
        ("Toshkentda xalqaro ko'rgazma ochildi", "", "conference"),
    ],
)
def test_which_trigger_names_the_event(rules_annotator, title, summary, kind):
    [event] = rules_annotator.annotate(item(title, summary)).events
    assert event.kind == kind


@pytest.mark.parametrize(
    ("title", "summary", "start", "end"),
    [
        # opened on the day of publication and lasts two days
        (
            "Regional conference on disaster risk opened in Almaty",
            "For two days, agencies discuss glacial lakes.",
            date(2024, 10, 10),
            date(2024, 10, 11),
        ),
        (
            "В Алматы открылась конференция по снижению риска бедствий",
            "В течение двух дней участники обсуждают сели.",
            date(2024, 10, 10),
            date(2024, 10, 11),
        ),
        # a report of a multi-day event that names no day ends on the day of publication
        (
            "Caspian states hold seminar on oil spill response",
            "Experts met during the two-day seminar.",
            date(2024, 10, 9),
            date(2024, 10, 10),
        ),
        ("Sughd region: 3 days training on chemical safety held in Khujand", "", date(2024, 10, 8), date(2024, 10, 10)),
        # no duration: the day of publication alone
        ("Rescuers held a drill in Osh", "", date(2024, 10, 10), date(2024, 10, 10)),
    ],
)
def test_a_report_naming_no_day_takes_its_length_from_the_text(annotator, title, summary, start, end):
    [event] = annotator.annotate(item(title, summary)).events
    assert (event.start, event.end) == (start, end)
