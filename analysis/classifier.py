"""Per-topic logistic regression over sentence embeddings, its saved weights, and fusion with the rules."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.config import AnalysisError

NEGATIVE_PENALTY = 0.12  # fused score lost per unit of negative keyword weight
RULE_LANGUAGES = ("en", "ru")  # languages the keyword rules are written in; only these mix rules into the score


class ClassifierError(AnalysisError):
    """Trained weights missing, unreadable, or made for another embedder."""


@dataclass(frozen=True)
class Example:
    text: str
    lang: str
    topics: tuple[str, ...]
    hard_negative: bool = False


def example_text(title: str, summary: str) -> str:
    """An example as the annotator sees an item at run time: the headline, then the lead."""
    title, summary = title.strip(), summary.strip()
    return f"{title}. {summary}" if title and summary else (title or summary)


def _example_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.glob("*.jsonl") if p.is_file())
    return [path]


def load_examples(path: Path) -> list[Example]:
    """The labelled corpus: a JSON-lines file or a folder of them.

    A row is {title, summary, lang, topics, hard_negative} (news-shaped) or {text, lang, topics} (older
    examples); a bad line is an error naming its file and number.
    """
    out: list[Example] = []
    for file in _example_files(Path(path)):
        for no, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                topics = raw["topics"]
                text = raw["text"] if "text" in raw else example_text(str(raw["title"]), str(raw.get("summary") or ""))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ClassifierError(
                    f"{file}:{no}: expected a JSON object with text (or title and summary) and topics ({exc})"
                ) from exc
            if not isinstance(text, str) or not text.strip() or not isinstance(topics, list):
                raise ClassifierError(f"{file}:{no}: text must be a non-empty string and topics a list")
            out.append(Example(text, str(raw.get("lang", "")), tuple(topics), bool(raw.get("hard_negative"))))
    if not out:
        raise ClassifierError(f"{path}: no labelled examples found")
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
    # Calibrated by cross-validation at retrain time (out-of-fold scores); see calibrate().
    thresholds: np.ndarray | None = None  # (topics,) score that sends the topic
    review_cuts: np.ndarray | None = None  # (topics,) score from which the topic is proposed for review
    # the same for items in languages without keyword rules, scored by the model alone
    other_thresholds: np.ndarray | None = None
    other_review_cuts: np.ndarray | None = None
    relevance_weights: np.ndarray | None = None  # (dim,) any-topic head
    relevance_bias: float = 0.0
    relevance_cut: float = 1.01  # any-topic score from which an item with no topic goes to review

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        logits = vectors @ self.weights.T + self.bias
        return 1.0 / (1.0 + np.exp(-logits))

    def relevance(self, vectors: np.ndarray) -> np.ndarray:
        """Any-topic relevance per row (0 when the weights predate the head)."""
        if self.relevance_weights is None:
            return np.zeros(len(vectors), dtype=np.float32)
        return 1.0 / (1.0 + np.exp(-(vectors @ self.relevance_weights + self.relevance_bias)))

    def threshold(self, index: int, default: float, ruled: bool = True) -> float:
        if not ruled and self.other_thresholds is not None:
            return float(self.other_thresholds[index])
        return default if self.thresholds is None else float(self.thresholds[index])

    def review_cut(self, index: int, default: float, ruled: bool = True) -> float:
        if not ruled and self.other_review_cuts is not None:
            return float(self.other_review_cuts[index])
        return default if self.review_cuts is None else float(self.review_cuts[index])

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
        n, dim = self.weights.shape
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
                thresholds=(self.thresholds if self.thresholds is not None else np.full(n, 0.5)).astype(np.float32),
                review_cuts=(self.review_cuts if self.review_cuts is not None else np.full(n, 0.5)).astype(np.float32),
                relevance_weights=(
                    self.relevance_weights if self.relevance_weights is not None else np.zeros(dim)
                ).astype(np.float32),
                relevance_bias=np.array(self.relevance_bias, dtype=np.float32),
                **(
                    {
                        "other_thresholds": self.other_thresholds.astype(np.float32),
                        "other_review_cuts": self.other_review_cuts.astype(np.float32),
                    }
                    if self.other_thresholds is not None and self.other_review_cuts is not None
                    else {}
                ),
                relevance_cut=np.array(self.relevance_cut if self.relevance_weights is not None else 1.01),
            )

    @classmethod
    def load(cls, path: Path) -> TrainedModel:
        try:
            with np.load(path, allow_pickle=False) as z:
                has = set(z.files)
                return cls(
                    embedder=str(z["embedder"]),
                    topic_ids=tuple(str(t) for t in z["topic_ids"]),
                    weights=z["weights"].astype(np.float32),
                    bias=z["bias"].astype(np.float32),
                    example_vectors=z["example_vectors"],
                    example_texts=tuple(str(t) for t in z["example_texts"]),
                    example_labels=z["example_labels"].astype(bool),
                    thresholds=z["thresholds"].astype(np.float32) if "thresholds" in has else None,
                    review_cuts=z["review_cuts"].astype(np.float32) if "review_cuts" in has else None,
                    relevance_weights=z["relevance_weights"].astype(np.float32) if "relevance_weights" in has else None,
                    relevance_bias=float(z["relevance_bias"]) if "relevance_bias" in has else 0.0,
                    other_thresholds=z["other_thresholds"].astype(np.float32) if "other_thresholds" in has else None,
                    other_review_cuts=z["other_review_cuts"].astype(np.float32) if "other_review_cuts" in has else None,
                    relevance_cut=float(z["relevance_cut"]) if "relevance_cut" in has else 1.01,
                )
        except (OSError, KeyError, ValueError) as exc:
            raise ClassifierError(
                f"cannot read classifier weights {path}: {exc}; run `python -m bot topics retrain`"
            ) from exc


def fuse(p_embed: float | None, p_rules: float, negative: float, rule_weight: float) -> float:
    """Convex mix of the embedding and keyword probabilities, minus a penalty for negative terms."""
    base = p_rules if p_embed is None else (1.0 - rule_weight) * p_embed + rule_weight * p_rules
    return float(min(1.0, max(0.0, base - NEGATIVE_PENALTY * negative)))


FALSE_ALERT_CAP = 0.03  # share of off-topic items that may get any topic (the send band)
REVIEW_CAP = 0.12  # share of off-topic items a topic may propose for review
FOLDS = 5


def _fit(vectors: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression  # training only; annotation never imports sklearn

    lr = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    lr.fit(vectors, y)
    return lr.coef_[0].astype(np.float32), float(lr.intercept_[0])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def fold_ids(n: int, folds: int = FOLDS, seed: int = 13) -> np.ndarray:
    """A fixed shuffled assignment of rows to folds, so every run splits alike."""
    rng = np.random.default_rng(seed)
    return rng.permutation(np.arange(n) % folds)


def out_of_fold(vectors: np.ndarray, labels: np.ndarray, c: float, folds: int = FOLDS) -> np.ndarray:
    """Scores of each example from heads trained without its fold: (examples, columns of labels)."""
    which = fold_ids(len(vectors), folds)
    oof = np.zeros(labels.shape, dtype=np.float32)
    for f in range(folds):
        tr, te = which != f, which == f
        for j in range(labels.shape[1]):
            y = labels[tr, j]
            if y.all() or not y.any():
                oof[te, j] = float(y.mean())
                continue
            w, b = _fit(vectors[tr], y, c)
            oof[te, j] = _sigmoid(vectors[te] @ w + b)
    return oof


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def calibrate(
    scores: np.ndarray, labels: np.ndarray, cap: float = FALSE_ALERT_CAP, review_cap: float = REVIEW_CAP
) -> tuple[np.ndarray, np.ndarray]:
    """Per-topic send thresholds and review cuts from out-of-fold scores.

    Send: each topic's threshold maximises its F1 while the share of off-topic items (no topic at all) that
    get at least one topic stays within ``cap``; when the topics together exceed the cap, the threshold of
    the topic causing most false alerts is raised step by step. Review: the lowest score at which the topic
    still proposes at most ``review_cap`` of the off-topic items, never above the send threshold.
    """
    off = ~labels.any(axis=1)
    grid = np.round(np.arange(0.2, 0.99, 0.01), 2)
    n_topics = labels.shape[1]
    thresholds = np.zeros(n_topics, dtype=np.float32)
    for j in range(n_topics):
        y, s = labels[:, j], scores[:, j]
        best, best_t = -1.0, 0.5
        for t in grid:
            got = s >= t
            if off.any() and (got & off).sum() / off.sum() > cap / 2:
                continue
            f = _f1(int((got & y).sum()), int((got & ~y).sum()), int((~got & y).sum()))
            if f > best:
                best, best_t = f, float(t)
        thresholds[j] = best_t
    if off.any():
        for _ in range(200):
            alerts = scores[off] >= thresholds
            if alerts.any(axis=1).mean() <= cap:
                break
            worst = int(np.argmax(alerts.sum(axis=0)))
            thresholds[worst] = min(0.99, thresholds[worst] + 0.01)
    review = thresholds.copy()
    for j in range(n_topics):
        s = scores[:, j]
        for t in grid[::-1]:
            if t >= thresholds[j]:
                continue
            if off.any() and (s[off] >= t).mean() > review_cap:
                break
            review[j] = float(t)
    return thresholds, review


def train_model(
    embedder_name: str,
    topic_ids: Sequence[str],
    vectors: np.ndarray,
    examples: Sequence[Example],
    c: float = 4.0,
    calibrate_thresholds: bool = True,
    rule_probs: np.ndarray | None = None,
    rule_negatives: np.ndarray | None = None,
    rule_weight: float = 0.35,
) -> TrainedModel:
    """One balanced logistic regression per topic (multi-label) plus an any-topic relevance head; thresholds
    calibrated on out-of-fold scores, then every head refitted on all examples."""
    labels = np.array([[t in ex.topics for t in topic_ids] for ex in examples], dtype=bool)
    for i, tid in enumerate(topic_ids):
        y = labels[:, i]
        if y.all() or not y.any():
            raise ClassifierError(f"topic {tid!r} needs both positive and negative examples to train")
    relevant = labels.any(axis=1)
    weights = np.zeros((len(topic_ids), vectors.shape[1]), dtype=np.float32)
    bias = np.zeros(len(topic_ids), dtype=np.float32)
    for i in range(len(topic_ids)):
        weights[i], bias[i] = _fit(vectors, labels[:, i], c)
    rel_w, rel_b = _fit(vectors, relevant, c) if not relevant.all() else (None, 0.0)
    thresholds = review = None
    other: tuple[np.ndarray, np.ndarray] | None = None
    rel_cut = 1.01
    if calibrate_thresholds and len(examples) >= 10 * FOLDS:
        cols = np.column_stack([labels, relevant])
        oof = out_of_fold(vectors, cols, c)
        topic_scores = oof[:, :-1]
        if rule_probs is not None:
            # calibrate on the score the annotator decides with: the model fused with the keyword evidence
            negs = rule_negatives if rule_negatives is not None else np.zeros_like(rule_probs)
            fused = np.clip(
                (1 - rule_weight) * topic_scores + rule_weight * rule_probs - NEGATIVE_PENALTY * negs, 0.0, 1.0
            )
            # the keyword rules are written in English and Russian; other languages are scored by the model alone
            ruled = np.array([ex.lang[:2] in RULE_LANGUAGES for ex in examples])
            if (~ruled).sum() >= 10 * FOLDS:  # the model alone has its own score scale, so its own cuts
                other = calibrate(topic_scores[~ruled], labels[~ruled])
            topic_scores = np.where(ruled[:, None], fused, topic_scores)
            if ruled.sum() >= 10 * FOLDS:
                thresholds, review = calibrate(topic_scores[ruled], labels[ruled])
            else:
                thresholds, review = calibrate(topic_scores, labels)
        else:
            thresholds, review = calibrate(topic_scores, labels)
        off = ~relevant
        # an item no topic takes goes to review when the any-topic head is this sure (at most REVIEW_CAP off-topic)
        rel_cut = float(np.quantile(oof[off, -1], 1 - REVIEW_CAP)) if off.any() else 0.5
        rel_cut = max(rel_cut, 0.5)
    return TrainedModel(
        embedder=embedder_name,
        topic_ids=tuple(topic_ids),
        weights=weights,
        bias=bias,
        example_vectors=vectors.astype(np.float16),
        example_texts=tuple(ex.text[:200] for ex in examples),
        example_labels=labels,
        thresholds=thresholds,
        review_cuts=review,
        other_thresholds=other[0] if other else None,
        other_review_cuts=other[1] if other else None,
        relevance_weights=rel_w,
        relevance_bias=rel_b,
        relevance_cut=rel_cut,
    )
