"""How the three kinds of evidence become one score, and where the bands are cut.

Each topic, and "any topic" (relevance), has two heads: logistic regression on the sentence embedding of the
headline and lead, and on the character n-grams of the whole text. A small logistic regression per column then
weighs the two heads' logits and the keyword rules (written for English and Russian only, so the rule inputs are
zero elsewhere and a flag says whether they could speak). It is fitted on out-of-fold head scores, so it learns
how far to trust each head on text it has not seen.

The bands follow from that score:
- the relevance score decides whether an item is news for anyone: its send cut keeps the share of off-topic
  items above it within the false-alert cap, and its review cut within the review cap;
- among relevant items, each topic has the threshold that maximises its F1, calibrated on relevant rows only,
  so that no topic has to carry the false-alert cap alone (which costs recall on every topic).
"""

from __future__ import annotations

import numpy as np

STACK_INPUTS = 5  # embedding logit, lexical logit, rule probability, rule negatives, rules speak this language


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def stack_inputs(
    emb_logit: np.ndarray, lex_logit: np.ndarray, rule_prob: np.ndarray, rule_neg: np.ndarray, ruled: np.ndarray
) -> np.ndarray:
    """(rows, STACK_INPUTS) for one column; the rule inputs are zero where no rules exist for the language."""
    r = ruled.astype(np.float32)
    return np.column_stack([emb_logit, lex_logit, rule_prob * r, rule_neg * r, r]).astype(np.float32)


def rule_columns(rule_probs: np.ndarray, rule_negs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rule inputs for every column: the topics', then for relevance the strongest topic's."""
    return (
        np.column_stack([rule_probs, rule_probs.max(axis=1)]),
        np.column_stack([rule_negs, rule_negs.max(axis=1)]),
    )


def _f_beta(tp: int, fp: int, fn: int, beta: float) -> float:
    b2 = beta * beta
    return (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp) if tp else 0.0


def best_threshold(scores: np.ndarray, labels: np.ndarray, beta: float = 1.0) -> float:
    """The score cut that maximises F-beta of these labels."""
    best, best_t = -1.0, 0.5
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        got = scores >= t
        f = _f_beta(int((got & labels).sum()), int((got & ~labels).sum()), int((~got & labels).sum()), beta)
        if f > best:
            best, best_t = f, float(t)
    return best_t


def calibrate_bands(
    scores: np.ndarray, labels: np.ndarray, cap: float, review_cap: float
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """From out-of-fold stacked scores (rows, topics + relevance): per-topic send thresholds and review cuts,
    and the relevance cuts for send and review.

    Topic thresholds maximise F1 over relevant rows; review cuts maximise F2 there (review favours recall),
    never above the send threshold. The relevance send cut lets at most ``cap`` of off-topic rows through,
    the review cut at most ``review_cap``.
    """
    topics = labels.shape[1]
    relevant = labels.any(axis=1)
    thresholds = np.array([best_threshold(scores[relevant, j], labels[relevant, j]) for j in range(topics)])
    review = np.array(
        [min(thresholds[j], best_threshold(scores[relevant, j], labels[relevant, j], beta=2.0)) for j in range(topics)]
    )
    off = scores[~relevant, -1]
    if not len(off):
        return thresholds.astype(np.float32), review.astype(np.float32), 0.5, 0.5
    # a cut just above an off-topic score, compared with >=, lets at most that share through
    send_cut = float(np.quantile(off, 1 - cap, method="higher")) + 1e-6
    review_cut = min(send_cut, float(np.quantile(off, 1 - review_cap, method="higher")) + 1e-6)
    return thresholds.astype(np.float32), review.astype(np.float32), send_cut, review_cut
