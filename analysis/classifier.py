"""The labelled corpus, the trained model (embedding and n-gram heads, stacker, band cuts) and its weights file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis import lexical, stacking
from analysis.config import AnalysisError

NEGATIVE_PENALTY = 0.12  # rules-only score lost per unit of negative keyword weight
RULE_LANGUAGES = ("en", "ru")  # languages the keyword rules are written in; elsewhere the stacker sees no rule input


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


FORMAT = 2  # weights file layout; 1 was embedding heads fused with the rules by a fixed weight


@dataclass(frozen=True)
class TrainedModel:
    """The heads (embedding and lexical, per topic and for relevance), the stacker and the band cuts.

    Columns of every head are the topics in ``topic_ids`` order, then relevance ("any topic").
    """

    embedder: str
    topic_ids: tuple[str, ...]
    weights: np.ndarray  # (columns, dim) embedding heads
    bias: np.ndarray  # (columns,)
    lexical_idf: np.ndarray  # (BUCKETS,)
    lexical_weights: np.ndarray  # (columns, BUCKETS) float16
    lexical_bias: np.ndarray  # (columns,)
    stack_weights: np.ndarray  # (columns, STACK_INPUTS)
    stack_bias: np.ndarray  # (columns,)
    thresholds: np.ndarray  # (topics,) stacked score that sends the topic, for a relevant item
    review_cuts: np.ndarray  # (topics,) stacked score from which the topic is proposed for review
    send_cut: float  # relevance from which an item is sent (when a topic passes its threshold)
    review_cut: float  # relevance from which an item goes to review
    example_vectors: np.ndarray  # (examples, dim) float16, for the nearest-example evidence
    example_texts: tuple[str, ...]
    example_labels: np.ndarray  # (examples, topics) bool

    def embedding_probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """(rows, columns) probabilities of the embedding heads alone."""
        return _sigmoid(vectors @ self.weights.T + self.bias)

    def lexical_probabilities(self, text: str) -> np.ndarray:
        """(columns,) probabilities of the n-gram heads for one text (title and summary)."""
        return _sigmoid(lexical.scores(text, self.lexical_idf, self.lexical_weights, self.lexical_bias))

    def stacked(
        self, emb_probs: np.ndarray, lex_probs: np.ndarray, rule_probs: np.ndarray, rule_negs: np.ndarray, ruled: bool
    ) -> np.ndarray:
        """(columns,) final scores of one item from its head probabilities and keyword rule scores (topics,)."""
        rp, rn = stacking.rule_columns(rule_probs[None, :], rule_negs[None, :])
        out = np.empty(len(self.stack_bias), dtype=np.float32)
        flag = np.array([ruled])
        for j in range(len(out)):
            x = stacking.stack_inputs(
                stacking.logit(emb_probs[j : j + 1]), stacking.logit(lex_probs[j : j + 1]), rp[:, j], rn[:, j], flag
            )[0]
            out[j] = _sigmoid(x @ self.stack_weights[j] + self.stack_bias[j])
        return out

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
                format=np.array(FORMAT),
                embedder=np.array(self.embedder),
                topic_ids=np.array(self.topic_ids),
                weights=self.weights.astype(np.float32),
                bias=self.bias.astype(np.float32),
                lexical_idf=self.lexical_idf.astype(np.float32),
                lexical_weights=self.lexical_weights.astype(np.float16),
                lexical_bias=self.lexical_bias.astype(np.float32),
                stack_weights=self.stack_weights.astype(np.float32),
                stack_bias=self.stack_bias.astype(np.float32),
                thresholds=self.thresholds.astype(np.float32),
                review_cuts=self.review_cuts.astype(np.float32),
                send_cut=np.array(self.send_cut, dtype=np.float32),
                review_cut=np.array(self.review_cut, dtype=np.float32),
                example_vectors=self.example_vectors.astype(np.float16),
                example_texts=np.array(self.example_texts),
                example_labels=self.example_labels,
            )

    @classmethod
    def load(cls, path: Path) -> TrainedModel:
        try:
            with np.load(path, allow_pickle=False) as z:
                if "format" not in z.files or int(z["format"]) != FORMAT:
                    raise ClassifierError(
                        f"classifier weights {path} are from an older version; run `python -m bot topics retrain`"
                    )
                return cls(
                    embedder=str(z["embedder"]),
                    topic_ids=tuple(str(t) for t in z["topic_ids"]),
                    weights=z["weights"].astype(np.float32),
                    bias=z["bias"].astype(np.float32),
                    lexical_idf=z["lexical_idf"].astype(np.float32),
                    lexical_weights=z["lexical_weights"],
                    lexical_bias=z["lexical_bias"].astype(np.float32),
                    stack_weights=z["stack_weights"].astype(np.float32),
                    stack_bias=z["stack_bias"].astype(np.float32),
                    thresholds=z["thresholds"].astype(np.float32),
                    review_cuts=z["review_cuts"].astype(np.float32),
                    send_cut=float(z["send_cut"]),
                    review_cut=float(z["review_cut"]),
                    example_vectors=z["example_vectors"],
                    example_texts=tuple(str(t) for t in z["example_texts"]),
                    example_labels=z["example_labels"].astype(bool),
                )
        except (OSError, KeyError, ValueError) as exc:
            raise ClassifierError(
                f"cannot read classifier weights {path}: {exc}; run `python -m bot topics retrain`"
            ) from exc


def rules_score(p_rules: float, negative: float) -> float:
    """The keyword score alone (rules-only mode), less a penalty for negative terms."""
    return float(min(1.0, max(0.0, p_rules - NEGATIVE_PENALTY * negative)))


FALSE_ALERT_CAP = 0.03  # share of off-topic items that may be sent (the send band)
REVIEW_CAP = 0.12  # share of off-topic items that may go to review
FOLDS = 5
EMBED_C = 4.0  # inverse regularisation of the embedding heads
LEXICAL_C = 10.0  # of the n-gram heads (sparse, many more features)
STACK_C = 1.0


def _fit(vectors, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
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


def out_of_fold(features, labels: np.ndarray, c: float, folds: int = FOLDS) -> np.ndarray:
    """Scores of each example from heads trained without its fold: (examples, columns of labels).

    ``features`` is a dense array or a scipy sparse matrix."""
    which = fold_ids(labels.shape[0], folds)
    oof = np.zeros(labels.shape, dtype=np.float32)
    for f in range(folds):
        tr, te = which != f, which == f
        for j in range(labels.shape[1]):
            y = labels[tr, j]
            if y.all() or not y.any():
                oof[te, j] = float(y.mean())
                continue
            w, b = _fit(features[tr], y, c)
            oof[te, j] = _sigmoid(features[te] @ w + b)
    return oof


def _heads(features, columns: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    fitted = [_fit(features, columns[:, j], c) for j in range(columns.shape[1])]
    return np.array([w for w, _ in fitted], dtype=np.float32), np.array([b for _, b in fitted], dtype=np.float32)


def train_model(
    embedder_name: str,
    topic_ids: Sequence[str],
    vectors: np.ndarray,
    examples: Sequence[Example],
    rule_probs: np.ndarray,
    rule_negatives: np.ndarray,
) -> TrainedModel:
    """Embedding and n-gram heads per topic and for relevance, a stacker fitted on their out-of-fold scores,
    and the band cuts calibrated on the stacker's own out-of-fold scores (see analysis/stacking.py)."""
    labels = np.array([[t in ex.topics for t in topic_ids] for ex in examples], dtype=bool)
    for i, tid in enumerate(topic_ids):
        y = labels[:, i]
        if y.all() or not y.any():
            raise ClassifierError(f"topic {tid!r} needs both positive and negative examples to train")
    relevant = labels.any(axis=1)
    if relevant.all():
        raise ClassifierError("the corpus needs off-topic examples (topics []) to calibrate the bands")
    if len(examples) < 10 * FOLDS:
        raise ClassifierError(f"the corpus needs at least {10 * FOLDS} examples, got {len(examples)}")
    columns = np.column_stack([labels, relevant])
    texts = [ex.text for ex in examples]
    idf = lexical.fit_idf(texts)
    grams = lexical.feature_matrix(texts, idf)
    ruled = np.array([ex.lang[:2] in RULE_LANGUAGES for ex in examples])
    rp, rn = stacking.rule_columns(np.asarray(rule_probs), np.asarray(rule_negatives))

    oof_emb = out_of_fold(vectors, columns, EMBED_C)
    oof_lex = out_of_fold(grams, columns, LEXICAL_C)
    which = fold_ids(len(examples))
    stacked_oof = np.zeros(columns.shape, dtype=np.float32)
    stack_w = np.zeros((columns.shape[1], stacking.STACK_INPUTS), dtype=np.float32)
    stack_b = np.zeros(columns.shape[1], dtype=np.float32)
    for j in range(columns.shape[1]):
        x = stacking.stack_inputs(
            stacking.logit(oof_emb[:, j]), stacking.logit(oof_lex[:, j]), rp[:, j], rn[:, j], ruled
        )
        for f in range(FOLDS):
            tr, te = which != f, which == f
            w, b = _fit(x[tr], columns[tr, j], STACK_C)
            stacked_oof[te, j] = _sigmoid(x[te] @ w + b)
        stack_w[j], stack_b[j] = _fit(x, columns[:, j], STACK_C)
    thresholds, review, send_cut, review_cut = stacking.calibrate_bands(
        stacked_oof, labels, FALSE_ALERT_CAP, REVIEW_CAP
    )
    emb_w, emb_b = _heads(vectors, columns, EMBED_C)
    lex_w, lex_b = _heads(grams, columns, LEXICAL_C)
    return TrainedModel(
        embedder=embedder_name,
        topic_ids=tuple(topic_ids),
        weights=emb_w,
        bias=emb_b,
        lexical_idf=idf,
        lexical_weights=lex_w.astype(np.float16),
        lexical_bias=lex_b,
        stack_weights=stack_w,
        stack_bias=stack_b,
        thresholds=thresholds,
        review_cuts=review,
        send_cut=send_cut,
        review_cut=review_cut,
        example_vectors=vectors.astype(np.float16),
        example_texts=tuple(ex.text[:200] for ex in examples),
        example_labels=labels,
    )
