"""Annotator: load models once, then annotate items with no I/O per call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.classifier import RULE_LANGUAGES, ClassifierError, TrainedModel, fuse
from analysis.config import DEFAULT_CLASSIFIER_PATH, AnalysisSettings, Topic
from analysis.embedders import Embedder, make_embedder
from analysis.events import find_events
from analysis.gazetteer import LANGUAGE_TAG, country_finder
from analysis.hazards import structured_hazard
from analysis.orgs import org_finder
from analysis.rules import HardNegatives, RuleResult, TopicRules
from analysis.summary import keywords, summarize
from analysis.text import Token, clean_text, detect_language, tokenize
from model.annotation import Annotation, ItemText


@dataclass(frozen=True)
class _Prepared:
    title: str
    body: str
    language: str
    title_tokens: list[Token]
    body_tokens: list[Token]
    embed_text: str


def embed_text(title: str, body: str, limit: int) -> str:
    """What the embedder sees: the headline and the lead, which carry what an item is about."""
    return f"{title}. {body}"[:limit] if body else title[:limit]


class Annotator:
    def __init__(
        self,
        topics: Sequence[Topic],
        settings: AnalysisSettings,
        embedder: Embedder | None,
        model: TrainedModel | None,
    ) -> None:
        self.topics = list(topics)
        self.settings = settings
        self.embedder = embedder
        self.model = model
        self._rules = [TopicRules(t) for t in self.topics]
        self._hard = HardNegatives()
        # topics the trained model knows; others (added to config since the last retrain) use rules only
        ids = model.topic_ids if model else ()
        self._model_index = {tid: ids.index(tid) for tid in ids}
        country_finder()
        org_finder()

    @classmethod
    def load(cls, topics: Sequence[Topic], settings: AnalysisSettings) -> Annotator:
        embedder = make_embedder(settings)
        model = None
        if embedder is not None:
            path = Path(settings.classifier_path) if settings.classifier_path else DEFAULT_CLASSIFIER_PATH
            if not path.exists():
                raise ClassifierError(f"classifier weights {path} not found; run `python -m bot topics retrain`")
            model = TrainedModel.load(path)
            if model.embedder != embedder.name:
                raise ClassifierError(
                    f"classifier weights {path} were trained with embedder {model.embedder!r} but "
                    f"analysis.embedder is {embedder.name!r}; run `python -m bot topics retrain`"
                )
        return cls(topics, settings, embedder, model)

    def _prepare(self, item: ItemText) -> _Prepared:
        cap = self.settings.max_chars
        title = clean_text(item.title or "", 2000)
        body = clean_text(item.summary or "", cap)
        language = detect_language(f"{title} {body}", item.language)
        return _Prepared(
            title, body, language, tokenize(title), tokenize(body), embed_text(title, body, self.settings.embed_chars)
        )

    def annotate(self, item: ItemText) -> Annotation:
        return self.annotate_many([item])[0]

    def annotate_many(self, items: Sequence[ItemText]) -> list[Annotation]:
        prepared = [self._prepare(it) for it in items]
        vectors: np.ndarray | None = None
        probs: np.ndarray | None = None
        relevance: np.ndarray | None = None
        if self.embedder is not None and self.model is not None and prepared:
            chunks = []
            size = self.settings.batch_size
            for i in range(0, len(prepared), size):
                chunks.append(self.embedder.embed([p.embed_text for p in prepared[i : i + size]]))
            vectors = np.vstack(chunks)
            probs = self.model.probabilities(vectors)
            relevance = self.model.relevance(vectors)
        out = []
        for n, (item, prep) in enumerate(zip(items, prepared, strict=True)):
            vec = vectors[n] if vectors is not None else None
            prob_row = probs[n] if probs is not None else None
            rel = float(relevance[n]) if relevance is not None else 0.0
            out.append(self._annotate_one(item, prep, vec, prob_row, rel))
        return out

    def _topic_scores(
        self, prep: _Prepared, vec: np.ndarray | None, prob_row: np.ndarray | None
    ) -> tuple[dict[str, float], dict[str, dict], dict[str, float]]:
        """Per topic: the score that decides (the calibrated model score where the model knows the topic,
        the keyword score otherwise), the evidence, and the keyword probability."""
        scores: dict[str, float] = {}
        evidence: dict[str, dict] = {}
        rule_probs: dict[str, float] = {}
        for topic, rules in zip(self.topics, self._rules, strict=True):
            res: RuleResult = rules.score(prep.title_tokens, prep.body_tokens)
            p_rules = rules.probability(res)
            rule_probs[topic.id] = p_rules
            idx = self._model_index.get(topic.id)
            p_emb = float(prob_row[idx]) if prob_row is not None and idx is not None else None
            # the model score mixed with the keyword evidence; the thresholds were calibrated on this same mix, so
            # an item the rules miss still passes on the model alone (rules are evidence, never the gate)
            if p_emb is not None and prep.language not in RULE_LANGUAGES:
                scores[topic.id] = round(p_emb, 4)  # no rules in this language: the model alone, as calibrated
            else:
                scores[topic.id] = round(fuse(p_emb, p_rules, res.negative, self.settings.rule_weight), 4)
            ev: dict = {
                "terms": res.terms,
                "negative_terms": res.negatives,
                "rule_score": round(res.score, 3),
                "embedding_score": None if p_emb is None else round(p_emb, 4),
                "nearest_example": None,
            }
            if vec is not None and idx is not None and self.model is not None:
                near = self.model.nearest(vec, idx)
                if near:
                    ev["nearest_example"] = {"text": near[0], "similarity": round(near[1], 4)}
            evidence[topic.id] = ev
        return scores, evidence, rule_probs

    def _cuts(self, topic: Topic, rules_only: bool, ruled: bool = True) -> tuple[float, float]:
        """(send threshold, review cut) of a topic: calibrated ones from the weights file when it has them,
        for the item's kind of score (fused with rules in en/ru, the model alone elsewhere)."""
        idx = self._model_index.get(topic.id)
        if rules_only or idx is None or self.model is None:
            return 0.5, 0.35
        send = self.model.threshold(idx, topic.threshold, ruled)
        return send, min(send, self.model.review_cut(idx, send, ruled))

    def _assign(
        self,
        scores: dict[str, float],
        rule_probs: dict[str, float],
        vetoes: list[str],
        relevance: float,
        rules_only: bool,
        ruled: bool = True,
    ) -> tuple[list[str], str, list[str]]:
        """Topics to send, the band, and the topics proposed for review."""
        send: list[str] = []
        review: list[str] = []
        for topic in self.topics:
            cut, review_cut = self._cuts(topic, rules_only, ruled)
            score = scores[topic.id]
            confident_rules = rule_probs[topic.id] >= 0.5
            if topic.requires_any and not any(
                scores.get(dep, 0.0) >= self._cuts(t, rules_only, ruled)[1]
                for t in self.topics
                for dep in topic.requires_any
                if t.id == dep
            ):
                if score >= review_cut:
                    review.append(topic.id)
                continue
            if score >= cut:
                if vetoes and not confident_rules:
                    review.append(topic.id)  # a hard negative: the model says yes, the rules say no
                else:
                    send.append(topic.id)
            elif score >= review_cut or (confident_rules and not vetoes):
                review.append(topic.id)  # near the threshold, or the rules see it and the model does not
        send.sort(key=lambda t: -scores[t])
        review = sorted((t for t in review if t not in send), key=lambda t: -scores[t])
        if send:
            return send, "send", review
        if review or (not rules_only and relevance >= self._relevance_cut()):
            if not review:
                review = [max(scores, key=lambda t: scores[t])]
            return [], "review", review
        return [], "drop", []

    @staticmethod
    def _country_tokens(prep: _Prepared, tokens: list[Token]) -> list[Token]:
        """Tokens for the gazetteer, without language tags in brackets ("[EN/UK]", "(RU)")."""
        if not (LANGUAGE_TAG.search(prep.title) or LANGUAGE_TAG.search(prep.body)):
            return tokens
        return [*tokenize(LANGUAGE_TAG.sub(" ", prep.title)), *tokenize(LANGUAGE_TAG.sub(" ", prep.body))]

    def _relevance_cut(self) -> float:
        return self.model.relevance_cut if self.model is not None else 1.01

    def _annotate_one(
        self, item: ItemText, prep: _Prepared, vec: np.ndarray | None, prob_row: np.ndarray | None, relevance: float
    ) -> Annotation:
        scores, evidence, rule_probs = self._topic_scores(prep, vec, prob_row)
        hazard = structured_hazard(item.extras)
        vetoes = self._hard.find(prep.title_tokens, prep.body_tokens)
        topics, band, review_topics = self._assign(
            scores, rule_probs, vetoes, relevance, rules_only=prob_row is None, ruled=prep.language in RULE_LANGUAGES
        )
        if vetoes:
            for ev in evidence.values():
                ev["hard_negatives"] = vetoes
        all_tokens = [*prep.title_tokens, *prep.body_tokens]
        countries = country_finder().find(self._country_tokens(prep, all_tokens))
        if hazard is not None:
            # a structured hazard feed says what the item is: disaster_risk, with its countries and severity;
            # the text classifier still decides the other topics
            evidence.setdefault("disaster_risk", {})["structured"] = hazard.evidence
            if "disaster_risk" in {t.id for t in self.topics}:
                scores["disaster_risk"] = max(scores.get("disaster_risk", 0.0), 1.0 if hazard.send else 0.6)
                topics = [t for t in topics if t != "disaster_risk"]
                review_topics = [t for t in review_topics if t != "disaster_risk"]
                if hazard.send:
                    topics = ["disaster_risk", *topics]
                    band = "send"
                else:
                    review_topics = ["disaster_risk", *review_topics]
                    band = "send" if topics else "review"
            countries = [*hazard.countries, *(c for c in countries if c not in hazard.countries)]
        published = item.published.date() if item.published else None
        return Annotation(
            language=prep.language,
            topics=topics,
            scores=scores,
            evidence=evidence,
            countries=countries,
            orgs=org_finder().find(all_tokens),
            events=find_events(prep.title, prep.body, prep.title_tokens, prep.body_tokens, published),
            summary=summarize(prep.title, prep.body, self.settings.summary_chars),
            keywords=keywords(f"{prep.title}. {prep.body}", prep.language, self.settings.keywords),
            band=band,
            review_topics=review_topics,
        )
