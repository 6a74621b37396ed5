"""Understanding news items: topics, countries, organisations, events, summary. Pure; models load once."""

from analysis.annotator import Annotator
from analysis.classifier import ClassifierError
from analysis.config import (
    AnalysisError,
    AnalysisSettings,
    Topic,
    TopicConfigError,
    analysis_settings_from_toml,
    load_topics,
    load_topics_file,
)
from analysis.embedders import Embedder, EmbedderUnavailable
from model.annotation import Annotation, Event, ItemText

__all__ = [
    "AnalysisError",
    "AnalysisSettings",
    "Annotation",
    "Annotator",
    "ClassifierError",
    "Embedder",
    "EmbedderUnavailable",
    "Event",
    "ItemText",
    "Topic",
    "TopicConfigError",
    "analysis_settings_from_toml",
    "load_topics",
    "load_topics_file",
]
