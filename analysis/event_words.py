"""Event trigger words of the region's languages, under the five kinds defined in analysis/events.py.

Kazakh, Kyrgyz, Tajik, Uzbek, Mongolian and Turkish add endings to a stem ("кездесуі", "машыгууда",
"uchrashuvi", "tatbikatı"), so their triggers are prefixes ("stem*"). Chinese has no spaces between
words, so its triggers are found as substrings of the text.
"""

from __future__ import annotations

REGION_KINDS: dict[str, tuple[str, ...]] = {
    "training": (
        "тренинг*", "семинар*", "оқыту*", "окутуу*", "омӯзиш*", "trening*", "seminar*", "сургалт*",
        "eğitim*", "seminer*", "çalıştay*", "тренінг*", "семінар*", "вебінар*", "vebinar*", "вебинар*",
        "kurs*", "курс*",
        "malaka oshirish*", "малака ошириш*", "біліктілі*", "квалификаци*", "o'quv kurs*", "оқу курс*",
        # master classes: Kazakh "шеберлік сыныбы", Uzbek "mahorat darsi", Tajik "дарси маҳорат"
        "шеберлік сынып*", "шеберлік сыныб*", "mahorat dars*", "маҳорат дарс*", "дарси маҳорат*", "мастер-класс*",
    ),
    "conference": (
        "форум*", "конференци*", "конференсия*", "конфронс*", "симпозиум*", "конгрес*", "көрме*",
        "намоишгоҳ*", "konferensiya*", "anjuman*", "чуулган*", "konferans*", "kongre*", "sempozyum*",
        "конференці*", "виставк*", "дөңгелек үстел*", "тегерек стол*", "davra suhbat*", "давра суҳбат*",
        "мизи мудаввар*", "fuar*", "ko'rgazma*", "кўргазма*", "ярмарк*",
        "regional platform", "global platform", "региональная платформа",
    ),
    "exercise": (
        "жаттығу*", "жаттығул*", "машыгуу*", "машығу*", "машқ*", "машғулот*", "mashq*", "mashg*",
        "сургуулилалт*", "сургуулилт*", "tatbikat*", "shtab o'quv*", "штаб ўқув*", "навчання", "тренуван*",
    ),
    "meeting": (
        "кездес*", "келіссөз*", "отырыс*", "жиналыс*", "кеңес өт*", "жолугуш*", "жыйын*",
        # a council sitting: Kazakh "кеңесі", Kyrgyz "отуруму", Uzbek "majlisi", Tajik "маҷлиси"
        "кеңесі*", "отурум*", "majlis*", "мажлис*", "маҷлис*",
        "кеңешме*", "сүйлөшүү*", "вохӯр*", "мулоқот*", "ҷаласа*", "нишаст*", "музокир*", "uchrash*",
        "kengash*", "yig'ilish*", "muzokara*", "учраш*", "кенгаш*", "йиғилиш*", "музокара*", "уулзалт*",
        "уулз*", "хурал*", "toplantı*", "görüşme*", "zirve*", "зустріч*", "засідан*", "нарад*",
        "ассамблея*", "assembly", "negotiations", "convened", "convene", "муҳокима*", "muhokama*",
        "муҳокама*", "working group",
    ),
    "visit": (
        "сапар*", "сафар*", "safar*", "tashrif*", "ташриф*", "ziyaret*", "айлчлал*", "візит*",
        "expert mission", "assessment mission", "review mission", "monitoring mission", "миссия",
        "приедут", "приедет", "прибыли", "прибыла", "прибыл", "прибудут", "прибудет",
    ),
}  # fmt: skip

# A signing or a handshake happens at some event: it names a meeting only when no other trigger names the event.
SIGNING_WORDS: tuple[str, ...] = (
    "signed", "signing ceremony", "подписали", "подписано", "подписан", "подписала", "met", "встретился",
    "встретились",
)  # fmt: skip

CJK_KINDS: dict[str, tuple[str, ...]] = {
    "training": ("培训", "讲习班", "训练营", "研修班", "研修", "工作坊"),
    "conference": ("论坛", "博览会", "展览会", "研讨会", "大会", "圆桌"),
    "exercise": ("演练", "演习", "推演"),
    "meeting": ("会议", "会晤", "会谈", "会见", "峰会", "磋商", "座谈"),
    "visit": ("访问", "考察", "代表团赴", "专家组赴"),
}
