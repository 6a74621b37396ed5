from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis import AnalysisSettings, Annotator, ClassifierError
from analysis.classifier import load_examples
from analysis.cli import run_retrain
from analysis.config import DEFAULT_EXAMPLES_PATH

ROOT = Path(__file__).resolve().parents[2]
DEVSET = ROOT / "tests" / "data" / "devset.jsonl"


@pytest.mark.slow(25)
def test_retrain_writes_weights_that_load(topics, tmp_path):
    examples = tmp_path / "examples.jsonl"
    lines = (DEFAULT_EXAMPLES_PATH / "old_examples.jsonl").read_text(encoding="utf-8").splitlines()
    extra = {
        "text": "Экстренная доставка донорской крови вертолетом в горный район",
        "lang": "ru",
        "topics": ["public_health", "emergency_response"],
    }
    examples.write_text("\n".join([*lines, json.dumps(extra, ensure_ascii=False)]) + "\n", encoding="utf-8")
    out = tmp_path / "weights.npz"
    report = run_retrain(topics, AnalysisSettings(), examples, out)
    assert report.examples == len(lines) + 1 and out.exists()
    ann = Annotator.load(topics, AnalysisSettings(classifier_path=str(out))).annotate(
        __import__("analysis").ItemText("Rescue teams evacuate flood victims", "")
    )
    assert "emergency_response" in ann.topics


def test_retrain_refuses_unknown_topics_and_bad_lines(topics, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "topics": ["sports"]}\n', encoding="utf-8")
    with pytest.raises(ClassifierError, match="unknown topic 'sports'"):
        run_retrain(topics, AnalysisSettings(), bad, tmp_path / "w.npz")
    bad.write_text("not json\n", encoding="utf-8")
    with pytest.raises(ClassifierError, match=r"bad.jsonl:1"):
        run_retrain(topics, AnalysisSettings(), bad, tmp_path / "w.npz")
    with pytest.raises(ClassifierError, match="needs an embedder"):
        run_retrain(topics, AnalysisSettings(embedder="none"), DEFAULT_EXAMPLES_PATH, tmp_path / "w.npz")


def test_devset_shape():
    rows = [json.loads(line) for line in DEVSET.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 200
    assert sum(r["lang"] == "ru" for r in rows) >= 0.3 * len(rows)
    assert sum(not r["topics"] for r in rows) >= 60
    assert sum(bool(r["events"]) for r in rows) >= 40
    for tid in (
        "emergency_response",
        "public_health",
        "disaster_risk",
        "cbrn_biosafety",
        "capacity_building",
        "cooperation_frameworks",
    ):
        assert sum(tid in r["topics"] for r in rows) >= 25, tid
    examples = {ex.text for ex in load_examples(DEFAULT_EXAMPLES_PATH)}
    assert not examples & {r["summary"] for r in rows}  # training corpus and dev set are distinct


@pytest.mark.slow(15)
def test_devset_quality_floor(annotator):
    """Regression floor, well under the figures bench/quality.py prints."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from quality import load_devset, to_item, topic_metrics

    rows = load_devset(DEVSET)
    preds = annotator.annotate_many([to_item(r) for r in rows])
    m = topic_metrics(rows, preds, [t.id for t in annotator.topics])
    assert m["macro_f1"] >= 0.78  # 0.81 measured with the 120-character embedding window the speed target allows
    assert m["false_alert_rate"] <= 0.05
