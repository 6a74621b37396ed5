"""Annotation speed on one core: items/s (one by one, as the CLI streams, and batched, as ingest does),
peak RSS and cold start, for the fused classifier and, as the in-run baseline, rules only.

Usage: .venv/bin/python bench/annotate_speed.py [--repeat 3]
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
    from quality import load_devset, to_item

    annotator = Annotator.load(load_topics_file(), AnalysisSettings(embedder=embedder, threads=1))
    annotator.annotate(to_item({"title": "warm", "summary": "up", "lang": "en", "published": None}))
    cold = time.perf_counter() - t0
    items = [to_item(r) for r in load_devset(ROOT / "tests" / "data" / "devset.jsonl")] * repeat
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
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child")
    ap.add_argument("--embedders", default="use,none")
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
