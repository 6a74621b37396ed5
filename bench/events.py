"""Events exactly right (kind + start + end) on the hand-labelled cases in tests/analysis/event_cases.jsonl.

Usage: .venv/bin/python bench/events.py [--against REV] [--misses]
With --against, the same cases also run on the analysis code of git revision REV (exported to a temporary
directory), so a before/after pair comes from one run. Cases whose expected kind is null name no event of
interest ('press conference'); they count as right when no event is found.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from datetime import datetime
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "analysis" / "event_cases.jsonl"


def predict(rows: list[dict]) -> list[tuple[str | None, str | None, str | None]]:
    from analysis.events import find_events
    from analysis.text import clean_text, tokenize

    out = []
    for r in rows:
        title, body = clean_text(r["title"], 2000), clean_text(r["summary"], 4000)
        pub = datetime.fromisoformat(r["published"]).date() if r.get("published") else None
        evs = find_events(title, body, tokenize(title), tokenize(body), pub)
        if not evs:
            out.append((None, None, None))
            continue
        e = evs[0]
        out.append((e.kind, e.start.isoformat() if e.start else None, e.end.isoformat() if e.end else None))
    return out


def score(rows: list[dict], preds: list, label: str, misses: bool) -> None:
    dated = ok = neg = neg_ok = 0
    by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong = []
    for r, p in zip(rows, preds, strict=True):
        g = r["expected"]
        want = (g["kind"], g["start"], g["end"]) if g["kind"] else (None, None, None)
        if g["start"]:
            dated += 1
            by_lang[r["lang"]][1] += 1
            if p == want:
                ok += 1
                by_lang[r["lang"]][0] += 1
            else:
                wrong.append(f"  {r['id']} [{r['lang']}] want {want} got {p}: {r['title'][:70]}")
        elif not g["kind"]:
            neg += 1
            neg_ok += p[0] is None
    langs = "  ".join(f"{k} {a}/{n}" for k, (a, n) in sorted(by_lang.items()))
    rate = ok / max(dated, 1) * 100
    print(f"{label}: kind+start+end exact {ok}/{dated} = {rate:.1f}%  (no-event right {neg_ok}/{neg})")
    print(f"  by language: {langs}")
    if misses:
        print("\n".join(wrong))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--against", help="also score this git revision's analysis code")
    ap.add_argument("--misses", action="store_true")
    ap.add_argument("--batch", help="only the cases of this batch ('heldout': written after the rules were fixed)")
    ap.add_argument("--json-out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    rows = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.batch:
        rows = [r for r in rows if r.get("batch") == args.batch]
    if args.json_out:  # child mode: predictions only
        Path(args.json_out).write_text(json.dumps(predict(rows)), encoding="utf-8")
        return
    if args.against:
        with tempfile.TemporaryDirectory() as tmp:
            blob = subprocess.run(
                ["git", "-C", str(ROOT), "archive", args.against, "analysis", "model"],
                check=True,
                capture_output=True,
            ).stdout
            with tarfile.open(fileobj=BytesIO(blob)) as tar:
                tar.extractall(tmp, filter="data")
            out = Path(tmp) / "preds.json"
            subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--json-out", str(out)]
                + (["--batch", args.batch] if args.batch else []),
                check=True,
                cwd=tmp,
                env={"PYTHONPATH": tmp, "PATH": "/usr/bin:/bin"},
            )
            before = [tuple(p) for p in json.loads(out.read_text(encoding="utf-8"))]
        score(rows, before, f"{args.against}", args.misses)
    sys.path.insert(0, str(ROOT))
    score(rows, predict(rows), "working tree", args.misses)


if __name__ == "__main__":
    main()
