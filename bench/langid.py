"""Language identification on short titles: script count (the old way), py3langid on all its languages, and
py3langid restricted to the region's languages (what analysis.text.detect_language uses).

Usage: .venv/bin/python bench/langid.py [--corpus analysis/data/corpus]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from py3langid.langid import MODEL_FILE, LanguageIdentifier  # noqa: E402

from analysis.text import _CYR, _LAT, REGION_LANGUAGES  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def script_count(text: str) -> str:
    return "ru" if len(_CYR.findall(text)) >= len(_LAT.findall(text)) else "en"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=ROOT / "analysis" / "data" / "corpus")
    args = ap.parse_args()
    rows = [
        json.loads(line)
        for f in sorted(args.corpus.glob("*.jsonl"))
        for line in f.read_text(encoding="utf-8").splitlines()
        if line.strip() and '"title"' in line
    ]
    full = LanguageIdentifier.from_model_file(MODEL_FILE)
    region = LanguageIdentifier.from_model_file(MODEL_FILE)
    region.set_languages(list(REGION_LANGUAGES))
    systems = {
        "script count": script_count,
        "py3langid (all)": lambda t: full.classify(t)[0],
        "py3langid (region)": lambda t: region.classify(t)[0],
    }
    print(f"{len(rows)} titles")
    for name, fn in systems.items():
        ok, n = Counter(), Counter()
        for r in rows:
            gold = r["lang"][:2]
            n[gold] += 1
            ok[gold] += fn(r["title"]) == gold
        per = " ".join(f"{k}:{ok[k]}/{n[k]}" for k in sorted(n))
        print(f"{name:<20} {sum(ok.values()) / len(rows):.3f}  {per}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
