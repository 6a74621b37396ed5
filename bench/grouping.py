"""Story-grouping benchmark: same-story recall and false-merge rate on labelled story pairs, per kind.

Runs the real annotator (embeddings, countries, events) on both sides of each pair of
bench/data/story_pairs.jsonl and compares today's rules (content hash, title key, simhash within d bits
across feeds) with the meaning rule of ingest/grouping.py, on the tuning and the held-out pairs apart.
The meaning rule is judged as the store applies it: the later side must find the earlier one's story through
the index (its country's keys) before the rule is asked. ``--sweep`` prints the threshold curve on the tuning
pairs (held-out pairs never choose a threshold), and the simhash distances that retired the simhash.
``--lsh`` prints how often a same-story pair shares an index key (the look-up's recall).

    .venv/bin/python bench/grouping.py [--threshold 0.9] [--sweep] [--lsh]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import AnalysisSettings, Annotator, ItemText, load_topics_file  # noqa: E402
from feeds.fingerprint import content_hash, hamming, simhash  # noqa: E402
from ingest.grouping import GroupingRule, StoryFacts, index_keys, rule_at, same_story, story_facts  # noqa: E402
from model.items import title_key  # noqa: E402

PAIRS = Path(__file__).parent / "data" / "story_pairs.jsonl"


def load_pairs(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


NEAR_WINDOW = timedelta(days=7)  # dedupe.near_duplicate_window's default


def _when(side: dict) -> datetime:
    return datetime.fromisoformat(side["published"].replace("Z", "+00:00"))


def today_rule(a: dict, b: dict, max_distance: int) -> bool:
    """ingest.dedupe across two feeds: content hash at any time; title key or simhash within ``max_distance``
    bits inside the near-duplicate window."""
    if content_hash(a["title"], a["summary"]) == content_hash(b["title"], b["summary"]):
        return True
    if abs(_when(a) - _when(b)) > NEAR_WINDOW:
        return False
    key = title_key(a["title"])
    if key is not None and key == title_key(b["title"]):
        return True
    distance = hamming(simhash(f"{a['title']}\n{a['summary']}"), simhash(f"{b['title']}\n{b['summary']}"))
    return max_distance > 0 and distance <= max_distance


def annotate_sides(annotator: Annotator, pairs: list[dict]) -> list[tuple[StoryFacts, StoryFacts]]:
    sides = [side for pair in pairs for side in (pair["a"], pair["b"])]
    items = [
        ItemText(s["title"], s["summary"], s["lang"], datetime.fromisoformat(s["published"].replace("Z", "+00:00")))
        for s in sides
    ]
    annotations = annotator.annotate_many(items)
    facts = []
    for item, annotation in zip(items, annotations, strict=True):
        fact = story_facts(item.title, item.summary, annotation, item.published)
        if fact is None:
            raise SystemExit("the annotator carried no embedding: analysis.embedder must not be 'none'")
        facts.append(fact)
    return [(facts[i], facts[i + 1]) for i in range(0, len(facts), 2)]


def found_by_index(a: StoryFacts, b: StoryFacts) -> bool:
    """Whether the later side, probing its keys, finds the earlier one's story in the index."""
    _, filed = index_keys(a)
    probe, _ = index_keys(b)
    return bool(set(filed) & set(probe))


def grouped(a: StoryFacts, b: StoryFacts, rule: GroupingRule) -> bool:
    """The store's decision for two reports of two feeds: the index must find the story, then the rule."""
    return found_by_index(a, b) and same_story(a, b, rule)


def report(title: str, pairs: list[dict], decisions: list[bool]) -> None:
    """Per kind: same-story recall (same pairs merged) or false-merge rate (different pairs merged)."""
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for pair, merged in zip(pairs, decisions, strict=True):
        by_kind[pair["kind"]].append(merged)
    same = [m for p, m in zip(pairs, decisions, strict=True) if p["same"]]
    cross = [m for p, m in zip(pairs, decisions, strict=True) if p["same"] and p["a"]["lang"] != p["b"]["lang"]]
    diff = [m for p, m in zip(pairs, decisions, strict=True) if not p["same"]]
    print(f"  {title}")
    for kind in sorted(by_kind, key=lambda k: (not next(p["same"] for p in pairs if p["kind"] == k), k)):
        merged = by_kind[kind]
        is_same = next(p["same"] for p in pairs if p["kind"] == kind)
        label = "recall" if is_same else "false merges"
        print(f"    {kind:18} n={len(merged):3}  {label:12} {sum(merged) / len(merged):.3f}")
    print(
        f"    {'ALL':18} recall {_rate(same):.3f} (n={len(same)}), cross-lingual {_rate(cross):.3f} "
        f"(n={len(cross)}), false merges {_rate(diff):.3f} (n={len(diff)})"
    )


