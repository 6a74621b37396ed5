"""Quality on the labelled dev set: the fused classifier against a keyword-only baseline.

Usage: .venv/bin/python bench/quality.py [--devset tests/data/devset.jsonl] [--embedder use]
Prints per-topic P/R/F1, micro and macro F1, off-topic false-alert rate, English and Russian
separately, country and event-date accuracy.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import AnalysisSettings, Annotation, Annotator, ItemText, load_topics_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def load_devset(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def to_item(row: dict) -> ItemText:
    pub = datetime.fromisoformat(row["published"]) if row.get("published") else None
    return ItemText(row["title"], row["summary"], row.get("lang"), pub)


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def topic_metrics(rows: list[dict], preds: list[Annotation], topic_ids: list[str]) -> dict:
    per: dict[str, tuple[float, float, float, int]] = {}
    tp_all = fp_all = fn_all = 0
    for tid in topic_ids:
        tp = fp = fn = 0
        for row, ann in zip(rows, preds, strict=True):
            gold, got = tid in row["topics"], tid in ann.topics
            tp += gold and got
            fp += got and not gold
            fn += gold and not got
        per[tid] = (*prf(tp, fp, fn), tp + fn)
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
    off = [(row, ann) for row, ann in zip(rows, preds, strict=True) if not row["topics"]]
    false_alerts = sum(bool(ann.topics) for _, ann in off)
    return {
        "per_topic": per,
        "micro_f1": prf(tp_all, fp_all, fn_all)[2],
        "macro_f1": sum(v[2] for v in per.values()) / len(per),
        "off_topic": len(off),
        "false_alert_rate": false_alerts / len(off) if off else 0.0,
    }


def print_block(name: str, m: dict) -> None:
    print(f"\n== {name}")
    print(f"{'topic':<24}{'P':>7}{'R':>7}{'F1':>7}{'n':>5}")
    for tid, (p, r, f, n) in m["per_topic"].items():
        print(f"{tid:<24}{p:7.3f}{r:7.3f}{f:7.3f}{n:5d}")
    print(
        f"micro-F1 {m['micro_f1']:.3f}  macro-F1 {m['macro_f1']:.3f}  "
        f"off-topic false alerts {m['false_alert_rate'] * 100:.1f}% of {m['off_topic']}"
    )


def event_accuracy(rows: list[dict], preds: list[Annotation]) -> tuple[int, int, int, list[str]]:
    """Items whose gold event states a date: (kind+dates exact, location exact, total, misses)."""
    ok = loc_ok = total = 0
    misses = []
    for row, ann in zip(rows, preds, strict=True):
        gold = [e for e in row["events"] if e.get("start")]
        if not gold:
            continue
        total += 1
        g = gold[0]
        got = ann.events[0].to_json() if ann.events else None
        if got and (got["kind"], got["start"], got["end"]) == (g["kind"], g["start"], g["end"]):
            ok += 1
        else:
            misses.append(f"{row['id']}: gold {g['kind']} {g['start']}..{g['end']} got {got}")
        loc_ok += bool(got) and got["location"] == g.get("location")
    return ok, loc_ok, total, misses


def country_accuracy(rows: list[dict], preds: list[Annotation]) -> tuple[float, float]:
    tp = fp = fn = 0
    for row, ann in zip(rows, preds, strict=True):
        gold, got = set(row["countries"]), set(ann.countries)
        tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
    p, r, _ = prf(tp, fp, fn)
    return p, r


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devset", type=Path, default=ROOT / "tests" / "data" / "devset.jsonl")
    ap.add_argument("--embedder", default="use")
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args()

    rows = load_devset(args.devset)
    topics = load_topics_file()
    ids = [t.id for t in topics]
    items = [to_item(r) for r in rows]
    settings = AnalysisSettings(embedder=args.embedder)
    runs = {
        f"fused ({args.embedder} + rules)": Annotator.load(topics, settings).annotate_many(items),
        "keyword-only baseline": Annotator.load(topics, replace(settings, embedder="none")).annotate_many(items),
    }
    ru = sum(r["lang"] == "ru" for r in rows)
    print(
        f"dev set {args.devset.name}: {len(rows)} items, {ru} Russian, {sum(not r['topics'] for r in rows)} off-topic"
    )
    for name, preds in runs.items():
        print_block(f"{name}: all", topic_metrics(rows, preds, ids))
        for lang in ("en", "ru"):
            idx = [i for i, r in enumerate(rows) if r["lang"] == lang]
            print_block(f"{name}: {lang}", topic_metrics([rows[i] for i in idx], [preds[i] for i in idx], ids))
        if args.show_errors:
            for row, ann in zip(rows, preds, strict=True):
                if set(row["topics"]) != set(ann.topics):
                    print(f"  {row['id']} gold={row['topics']} got={ann.topics} {row['title'][:70]}")
    preds = next(iter(runs.values()))
    ok, loc_ok, total, misses = event_accuracy(rows, preds)
    print(
        f"\nevents: kind+start+end exact {ok}/{total} = {ok / max(total, 1) * 100:.1f}%; "
        f"location exact {loc_ok}/{total}"
    )
    for m in misses:
        print("  miss", m)
    p, r = country_accuracy(rows, preds)
    print(f"countries: precision {p:.3f} recall {r:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
