"""A feed's display name: set in config (``name = ...``), by ``/addfeed <url> name:<text>`` and by
``feeds add --name``, else the feed's title as plain text, else its host; a bad name is a clear error."""

from __future__ import annotations

from typing import Any

import pytest

from bot.settings import ConfigError, settings_from_mapping
from model.feed_names import MAX_NAME, display_name
from storage import feeds as feed_store
from testkit.feedserver import build_rss
from tests.bot.conftest import ADMIN, Harness
from tests.bot.test_settings import shipped
from tests.ingest.test_cli import local_config, run_cli


def test_config_sets_the_name_and_refuses_a_bad_one() -> None:
    raw = shipped()
    raw["feeds"]["sources"][0].pop("title", None)
    raw["feeds"]["sources"][0]["name"] = "  ReliefWeb KZ  "
    assert settings_from_mapping(raw, {}).feeds.sources[0].name == "ReliefWeb KZ"
    assert settings_from_mapping(shipped(), {}).feeds.sources[1].name == "ReliefWeb: Kyrgyzstan"
    for bad, why in (("   ", "cannot be empty"), ("x" * (MAX_NAME + 1), "at most"), ("two\nlines", "control")):
        raw["feeds"]["sources"][0]["name"] = bad
        with pytest.raises(ConfigError, match=rf"feeds\.sources\[0\]\.name: .*{why}"):
            settings_from_mapping(raw, {})


def test_the_name_falls_back_to_the_title_then_the_host() -> None:
    assert display_name("Set", "Own title", "https://www.example.org/rss") == "Set"
    assert display_name(None, "Own title", "https://www.example.org/rss") == "Own title"
    assert display_name(None, "  ", "https://www.example.org/rss") == "example.org"


@pytest.fixture
def bot_tables() -> dict[str, Any]:
    return {"feeds": {"allow_private_addresses": True}}


async def test_addfeed_takes_a_name_and_lists_the_feed_by_it(harness: Harness, feed_server) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    named = feed_server.set_feed("/names/named.xml", build_rss(2, feed_id="named", title="Wire <b>raw</b>"))
    plain = feed_server.set_feed("/names/plain.xml", build_rss(2, feed_id="plain", title="Plain wire"))
    [added] = await h.say(ADMIN, f"/addfeed {named} name:Almaty <Desk> & co")
    assert "Almaty <Desk> & co" in added.text, added.text
    [added] = await h.say(ADMIN, f"/addfeed {plain}")
    assert "Plain wire" in added.text
    async with h.database.read_session() as session:
        feed = await feed_store.get_feed_by_url(session, named)
        assert feed is not None and feed.name == "Almaty <Desk> & co" and feed.title == "Wire raw"
    [listing] = await h.say(ADMIN, "/feeds")
    assert "Almaty <Desk> & co" in listing.text and "Plain wire" in listing.text
    other = feed_server.set_feed("/names/other.xml", build_rss(1, feed_id="other"))
    [empty] = await h.say(ADMIN, f"/addfeed {other} name:")
    assert "name is empty" in empty.text
    [long] = await h.say(ADMIN, f"/addfeed {other} name:{'x' * (MAX_NAME + 1)}")
    assert f"at most {MAX_NAME} characters" in long.text
    [control] = await h.say(ADMIN, f"/addfeed {other} name:evil\u202eeman")
    assert "control characters" in control.text
    async with h.database.read_session() as session:
        assert await feed_store.get_feed_by_url(session, other) is None


def test_feeds_add_takes_a_name(tmp_path, feed_server) -> None:
    url = feed_server.set_feed(f"/names/{tmp_path.name}.xml", build_rss(2, feed_id=f"n{tmp_path.name}"))
    config = local_config(tmp_path, [])
    env = {"COOPWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    bad = run_cli("--config", str(config), "feeds", "add", url, "--name", "", cwd=tmp_path, env=env)
    assert bad.returncode == 2 and "cannot be empty" in bad.stderr, bad.stderr
    added = run_cli("--config", str(config), "feeds", "add", url, "--name", "Night desk", cwd=tmp_path, env=env)
    assert added.returncode == 0 and "Night desk" in added.stdout, added.stderr
    listed = run_cli("--config", str(config), "feeds", "list", cwd=tmp_path, env=env)
    assert "\tNight desk\t" in listed.stdout


async def test_addfeed_takes_a_full_text_mode_and_refuses_a_bad_one(harness: Harness, feed_server) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    teasers = feed_server.set_feed("/names/teasers.xml", build_rss(1, feed_id="teasers", title="Teasers"))
    [bad] = await h.say(ADMIN, f"/addfeed {teasers} full_text:sometimes")
    assert "full_text: expected one of auto, always, never" in bad.text, bad.text
    async with h.database.read_session() as session:
        assert await feed_store.get_feed_by_url(session, teasers) is None
    [added] = await h.say(ADMIN, f"/addfeed {teasers} full_text:never name:Teaser desk")
    assert "Teaser desk" in added.text, added.text
    async with h.database.read_session() as session:
        feed = await feed_store.get_feed_by_url(session, teasers)
    assert feed is not None and (feed.full_text, feed.name) == ("never", "Teaser desk")
