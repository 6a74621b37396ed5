"""Per-topic logistic regression over sentence embeddings, its saved weights, and fusion with the rules."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.config import AnalysisError

NEGATIVE_PENALTY = 0.12  # fused score lost per unit of negative keyword weight


class ClassifierError(AnalysisError):
    """Trained weights missing, unreadable, or made for another embedder."""


@dataclass(frozen=True)
class Example:
    text: str
    lang: str
    topics: tuple[str, ...]


def load_examples(path: Path) -> list[Example]:
    """The labelled corpus: JSON lines {text, lang, topics}; a bad line is an error naming its number."""
    out: list[Example] = []
    for no, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            text, topics = raw["text"], raw["topics"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ClassifierError(f"{path}:{no}: expected a JSON object with text and topics ({exc})") from exc
        if not isinstance(text, str) or not isinstance(topics, list):
            raise ClassifierError(f"{path}:{no}: text must be a string and topics a list")
        out.append(Example(text, str(raw.get("lang", "")), tuple(topics)))
    return out


@dataclass(frozen=True)
class TrainedModel:
    embedder: str
    topic_ids: tuple[str, ...]
    weights: np.ndarray  # (topics, dim)
    bias: np.ndarray  # (topics,)
    example_vectors: np.ndarray  # (examples, dim) float16, for the nearest-example evidence
    example_texts: tuple[str, ...]
    example_labels: np.ndarray  # (examples, topics) bool

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        logits = vectors @ self.weights.T + self.bias
        return 1.0 / (1.0 + np.exp(-logits))

    def nearest(self, vector: np.ndarray, topic_index: int) -> tuple[str, float] | None:
        mask = self.example_labels[:, topic_index]
        if not mask.any():
            return None
        sims = self.example_vectors[mask].astype(np.float32) @ vector
        best = int(np.argmax(sims))
        texts = [t for t, m in zip(self.example_texts, mask, strict=True) if m]
        return texts[best], float(sims[best])

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            np.savez_compressed(
                fh,
                embedder=np.array(self.embedder),
                topic_ids=np.array(self.topic_ids),
                weights=self.weights.astype(np.float32),
                bias=self.bias.astype(np.float32),
                example_vectors=self.example_vectors.astype(np.float16),
                example_texts=np.array(self.example_texts),
                example_labels=self.example_labels,
            )

    @classmethod
    def load(cls, path: Path) -> TrainedModel:
        try:
            with np.load(path, allow_pickle=False) as z:
                return cls(
                    embedder=str(z["embedder"]),
                    topic_ids=tuple(str(t) for t in z["topic_ids"]),
                    weights=z["weights"].astype(np.float32),
                    bias=z["bias"].astype(np.float32),
                    example_vectors=z["example_vectors"],
                    example_texts=tuple(str(t) for t in z["example_texts"]),
                    example_labels=z["example_labels"].astype(bool),
                )
        except (OSError, KeyError, ValueError) as exc:
            raise ClassifierError(
                f"cannot read classifier weights {path}: {exc}; run `python -m bot topics retrain`"
            ) from exc


def fuse(p_embed: float | None, p_rules: float, negative: float, rule_weight: float) -> float:
    """Convex mix of the embedding and keyword probabilities, minus a penalty for negative terms."""
    base = p_rules if p_embed is None else (1.0 - rule_weight) * p_embed + rule_weight * p_rules
    return float(min(1.0, max(0.0, base - NEGATIVE_PENALTY * negative)))


def train_model(
    embedder_name: str,
    topic_ids: Sequence[str],
    vectors: np.ndarray,
    examples: Sequence[Example],
    c: float = 4.0,
) -> TrainedModel:
    """One balanced logistic regression per topic (multi-label: each topic against everything else)."""
    from sklearn.linear_model import LogisticRegression  # training only; annotation never imports sklearn

    labels = np.array([[t in ex.topics for t in topic_ids] for ex in examples], dtype=bool)
    weights = np.zeros((len(topic_ids), vectors.shape[1]), dtype=np.float32)
    bias = np.zeros(len(topic_ids), dtype=np.float32)
    for i, tid in enumerate(topic_ids):
        y = labels[:, i]
        if y.all() or not y.any():
            raise ClassifierError(f"topic {tid!r} needs both positive and negative examples to train")
        lr = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        lr.fit(vectors, y)
        weights[i] = lr.coef_[0]
        bias[i] = lr.intercept_[0]
    return TrainedModel(
        embedder=embedder_name,
        topic_ids=tuple(topic_ids),
        weights=weights,
        bias=bias,
        example_vectors=vectors.astype(np.float16),
        example_texts=tuple(ex.text[:200] for ex in examples),
        example_labels=labels,
    )
