"""Regional weekdays and day words, council triggers, datelines, deadlines and old dates (batch h17)."""

from __future__ import annotations

from datetime import date

import pytest

from analysis.dates import find_dates
from tests.analysis.conftest import item

REF = date(2024, 10, 10)  # a Thursday


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Сейсенбіде кеңес өтті.", date(2024, 10, 8), date(2024, 10, 8)),
        ("Дүйсенбіде тренинг өтеді.", date(2024, 10, 14), date(2024, 10, 14)),
        ("Шейшембиде машыгуу өттү.", date(2024, 10, 8), date(2024, 10, 8)),
        ("Жума күнү конференция өтөт.", date(2024, 10, 11), date(2024, 10, 11)),
        ("Seshanba kuni majlis bo'lib o'tdi.", date(2024, 10, 8), date(2024, 10, 8)),
        ("Kelasi chorshanba kuni mashq bo'ladi.", date(2024, 10, 16), date(2024, 10, 16)),
        ("Рӯзи сешанбе ҷаласа баргузор гардид.", date(2024, 10, 8), date(2024, 10, 8)),
        ("Рӯзи душанбе ҳайат меояд.", date(2024, 10, 14), date(2024, 10, 14)),
        ("Машқ сешанбеи оянда баргузор мегардад.", date(2024, 10, 15), date(2024, 10, 15)),
        ("Кеше министрлер кездесті.", date(2024, 10, 9), date(2024, 10, 9)),
        ("Эртең тегерек стол өтөт.", date(2024, 10, 11), date(2024, 10, 11)),
        ("Kecha mashg'ulot o'tkazildi.", date(2024, 10, 9), date(2024, 10, 9)),
        ("Фардо машқ баргузор мегардад.", date(2024, 10, 11), date(2024, 10, 11)),
        ("明天举行会谈", date(2024, 10, 11), date(2024, 10, 11)),
        ("论坛将于下周二开幕", date(2024, 10, 15), date(2024, 10, 15)),
        ("演习周三举行", date(2024, 10, 9), date(2024, 10, 9)),
        ("December 29, 2024 – January 3, 2025", date(2024, 12, 29), date(2025, 1, 3)),
        ("с 29 декабря 2024 года по 3 января 2025 года", date(2024, 12, 29), date(2025, 1, 3)),
        ("учения пройдут во вторник", date(2024, 10, 15), date(2024, 10, 15)),
    ],
)
def test_regional_relative_dates(text, start, end):
    spans = find_dates(text, REF)
    assert spans, text
    assert (spans[0].start, spans[0].end) == (start, end)


def test_tajik_capital_is_not_monday():
    assert find_dates("Ҳайат ба Душанбе омад.", REF) == []


@pytest.mark.parametrize(
    ("title", "summary", "kind", "start", "end"),
    [
        ("ШЫҰ ТЖ басшыларының кеңесі Бішкекте өтеді", "Кеңес 14-15 қазанда өтеді.", "meeting", "2024-10-14",
         "2024-10-15"),
        ("Комиссиянын отуруму", "Отурум 9-октябрда өттү.", "meeting", "2024-10-09", "2024-10-09"),
        ("ФВВ ҳайъат мажлиси", "Мажлис 9 октябрь куни бўлиб ўтди.", "meeting", "2024-10-09", "2024-10-09"),
        ("Маҷлиси Олӣ қонун қабул кард", "Машқ 20 октябр баргузор мегардад.", "exercise", "2024-10-20",
         "2024-10-20"),
        ("Құтқарушыларға арналған шеберлік сыныбы", "Сынып 9 қазанда өтті.", "training", "2024-10-09",
         "2024-10-09"),
        ("中乌应急管理圆桌会议在塔什干举行", "会议9日举行。", "conference", "2024-10-09", "2024-10-09"),
        ("上合组织桌面推演", "新华社阿斯塔纳10月10日电 桌面推演9日在阿斯塔纳举行。", "exercise", "2024-10-09",
         "2024-10-09"),
        ("Council of heads of emergency agencies", "ALMATY, 10 October (Kazinform) — The council will meet on "
         "25 October.", "meeting", "2024-10-25", "2024-10-25"),
        ("Workshop on chemical safety", "Applications are accepted until 1 October. The workshop will take place "
         "on 20 October.", "training", "2024-10-20", "2024-10-20"),
        ("Conference marks tenth anniversary of the framework", "The framework was adopted on 18 March 2015. "
         "On Tuesday, a conference in Almaty marked the anniversary.", "conference", "2024-10-08", "2024-10-08"),
        ("Бүгін семинар басталды", "Бүгін үш күндік семинар басталды.", "training", "2024-10-10", "2024-10-12"),
        # a verb of lasting joins the end date across a long clause
        ("Спасатели СНГ начали учения", "7 октября на базе учебного центра начались международные учения "
         "подразделений чрезвычайных ведомств государств – участников Содружества, которые продлятся до "
         "11 октября.", "exercise", "2024-10-07", "2024-10-11"),
        # a future "посетит" makes the visit the first trigger, before the talks it includes
        ("Министр посетит Минск для переговоров", "Визит запланирован на 14 октября.", "visit", "2024-10-14",
         "2024-10-14"),
        # Kazakh "кездесіп" (having met)
        ("Екі елдің құтқарушылары жоспарға қол қойды", "Департаменттер 9 қазанда Атырауда кездесіп, жоспарды "
         "бекітті.", "meeting", "2024-10-09", "2024-10-09"),
        # Uzbek "shtab o'quvi" is a command-staff exercise
        ("Namanganda shtab o'quvi o'tkaziladi", "O'quv 11 oktyabr kuni bo'lib o'tadi.", "exercise", "2024-10-11",
         "2024-10-11"),
    ],
)  # fmt: skip
def test_regional_events_and_side_dates(annotator, title, summary, kind, start, end):
    ev = annotator.annotate(item(title, summary)).events[0].to_json()
    assert (ev["kind"], ev["start"], ev["end"]) == (kind, start, end)
