"""The meaning rule of ingest.grouping on its own: centred vectors, the facts, and the best match."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from ingest.grouping import GroupingRule, StoryFacts, StoryIndex, centre, corpus_mean, same_story

WHEN = datetime(2026, 12, 1, 8, tzinfo=UTC)


def facts(vector: np.ndarray, countries: tuple[str, ...], *, kinds=("earthquake",), days: float = 0) -> StoryFacts:
    return StoryFacts(
        vector / np.linalg.norm(vector),
        frozenset(countries),
        WHEN + timedelta(days=days),
        frozenset(kinds),
        False,
        countries[0] if countries else None,
    )


def test_the_shipped_mean_centres_384_dimension_vectors_to_unit_length_without_the_common_part() -> None:
    mean = corpus_mean(384)
    assert mean is not None and np.linalg.norm(mean) > 0.5  # e5 puts news in a narrow cone
    rng = np.random.default_rng(1)
    a, b = (mean + 0.02 * rng.standard_normal(384).astype(np.float32) for _ in range(2))
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)  # two unrelated items of the domain
    assert float(np.dot(a, b)) > 0.7
    ca, cb = centre(a), centre(b)
    assert abs(float(np.linalg.norm(ca)) - 1.0) < 1e-5
    assert abs(float(np.dot(ca, cb))) < 0.3
    assert corpus_mean(512) is None  # another embedder's vectors are left as they are


def test_facts_keep_look_alikes_apart_and_the_closest_agreeing_story_wins() -> None:
    rng = np.random.default_rng(2)
    base = rng.standard_normal(384).astype(np.float32)
    near = base + 0.3 * rng.standard_normal(384).astype(np.float32)
    rule = GroupingRule()
    item = facts(base, ("TJ",))
    assert same_story(item, facts(near, ("TJ", "AF")), rule)
    assert not same_story(item, facts(near, ("AF",)), rule)  # another country's quake
    assert not same_story(item, facts(near, ("TJ",), days=4), rule)  # outside the 3-day window
    assert not same_story(item, facts(near, ("TJ",), kinds=("flood",)), rule)
    assert not same_story(item, facts(near, (), kinds=()), rule)  # no country and no hazard to agree on
    index = StoryIndex(rule)
    assert index.match(1, item, [7]) is None
    candidates = [(1, facts(near, ("AF",))), (2, facts(near, ("TJ",))), (3, facts(base + near, ("TJ",)))]
    for item_id, candidate in candidates:
        index.add((0, item_id), 2, candidate, [7])
    assert index.match(1, item, [7]) == (0, 3)
    assert index.match(1, item, [8]) is None  # filed under another key
    assert index.match(2, item, [7]) is None  # inside one feed two items stay two stories


def test_a_report_that_names_no_country_joins_only_on_a_shared_hazard_at_the_stricter_cut() -> None:
    rng = np.random.default_rng(3)
    base = rng.standard_normal(384).astype(np.float32)
    near = base + 0.3 * rng.standard_normal(384).astype(np.float32)
    rule = GroupingRule()
    placed = facts(base, ("CD",), kinds=("mpox",))
    assert same_story(placed, facts(near, (), kinds=("mpox",)), rule)  # "WHO declares mpox an emergency"
    assert same_story(facts(near, (), kinds=("mpox",)), placed, rule)
    assert not same_story(placed, facts(near, (), kinds=("flood",)), rule)
    assert not same_story(placed, facts(near, (), kinds=("event:meeting",)), rule)  # an event kind is no hazard
    unit = base / np.linalg.norm(base)
    other = rng.standard_normal(384).astype(np.float32)
    other -= other @ unit * unit
    far = 0.3 * unit + np.sqrt(1 - 0.3**2) * other / np.linalg.norm(other)  # cosine 0.3 to base
    assert rule.threshold <= 0.3 < rule.unplaced_threshold
    assert not same_story(placed, facts(far, (), kinds=("mpox",)), rule)
    assert same_story(placed, facts(far, ("CD",), kinds=("mpox",)), rule)


def test_a_story_about_a_group_of_states_joins_a_report_of_the_host_country() -> None:
    rng = np.random.default_rng(4)
    base = rng.standard_normal(384).astype(np.float32)
    near = base + 0.3 * rng.standard_normal(384).astype(np.float32)
    rule = GroupingRule()
    sco = ("CN", "IN", "IR", "KZ", "KG", "PK", "RU", "TJ", "UZ", "BY")  # "SCO member states met in Astana"
    host = facts(near, ("KZ",), kinds=("event:meeting",))
    assert same_story(facts(base, sco, kinds=("event:meeting",)), host, rule)
    assert same_story(host, facts(base, sco, kinds=("event:meeting",)), rule)
    assert not same_story(facts(base, sco, kinds=("event:meeting",)), facts(near, ("AF",), kinds=()), rule)
    # Four countries are a story about the first of them: a quake in Tajikistan that its neighbours felt.
    neighbours = facts(base, ("TJ", "KG", "UZ", "AF"))
    assert not same_story(neighbours, facts(near, ("KG",)), rule)
