from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analysis import AnalysisSettings, Annotator, ItemText, load_topics_file


@pytest.fixture(scope="session")
def topics():
    return load_topics_file()


@pytest.fixture(scope="session")
def annotator(topics) -> Annotator:
    """The default fused annotator, loaded once for the whole session."""
    return Annotator.load(topics, AnalysisSettings())


@pytest.fixture(scope="session")
def rules_annotator(topics) -> Annotator:
    return Annotator.load(topics, AnalysisSettings(embedder="none"))


def item(title: str, summary: str = "", published: str | None = "2024-10-10", lang: str | None = None) -> ItemText:
    pub = datetime.fromisoformat(published).replace(tzinfo=UTC) if published else None
    return ItemText(title, summary, lang, pub)
