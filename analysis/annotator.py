"""Annotator: load models once, then annotate items with no I/O per call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.classifier import RULE_LANGUAGES, ClassifierError, TrainedModel, example_text, rules_score
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

# An alert names at most three topics: independent writers give a news item up to three (a rescue drill after a
# flood is emergency_response, capacity_building and disaster_risk), and a fourth passing topic is mostly noise.
# On dev set F the cap of 2 lost 0.027 macro-F1 against 3, and no cap lost 0.005. Further topics go to review.
MAX_TOPICS = 3


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
        if self.embedder is not None and self.model is not None and prepared:
            chunks = []
            size = self.settings.batch_size
            for i in range(0, len(prepared), size):
                chunks.append(self.embedder.embed([p.embed_text for p in prepared[i : i + size]]))
            vectors = np.vstack(chunks)
            probs = self.model.embedding_probabilities(vectors)
        out = []
        for n, (item, prep) in enumerate(zip(items, prepared, strict=True)):
            vec = vectors[n] if vectors is not None else None
            prob_row = probs[n] if probs is not None else None
            out.append(self._annotate_one(item, prep, vec, prob_row))
        return out

    def _topic_scores(
        self, prep: _Prepared, vec: np.ndarray | None, emb_probs: np.ndarray | None
    ) -> tuple[dict[str, float], dict[str, dict], dict[str, float], float]:
        """Per topic: the score that decides, the evidence and the keyword probability; and the relevance.

        With a model, the score is the stacker's (embedding, n-grams of the whole text and the keyword rules,
        weighed as cross-validation found them); a topic added to config since the last retrain, or rules-only
        mode, scores by its keywords alone."""
        results: list[RuleResult] = [r.score(prep.title_tokens, prep.body_tokens) for r in self._rules]
        rule_probs = {t.id: r.probability(res) for t, r, res in zip(self.topics, self._rules, results, strict=True)}
        stacked = lex_probs = None
        if self.model is not None and emb_probs is not None:
            ids = self.model.topic_ids
            known = {t.id: (rule_probs[t.id], res.negative) for t, res in zip(self.topics, results, strict=True)}
            rp = np.array([known.get(tid, (0.0, 0.0))[0] for tid in ids], dtype=np.float32)
            rn = np.array([known.get(tid, (0.0, 0.0))[1] for tid in ids], dtype=np.float32)
            lex_probs = self.model.lexical_probabilities(example_text(prep.title, prep.body))
            stacked = self.model.stacked(emb_probs, lex_probs, rp, rn, prep.language in RULE_LANGUAGES)
        scores: dict[str, float] = {}
        evidence: dict[str, dict] = {}
        for topic, res in zip(self.topics, results, strict=True):
            idx = self._model_index.get(topic.id)
            if stacked is not None and idx is not None:
                scores[topic.id] = round(float(stacked[idx]), 4)
            else:
                scores[topic.id] = round(rules_score(rule_probs[topic.id], res.negative), 4)
            ev: dict = {
                "terms": res.terms,
                "negative_terms": res.negatives,
                "rule_score": round(res.score, 3),
                "embedding_score": None if emb_probs is None or idx is None else round(float(emb_probs[idx]), 4),
                "lexical_score": None if lex_probs is None or idx is None else round(float(lex_probs[idx]), 4),
                "nearest_example": None,
            }
            if vec is not None and idx is not None and self.model is not None:
                near = self.model.nearest(vec, idx)
                if near:
                    ev["nearest_example"] = {"text": near[0], "similarity": round(near[1], 4)}
            evidence[topic.id] = ev
        relevance = float(stacked[-1]) if stacked is not None else max(scores.values(), default=0.0)
        return scores, evidence, rule_probs, relevance

    def _cuts(self, topic: Topic) -> tuple[float, float]:
        """(send threshold, review cut) of a topic: calibrated ones from the weights file, or the keyword
        defaults for a topic the model does not know."""
        idx = self._model_index.get(topic.id)
        if idx is None or self.model is None:
            return 0.5, 0.35
        return float(self.model.thresholds[idx]), float(self.model.review_cuts[idx])

    def _gates(self) -> tuple[float, float]:
        """Relevance from which an item is sent, and from which it goes to review."""
        if self.model is None:
            return 0.5, 0.35
        return self.model.send_cut, self.model.review_cut

    def _assign(
        self, scores: dict[str, float], rule_probs: dict[str, float], vetoes: list[str], relevance: float
    ) -> tuple[list[str], str, list[str]]:
        """Topics to send, the band, and the topics proposed for review.

        Relevance decides whether an item is news for anyone; the topic thresholds decide for whom."""
        send_gate, review_gate = self._gates()
        passing = [t for t in self.topics if scores[t.id] >= self._cuts(t)[0]]
        proposed = [t for t in self.topics if scores[t.id] >= self._cuts(t)[1]]
        # A field topic in the review band is support enough: an MoU on emergencies rarely scores emergency_response
        # as high as the MoU itself (dev set F: cooperation_frameworks recall 0.79 -> 0.82, false alerts unchanged).
        supported = {t.id for t in proposed}
        send: list[str] = []
        review: list[str] = []
        for topic in passing:
            if topic.requires_any and not supported & set(topic.requires_any):
                review.append(topic.id)  # e.g. an agreement, but not on emergencies, health or hazards
            elif vetoes and rule_probs[topic.id] < 0.5:
                review.append(topic.id)  # a hard negative: the model says yes, the rules say no
            else:
                send.append(topic.id)
        if relevance < send_gate:
            review, send = send + review, []
        send.sort(key=lambda t: -scores[t])
        review += send[MAX_TOPICS:]
        send = send[:MAX_TOPICS]
        if send:
            rest = [t.id for t in proposed if t.id not in send]
            return send, "send", sorted(set(review + rest) - set(send), key=lambda t: -scores[t])
        if review or relevance >= review_gate:  # a topic held back, or relevant enough for a human to look
            review += [t.id for t in proposed if t.id not in review]
            if not review and self.topics:
                review = [max(scores, key=lambda t: scores[t])]
            return [], "review", sorted(set(review), key=lambda t: -scores[t])
        return [], "drop", []

    @staticmethod
    def _country_tokens(prep: _Prepared, tokens: list[Token]) -> list[Token]:
        """Tokens for the gazetteer, without language tags in brackets ("[EN/UK]", "(RU)")."""
        if not (LANGUAGE_TAG.search(prep.title) or LANGUAGE_TAG.search(prep.body)):
            return tokens
        return [*tokenize(LANGUAGE_TAG.sub(" ", prep.title)), *tokenize(LANGUAGE_TAG.sub(" ", prep.body))]

    def _annotate_one(
        self, item: ItemText, prep: _Prepared, vec: np.ndarray | None, prob_row: np.ndarray | None
    ) -> Annotation:
        scores, evidence, rule_probs, relevance = self._topic_scores(prep, vec, prob_row)
        hazard = structured_hazard(item.extras)
        vetoes = self._hard.find(prep.title_tokens, prep.body_tokens)
        topics, band, review_topics = self._assign(scores, rule_probs, vetoes, relevance)
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
            # float16: what story grouping stores per story (half of float32, cosines move < 0.001)
            embedding=None if vec is None else np.asarray(vec, dtype=np.float16).tobytes(),
        )
