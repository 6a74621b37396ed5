"""Retraining with what people taught: the shipped corpus plus new examples, cross-validated before and after.

Pure: examples in, figures and a weights file out. The figures are those of the embedding heads (one logistic
regression per topic over the multilingual embeddings), out of fold, at a 0.5 cut; "before" is the shipped
corpus alone, "after" the corpus with the new examples. A model worse by more than ``max_drop`` macro-F1 is
refused (nothing written) unless ``force``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.annotator import embed_text
from analysis.classifier import EMBED_C, FOLDS, ClassifierError, Example, TrainedModel, out_of_fold, train_model
from analysis.config import AnalysisSettings, Topic
from analysis.embedders import Embedder, make_embedder
from analysis.rules import rule_matrix

MAX_DROP = 0.02  # macro-F1 a retrain may lose before it is refused


@dataclass(frozen=True)
class Figures:
    """Cross-validated F1 per topic (topic order) and their mean."""

    examples: int
    f1: dict[str, float]

    @property
    def macro_f1(self) -> float:
        return float(np.mean(list(self.f1.values()))) if self.f1 else 0.0


@dataclass(frozen=True)
class RetrainOutcome:
    before: Figures
    after: Figures
    added: int  # new examples taken in
    accepted: bool  # False: refused, the old weights stay
    forced: bool
    out_path: Path
    embedder: str

    @property
    def change(self) -> float:
        return self.after.macro_f1 - self.before.macro_f1


def check_topics(topics: Sequence[Topic], examples: Sequence[Example], source: str) -> None:
    ids = {t.id for t in topics}
    for n, ex in enumerate(examples, 1):
        unknown = [t for t in ex.topics if t not in ids]
        if unknown:
            raise ClassifierError(f"{source}: example {n} names unknown topic {unknown[0]!r}")


def embed_examples(embedder: Embedder, examples: Sequence[Example], embed_chars: int) -> np.ndarray:
    return np.vstack(
        [
            embedder.embed([embed_text("", ex.text, embed_chars) for ex in examples[i : i + 64]])
            for i in range(0, len(examples), 64)
        ]
    )


def cross_validate(
    vectors: np.ndarray, examples: Sequence[Example], topic_ids: Sequence[str], folds: int = FOLDS
) -> Figures:
    """Out-of-fold F1 of the embedding head of each topic."""
    labels = np.array([[t in ex.topics for t in topic_ids] for ex in examples], dtype=bool)
    predicted = out_of_fold(vectors, labels, EMBED_C, folds) >= 0.5
    f1 = {}
    for j, tid in enumerate(topic_ids):
        tp = int((predicted[:, j] & labels[:, j]).sum())
        wrong = int((predicted[:, j] != labels[:, j]).sum())
        f1[tid] = 2 * tp / (2 * tp + wrong) if tp + wrong else 0.0
    return Figures(len(examples), f1)


def fit_model(
    topics: Sequence[Topic], embedder_name: str, vectors: np.ndarray, examples: Sequence[Example]
) -> TrainedModel:
    rule_probs, rule_negs = rule_matrix(topics, [ex.text for ex in examples])
    return train_model(
        embedder_name,
        [t.id for t in topics],
        vectors,
        examples,
        rule_probs=np.array(rule_probs),
        rule_negatives=np.array(rule_negs),
    )


def save_model(model: TrainedModel, out_path: Path) -> None:
    """Write the weights atomically: a reader sees the old file or the new one, never half of one."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out_path.parent, suffix=".npz.tmp")
    os.close(fd)
    try:
        model.save(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only
        os.replace(tmp, out_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def retrain_with(
    topics: Sequence[Topic],
    settings: AnalysisSettings,
    corpus: Sequence[Example],
    added: Sequence[Example],
    out_path: Path,
    *,
    force: bool = False,
    folds: int = FOLDS,
    max_drop: float = MAX_DROP,
) -> RetrainOutcome:
    """Figures of ``corpus`` and of ``corpus + added``; the model of the latter written to ``out_path`` unless
    it is worse by more than ``max_drop`` macro-F1 and not ``force``d."""
    check_topics(topics, added, "new examples")
    embedder = make_embedder(settings)
    if embedder is None:
        raise ClassifierError("retrain needs an embedder; analysis.embedder is 'none' (rules only)")
    examples = [*corpus, *added]
    vectors = embed_examples(embedder, examples, settings.embed_chars)
    ids = [t.id for t in topics]
    before = cross_validate(vectors[: len(corpus)], corpus, ids, folds)
    after = cross_validate(vectors, examples, ids, folds) if added else before
    accepted = force or before.macro_f1 - after.macro_f1 <= max_drop
    if accepted:
        save_model(fit_model(topics, embedder.name, vectors, examples), out_path)
    return RetrainOutcome(before, after, len(added), accepted, force, Path(out_path), embedder.name)