def _rate(values: list[bool]) -> float:
    return sum(values) / len(values) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--threshold", type=float, default=GroupingRule().threshold)
    parser.add_argument("--window-days", type=float, default=3.0)
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--lsh", action="store_true")
    args = parser.parse_args()

    pairs = load_pairs(args.pairs)
    annotator = Annotator.load(load_topics_file(), AnalysisSettings())
    facts = annotate_sides(annotator, pairs)
    rule = rule_at(args.threshold, timedelta(days=args.window_days))
    splits = {p.get("split", "tuning") for p in pairs}
    for split in [s for s in ("tuning", "heldout") if s in splits] + sorted(splits - {"tuning", "heldout"}):
        chosen = [n for n, p in enumerate(pairs) if p.get("split", "tuning") == split]
        subset = [pairs[n] for n in chosen]
        print(f"== {split}: {len(subset)} pairs")
        report("today: hash, title key, simhash <= 3 bits", subset, [today_rule(p["a"], p["b"], 3) for p in subset])
        report(
            f"new: exact rules, then index look-up and cosine >= {rule.threshold} with facts",
            subset,
            [today_rule(pairs[n]["a"], pairs[n]["b"], 0) or grouped(*facts[n], rule) for n in chosen],
        )
    if args.sweep:
        tuning = [n for n, p in enumerate(pairs) if p.get("split", "tuning") == "tuning"]
        print("== threshold sweep on tuning pairs (recall / cross-lingual / false merges)")
        for threshold, unplaced in [(t, t + d) for t in np.arange(0.20, 0.60, 0.025) for d in (0.0, 0.05, 0.1)]:
            swept = replace(rule_at(float(threshold), rule.window), unplaced_threshold=float(unplaced))
            dec = {n: grouped(*facts[n], swept) for n in tuning}
            same = [dec[n] for n in tuning if pairs[n]["same"]]
            cross = [dec[n] for n in tuning if pairs[n]["same"] and pairs[n]["a"]["lang"] != pairs[n]["b"]["lang"]]
            diff = [dec[n] for n in tuning if not pairs[n]["same"]]
            print(f"  {threshold:.2f} {unplaced:.2f}  {_rate(same):.3f}  {_rate(cross):.3f}  {_rate(diff):.3f}")
        cos_same = [float(np.dot(a.vector, b.vector)) for (a, b), p in zip(facts, pairs, strict=True) if p["same"]]
        cos_diff = [float(np.dot(a.vector, b.vector)) for (a, b), p in zip(facts, pairs, strict=True) if not p["same"]]
        print(f"  cosine same: min {min(cos_same):.3f} median {np.median(cos_same):.3f}")
        print(f"  cosine different: median {np.median(cos_diff):.3f} max {max(cos_diff):.3f}")
        distances = [
            hamming(
                simhash(f"{p['a']['title']}\n{p['a']['summary']}"), simhash(f"{p['b']['title']}\n{p['b']['summary']}")
            )
            for p in pairs
            if p["same"]
        ]
        print(f"  simhash bits between same-story sides: min {min(distances)} median {np.median(distances):.0f}")
        for d in (3, 6, 10, 16):
            print(f"    within {d:2} bits: {sum(x <= d for x in distances)} of {len(distances)}")
    if args.lsh:
        same_facts = [f for f, p in zip(facts, pairs, strict=True) if p["same"] and same_story(*f, rule)]
        shared = sum(found_by_index(a, b) for a, b in same_facts)
        print(f"== index look-up: {shared} of {len(same_facts)} same-story pairs the rule accepts share a key")
        different = [f for f, p in zip(facts, pairs, strict=True) if not p["same"]]
        probed = sum(found_by_index(a, b) for a, b in different)
        print(f"   and {probed} of {len(different)} different-story pairs (candidates the facts then refuse)")


if __name__ == "__main__":
    main()
