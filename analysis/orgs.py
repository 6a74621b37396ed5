"""Organisations with their names and abbreviations in English and Russian."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from analysis.matcher import PhraseMatcher
from analysis.text import Token

# canonical label -> aliases. Aliases are matched case-sensitively (acronyms must be upper-case);
# a leading "~" marks a lower-case phrase matched in any case.
ORGS: dict[str, str] = {
    "SCO": "SCO|Shanghai Cooperation Organisation|Shanghai Cooperation Organization|ШОС|"
    "Шанхайская организация сотрудничества",
    "CICA": "CICA|Conference on Interaction and Confidence Building Measures in Asia|СВМДА|"
    "Совещание по взаимодействию и мерам доверия в Азии",
    "CIS": "CIS|Commonwealth of Independent States|СНГ|Содружество Независимых Государств",
    "CSTO": "CSTO|Collective Security Treaty Organization|Collective Security Treaty Organisation|ОДКБ|"
    "Организация Договора о коллективной безопасности",
    "WHO": "WHO|World Health Organization|World Health Organisation|ВОЗ|Всемирная организация здравоохранения",
    "UN": "UN|United Nations|ООН|Организация Объединенных Наций",
    "OCHA": "OCHA|UN Office for the Coordination of Humanitarian Affairs|УКГД",
    "UNDRR": "UNDRR|UN Office for Disaster Risk Reduction|UNISDR|МСУОБ",
    "UNDP": "UNDP|United Nations Development Programme|ПРООН|Программа развития ООН",
    "UNICEF": "UNICEF|ЮНИСЕФ|Детский фонд ООН",
    "IAEA": "IAEA|International Atomic Energy Agency|МАГАТЭ",
    "EU": "EU|European Union|ЕС|Евросоюз|Европейский союз|European Commission|Еврокомиссия|Европейская комиссия",
    "ISTC": "ISTC|International Science and Technology Center|МНТЦ|Международный научно-технический центр",
    "CAREC": "CAREC|Regional Environmental Centre for Central Asia|РЭЦЦА|ЦАРЭС",
    "Red Cross": "Red Cross|ICRC|IFRC|Красный Крест|МККК|МФОКК и КП|~red cross",
    "Red Crescent": "Red Crescent|Красный Полумесяц|~red crescent",
    "EU CBRN CoE": "CBRN CoE|CBRN Centres of Excellence|CBRN Centers of Excellence|ЦПО ХБРЯ|Центры передового опыта",
    "Emergencies Ministry": "Ministry of Emergency Situations|Ministry of Emergencies|Emergencies Ministry|"
    "Ministry for Emergency Situations|Ministry of Emergency Management|Ministry for Emergency Management|MES|"
    "EMERCOM|МЧС|Министерство по чрезвычайным ситуациям|Министерство чрезвычайных ситуаций|КЧС|"
    "Комитет по чрезвычайным ситуациям",
    "Health Ministry": "Ministry of Health|Health Ministry|Ministry of Public Health|Минздрав|"
    "Министерство здравоохранения",
    "Rospotrebnadzor": "Rospotrebnadzor|Роспотребнадзор",
    "EAEU": "EAEU|Eurasian Economic Union|ЕАЭС|Евразийский экономический союз",
    "OSCE": "OSCE|ОБСЕ",
    "BRICS": "BRICS|БРИКС",
    "ASEAN": "ASEAN|АСЕАН",
    "World Bank": "World Bank|Всемирный банк",
    "ADB": "ADB|Asian Development Bank|АБР|Азиатский банк развития",
    "FAO": "FAO|ФАО",
    "WFP": "WFP|World Food Programme|ВПП|Всемирная продовольственная программа",
    "UNHCR": "UNHCR|УВКБ",
    "ICDO": "ICDO|International Civil Defence Organisation|МОГО|Международная организация гражданской обороны",
    "JICA": "JICA",
    "USAID": "USAID",
    "NATO": "NATO|НАТО",
    "Africa CDC": "Africa CDC",
    "US CDC": "CDC",
}
# Names in the region's other languages (Kazakh, Kyrgyz, Uzbek, Tajik, Turkish), matched like the above.
REGION_ALIASES: dict[str, str] = {
    "SCO": "ШЫҰ|ШКУ|SHHT|ШҲТ|ШҲТ|СҲШ|ŞİÖ|Шанхай ынтымақтастық ұйымы|Шанхай кызматташтык уюму|"
    "Shanxay hamkorlik tashkiloti|Созмони ҳамкории Шанхай",
    "CIS": "ТМД|МДҲ|MDH|ТМШ",
    "WHO": "ДДСҰ|ДСУ|JSST|ЖССТ|ССТ|ТУТ|DSÖ|Бутунжаҳон соғлиқни сақлаш ташкилоти",
    "UN": "БҰҰ|БУУ|BMT|БМТ|СММ",
    "CSTO": "ҰҚШҰ|ЖКМУ|KXShT|СААД",
    "Emergencies Ministry": "ТЖМ|ӨКМ|FVV|ФВВ|КҲФ|Төтенше жағдайлар министрлігі|Өзгөчө кырдаалдар министрлиги|"
    "Favqulodda vaziyatlar vazirligi|Кумитаи ҳолатҳои фавқулодда",
    "Health Ministry": "Денсаулық сақтау министрлігі|Саламаттык сактоо министрлиги|Sog'liqni saqlash vazirligi|"
    "Вазорати тандурустӣ",
}
# Chinese names, found as substrings (no spaces between words).
ZH_ORGS: dict[str, str] = {
    "上合组织": "SCO", "上海合作组织": "SCO", "世界卫生组织": "WHO", "世卫组织": "WHO", "联合国": "UN",
    "独联体": "CIS", "集安组织": "CSTO", "亚信": "CICA", "欧盟": "EU", "红十字": "Red Cross",
    "应急管理部": "Emergencies Ministry", "卫生部": "Health Ministry", "卫健委": "Health Ministry",
    "国际原子能机构": "IAEA", "金砖": "BRICS", "东盟": "ASEAN", "世界银行": "World Bank", "亚洲开发银行": "ADB",
}  # fmt: skip


class OrgFinder:
    def __init__(self) -> None:
        pats: list[str] = []
        labels: list[str] = []
        cases: list[bool] = []
        for label, spec in [*ORGS.items(), *REGION_ALIASES.items()]:
            for alias in spec.split("|"):
                lower = alias.startswith("~")
                pats.append(alias[1:] if lower else alias)
                labels.append(label)
                cases.append(not lower)
        self._labels = labels
        self._matcher = PhraseMatcher(pats, case_sensitive=cases)

    def find(self, tokens: Sequence[Token]) -> list[str]:
        hits = sorted(self._matcher.find(tokens), key=lambda h: (h.start, -(h.end - h.start)))
        seen: dict[str, None] = {}
        covered_to = -1
        for h in hits:
            if h.start < covered_to:
                continue
            covered_to = h.end
            seen.setdefault(self._labels[h.pattern_id], None)
        for tok in tokens:
            if any("\u4e00" <= ch <= "\u9fff" for ch in tok.text[:1]):
                for name, label in sorted(ZH_ORGS.items(), key=lambda kv: max(0, tok.text.find(kv[0]))):
                    if name in tok.text:
                        seen.setdefault(label, None)
        return list(seen)


@lru_cache(maxsize=1)
def org_finder() -> OrgFinder:
    return OrgFinder()
