"""Plain values: what goes into annotation and what comes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class ItemText:
    title: str
    summary: str
    language: str | None = None
    published: datetime | None = None
    # namespaced fields of structured feeds, as the feed parser keeps them (e.g. "gdacs:alertlevel")
    extras: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    kind: str  # meeting, conference, training, exercise, visit (defined in analysis/events.py)
    start: date | None
    end: date | None
    location: str | None

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "location": self.location,
        }


BANDS = ("send", "review", "drop")


@dataclass(frozen=True)
class Annotation:
    language: str
    topics: list[str]
    scores: dict[str, float]
    evidence: dict[str, dict]
    countries: list[str]
    orgs: list[str]
    events: list[Event]
    summary: str
    keywords: list[str]
    # Relevance band (issue 11): "send" goes to subscribers, "review" waits for an admin
    # (issue 13), "drop" is stored and searchable but never alerted.
    band: str = "send"  # one of BANDS
    # Topics proposed for review-band items (scores between the review and send cuts).
    review_topics: list[str] = field(default_factory=list)
    # The item's embedding as float16 bytes, for story grouping (ingest.grouping); not part of the JSON.
    embedding: bytes | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict:
        """JSON-safe dict (dates as ISO strings)."""
        return {
            "language": self.language,
            "topics": list(self.topics),
            "scores": {k: round(float(v), 4) for k, v in self.scores.items()},
            "evidence": self.evidence,
            "countries": list(self.countries),
            "orgs": list(self.orgs),
            "events": [e.to_json() for e in self.events],
            "summary": self.summary,
            "keywords": list(self.keywords),
            "band": self.band,
            "review_topics": list(self.review_topics),
        }
