"""The mean embedding that story grouping subtracts before its cosine and its band keys (ingest/data/).

The embedder puts all news of one domain in a narrow cone (unrelated items at cosine about 0.9), so the raw
cosine says little and every band key is crowded. Subtracting the corpus mean leaves what tells stories apart.
The items are the classifier's training corpus (analysis/data/corpus/*.jsonl, every file): never the dev
sets in bench/data/devset_*, which judge the classifier, nor the story pairs, which judge grouping.

    .venv/bin/python bench/story_mean.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import AnalysisSettings, Annotator, ItemText, load_topics_file  # noqa: E402
from ingest.grouping import MEAN_PATH, decode_vector  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "analysis" / "data" / "corpus"


def corpus() -> list[ItemText]:
    """Every training row; a row with ``text`` and no title (older examples) is embedded as its text."""
    items = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                title = row.get("title") or row.get("text", "")
                summary = row.get("summary", "") if "title" in row else ""
                items.append(ItemText(title, summary, row.get("lang")))
    return items


def main() -> None:
    settings = AnalysisSettings()
    annotator = Annotator.load(load_topics_file(), settings)
    items = corpus()
    vectors = np.stack([decode_vector(a.embedding) for a in annotator.annotate_many(items) if a.embedding])
    mean = vectors.mean(axis=0).astype(np.float32)
    MEAN_PATH.parent.mkdir(parents=True, exist_ok=True)
    np.savez(
        MEAN_PATH,
        mean=mean,
        embedder=np.array(settings.embedder),
        items=np.array(len(vectors)),
        source=np.array("analysis/data/corpus"),
    )
    print(f"{MEAN_PATH}: mean of {len(vectors)} items, {mean.shape[0]} dimensions, norm {np.linalg.norm(mean):.3f}")


if __name__ == "__main__":
    main()
