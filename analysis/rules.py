"""Weighted keyword rules per topic, EMM-style: distinct matched terms add up, negative terms subtract."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from analysis.config import Topic
from analysis.matcher import PhraseMatcher
from analysis.text import Token

TITLE_BOOST = 1.5  # a term in the headline says more about what the item is about


@dataclass(frozen=True)
class RuleResult:
    score: float  # positive weights minus negative weights
    negative: float  # total negative weight matched
    terms: list[str]  # matched positive terms, as written in config
    negatives: list[str]


class TopicRules:
    def __init__(self, topic: Topic) -> None:
        self.topic = topic
        self._pos = PhraseMatcher([t.text for t in topic.rules])
        self._neg = PhraseMatcher([t.text for t in topic.negative]) if topic.negative else None

    def score(self, title: Sequence[Token], body: Sequence[Token]) -> RuleResult:
        weights: dict[int, float] = {}
        for tokens, boost in ((body, 1.0), (title, TITLE_BOOST)):
            for hit in self._pos.find(tokens):
                w = self.topic.rules[hit.pattern_id].weight * boost
                weights[hit.pattern_id] = max(weights.get(hit.pattern_id, 0.0), w)
        neg_ids: set[int] = set()
        if self._neg is not None:
            for tokens in (title, body):
                neg_ids.update(h.pattern_id for h in self._neg.find(tokens))
        negative = sum(self.topic.negative[i].weight for i in neg_ids)
        return RuleResult(
            score=sum(weights.values()) - negative,
            negative=negative,
            terms=[self.topic.rules[i].text for i in sorted(weights, key=lambda i: -weights[i])],
            negatives=sorted(self.topic.negative[i].text for i in neg_ids),
        )

    def probability(self, result: RuleResult) -> float:
        """Squash the keyword score to 0..1; the topic's rule_threshold maps to 0.5."""
        if result.score <= 0:
            return 0.0
        return result.score / (result.score + self.topic.rule_threshold)


# Hard negatives: phrases that mark a story as not ours even when it shares our words ("landslide victory",
# a political state of emergency, a sports training camp, a trade-only summit, military drills). They veto
# a topic only when the item has no confident keyword evidence for it; otherwise model and rules disagree
# and the item goes to review.
HARD_NEGATIVES = (
    "landslide victory",
    "landslide win",
    "won by a landslide",
    "убедительная победа",
    "state of emergency ~ protest*",
    "state of emergency ~ opposition",
    "state of emergency ~ coup",
    "martial law",
    "чрезвычайное положение ~ протест*",
    "чрезвычайное положение ~ оппозици*",
    "training camp ~ team",
    "training camp ~ season",
    "preseason",
    "спортивные сборы",
    "учебно-тренировочные сборы",
    "military drill*",
    "war games",
    "combat readiness",
    "военные учения",
    "боевая готовность",
    "trade turnover",
    "товарооборот",
)


class HardNegatives:
    def __init__(self) -> None:
        self._m = PhraseMatcher(list(HARD_NEGATIVES))

    def find(self, title: Sequence[Token], body: Sequence[Token]) -> list[str]:
        ids = {h.pattern_id for tokens in (title, body) for h in self._m.find(tokens)}
        return sorted(HARD_NEGATIVES[i] for i in ids)


def rule_matrix(topics: Sequence[Topic], texts: Sequence[str]) -> tuple[list[list[float]], list[list[float]]]:
    """Keyword probability and negative weight of every text for every topic (as the annotator scores a body),
    for calibrating the fused score on the training corpus."""
    from analysis.text import tokenize

    rules = [TopicRules(t) for t in topics]
    probs: list[list[float]] = []
    negs: list[list[float]] = []
    for text in texts:
        tokens = tokenize(text)
        row_p, row_n = [], []
        for r in rules:
            res = r.score([], tokens)
            row_p.append(r.probability(res))
            row_n.append(res.negative)
        probs.append(row_p)
        negs.append(row_n)
    return probs, negs
