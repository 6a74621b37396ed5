"""Label-completeness audit of the training corpus: rows whose text strongly suggests a topic they lack.

Usage: .venv/bin/python bench/label_audit.py [--topic disaster_risk] [--all]
Prints file:line, the current topics, the suspected missing ones and the text. It only lists candidates: each
is read and decided by a person (TAXONOMY.md), never relabelled from the keywords. Off-topic rows (hard
negatives) are skipped unless --all. Files named devset_* are never read.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "analysis" / "data" / "corpus"

# Stems, lower-case; a match anywhere in title + summary flags the topic as a candidate.
CUES: dict[str, tuple[str, ...]] = {
    "disaster_risk": (
        "earthquake",
        "seismic",
        "flood",
        "mudflow",
        "landslide",
        "avalanche",
        "drought",
        "early warning",
        "землетрясен",
        "сейсм",
        "паводк",
        "паводок",
        "наводнен",
        "сель",
        "оползн",
        "лавин",
        "засух",
        "раннего предупреждения",
        "жер сілкін",
        "су тасқын",
        "көшкін",
        "жер титир",
        "суу ташкын",
        "көчкү",
        "zilzila",
        "zilzil",
        "suv toshqin",
        "toshqin",
        "ko'chki",
        "ер силкин",
        "заминҷунб",
        "обхез",
        "ярч",
        "地震",
        "洪水",
        "泥石流",
        "滑坡",
        "干旱",
        "雪崩",
        "防灾",
        "减灾",
        "预警",
    ),
    "emergency_response": (
        "rescue",
        "relief",
        "humanitarian aid",
        "evacuat",
        "спасат",
        "гуманитарн",
        "эвакуац",
        "аварийно-спас",
        "құтқар",
        "куткар",
        "qutqar",
        "гуманитар",
        "наҷот",
        "救援",
        "救灾",
        "人道主义",
    ),
    "capacity_building": (
        "training",
        "exercise",
        "drill",
        "workshop",
        "seminar",
        "course",
        "webinar",
        "exchange of experience",
        "учени",
        "тренинг",
        "семинар",
        "курс",
        "обучен",
        "обмен опыт",
        "мастер-класс",
        "вебинар",
        "оқу-жаттығу",
        "жаттығу",
        "машыгуу",
        "окуу",
        "mashg'ulot",
        "mashq",
        "o'quv",
        "trening",
        "омӯзиш",
        "машқ",
        "演练",
        "演习",
        "培训",
        "研讨",
    ),
    "cooperation_frameworks": (
        "agreement",
        "memorandum",
        "mou",
        "action plan",
        "ministerial",
        "meeting of",
        "session",
        "commission",
        "council",
        "summit",
        "programme",
        "program",
        "funding",
        "grant",
        "protocol",
        "roadmap",
        "соглашени",
        "меморандум",
        "план действий",
        "совещани",
        "заседани",
        "комисси",
        "совет",
        "саммит",
        "программ",
        "финансир",
        "грант",
        "протокол",
        "дорожн",
        "келісім",
        "отырыс",
        "келишим",
        "жыйын",
        "kelishuv",
        "memorandum",
        "yig'ilish",
        "bitim",
        "созишнома",
        "ёддошт",
        "ҷаласа",
        "协议",
        "备忘录",
        "会议",
        "合作机制",
        "行动计划",
        "协定",
    ),
    "cbrn_biosafety": (
        "biosafety",
        "biosecurity",
        "laborator",
        "pathogen",
        "chemical",
        "radiolog",
        "radiation",
        "nuclear",
        "cbrn",
        "биобезопас",
        "лаборатор",
        "патоген",
        "химическ",
        "радиац",
        "радиолог",
        "ядерн",
        "хбря",
        "生物安全",
        "实验室",
        "核",
        "化学",
        "辐射",
    ),
    "public_health": (
        "epidemic",
        "pandemic",
        "vaccin",
        "covid",
        "outbreak",
        "medical",
        "health",
        "эпидем",
        "пандем",
        "вакцин",
        "медицин",
        "здравоохр",
        "санитарн",
        "疫情",
        "疫苗",
        "卫生",
        "医疗",
    ),
}


def _match(text: str, stem: str) -> bool:
    if re.fullmatch(r"[a-z' ]+", stem) and len(stem) <= 4:
        return re.search(rf"\b{re.escape(stem)}\b", text) is not None
    return stem in text


def candidates(row: dict) -> list[tuple[str, list[str]]]:
    text = f"{row.get('title', '')} {row.get('summary', '') or row.get('text', '')}".lower()
    out = []
    for topic, stems in CUES.items():
        if topic in row["topics"]:
            continue
        hits = [s for s in stems if _match(text, s)]
        if hits:
            out.append((topic, hits[:4]))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--topic", choices=sorted(CUES))
    ap.add_argument("--all", action="store_true", help="off-topic rows too")
    args = ap.parse_args()
    total = 0
    for file in sorted(CORPUS.glob("*.jsonl")):
        if file.name.startswith("devset"):
            continue
        for no, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if not row["topics"] and not args.all:
                continue
            found = [(t, h) for t, h in candidates(row) if not args.topic or t == args.topic]
            if not found:
                continue
            total += 1
            text = row.get("text") or f"{row['title']} || {row.get('summary', '')}"
            miss = "; ".join(f"{t}({','.join(h)})" for t, h in found)
            print(f"{file.name}:{no} [{','.join(row['topics'])}] +? {miss}\n    {text[:400]}")
    print(f"{total} rows flagged")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
