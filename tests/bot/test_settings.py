"""Configuration: the shipped file loads, every bad value names its key, the environment wins."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from analysis.config import DEFAULT_CLASSIFIER_PATH
from bot.bootstrap import annotator_settings, retrained_classifier_path
from bot.settings import ConfigError, load_settings, settings_from_mapping
from tests.bot.conftest import TOPICS

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "config.toml"


def shipped() -> dict:
    return tomllib.loads(SHIPPED.read_text(encoding="utf-8"))


def test_the_shipped_config_loads_with_sources_and_topics() -> None:
    settings = load_settings(SHIPPED, {})
    assert len(settings.feeds.sources) >= 10
    assert {t.id for t in settings.topics} == {
        "emergency_response",
        "public_health",
        "disaster_risk",
        "cbrn_biosafety",
        "capacity_building",
        "cooperation_frameworks",
    }
    assert settings.database_url == "sqlite+aiosqlite:///data/coopwatch.db"
    assert settings.bot.token is None
    assert settings.feeds.limits.allow_private_addresses is False


def test_environment_overrides_secrets_and_deployment_values() -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": "123:secret-token",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
        "TELEGRAM_API_BASE_FILE_URL": "http://127.0.0.1:8081/file/bot",
        "COOPWATCH_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1/coopwatch",
    }
    settings = load_settings(SHIPPED, env)
    assert settings.bot.token == "123:secret-token"
    assert settings.bot.base_url == "http://127.0.0.1:8081/bot"
    assert settings.bot.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert "secret-token" not in repr(settings)


def _with(path: tuple, value) -> dict:
    raw = shipped()
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return raw


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("feeds", "jitter"), "lots", "feeds.jitter: expected an integer or a number, got a string"),
        (("feeds", "jitter"), 3, "feeds.jitter: expected a number between 0 and 0.5, got 3"),
        (("feeds", "max_concurrency"), True, "feeds.max_concurrency: expected an integer, got a boolean"),
        (("feeds", "allow_private_addresses"), "yes", "feeds.allow_private_addresses: expected true or false"),
        (("feeds", "intervall"), 60, "feeds.intervall: unknown key in feeds"),
        (("bot", "admins"), ["alice"], "bot.admins: expected an array of Telegram user ids"),
        (("bot", "mode"), "push", "bot.mode: expected one of polling, webhook, got 'push'"),
        (("bot", "mode"), "webhook", 'bot.webhook.url: required when bot.mode is "webhook"'),
        (("database", "url"), "mysql://x", "database.url: expected sqlite+aiosqlite:///PATH or postgresql+asyncpg"),
        (("logging", "format"), "xml", "logging.format: expected one of text, json, got 'xml'"),
        (("delivery", "global_per_second"), 0, "delivery.global_per_second: expected a number between 0.1 and 1000"),
        (("colour",), "blue", "colour: unknown key in top level"),
    ],
)
def test_bad_values_name_the_key_and_the_expectation(path, value, message) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping(_with(path, value), {})
    assert message in str(caught.value)


def test_bad_feed_source_entries_name_their_index() -> None:
    raw = shipped()
    raw["feeds"]["sources"][2]["url"] = "ftp://example.org/feed"
    with pytest.raises(ConfigError, match=r"feeds\.sources\[2\]\.url: expected an http:// or https:// URL"):
        settings_from_mapping(raw, {})
    raw = shipped()
    raw["feeds"]["sources"][1]["topics"] = ["weather"]
    with pytest.raises(ConfigError, match=r"feeds\.sources\[1\]\.topics: unknown topic 'weather'"):
        settings_from_mapping(raw, {})
    raw = shipped()
    raw["feeds"]["sources"][0]["colour"] = "red"
    with pytest.raises(ConfigError, match=r"feeds\.sources\[0\]\.colour: unknown key"):
        settings_from_mapping(raw, {})
    raw = shipped()
    raw["feeds"]["sources"][3]["full_text"] = "sometimes"
    with pytest.raises(ConfigError, match=r"feeds\.sources\[3\]\.full_text: expected one of auto, always, never"):
        settings_from_mapping(raw, {})
    raw = shipped()
    raw["feeds"]["sources"][3]["full_text"] = "never"
    assert settings_from_mapping(raw, {}).feeds.sources[3].full_text == "never"


def test_a_missing_or_broken_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_settings(tmp_path / "nope.toml", {})
    broken = tmp_path / "broken.toml"
    broken.write_text("[feeds\nurl = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(broken, {})


def test_retrained_weights_live_beside_the_database_not_in_the_package(tmp_path: Path) -> None:
    database = {"COOPWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db' / 'coopwatch.db'}"}
    settings = settings_from_mapping({"topics": TOPICS}, database)
    out = retrained_classifier_path(settings)
    assert out == tmp_path / "db" / "classifier.npz" and out != DEFAULT_CLASSIFIER_PATH
    assert annotator_settings(settings).classifier_path is None  # nothing retrained: the shipped weights
    out.parent.mkdir(parents=True)
    out.write_bytes(b"weights")
    assert annotator_settings(settings).classifier_path == str(out)  # the next start loads the retrained ones
    chosen = settings_from_mapping(
        {"topics": TOPICS, "analysis": {"classifier_path": str(tmp_path / "w.npz")}}, database
    )
    assert retrained_classifier_path(chosen) == tmp_path / "w.npz"  # a configured path wins
    postgres = settings_from_mapping({"topics": TOPICS}, {"COOPWATCH_DATABASE_URL": "postgresql+asyncpg://x@h/db"})
    assert retrained_classifier_path(postgres) == Path("data") / "classifier.npz"


def test_retention_has_defaults_and_refuses_nonsense() -> None:
    default = settings_from_mapping({"topics": TOPICS}, {}).retention
    assert (default.items_days, default.outbox_days) == (365.0, 30.0)
    assert settings_from_mapping({"topics": TOPICS, "retention": {"items_days": 90}}, {}).retention.items_days == 90
    for bad in ({"items_days": 0}, {"outbox_days": "long"}, {"feedback_days": 3}):
        with pytest.raises(ConfigError, match=r"retention\."):
            settings_from_mapping({"topics": TOPICS, "retention": bad}, {})


def test_review_retrain_keys_have_defaults_and_bounds() -> None:
    settings = settings_from_mapping({"topics": TOPICS}, {})
    assert (settings.review.feedback_quorum, settings.review.retrain_folds) == (2, 5)
    chosen = settings_from_mapping({"topics": TOPICS, "review": {"feedback_quorum": 3, "retrain_folds": 3}}, {})
    assert (chosen.review.feedback_quorum, chosen.review.retrain_folds) == (3, 3)
    with pytest.raises(ConfigError, match=r"review\.retrain_folds: expected a whole number between 2 and 20"):
        settings_from_mapping({"topics": TOPICS, "review": {"retrain_folds": 1}}, {})
    with pytest.raises(ConfigError, match=r"review\.feedback_quorum"):
        settings_from_mapping({"topics": TOPICS, "review": {"feedback_quorum": 0}}, {})
