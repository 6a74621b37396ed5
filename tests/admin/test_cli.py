"""``chats list|show`` and ``subs add|remove`` on the command line, against a real SQLite file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.cli import main
from storage import chats as chat_store
from storage import subscriptions as sub_store
from storage.db import Database
from tests.admin.helpers import audit_actions, subscriptions_of

ROOT = Path(__file__).resolve().parents[2]
GROUP = -100600


async def _seed(url: str) -> None:
    db = Database(url)
    await db.upgrade()
    async with db.session() as session:
        await chat_store.upsert_chat(session, chat_id=GROUP, type="supergroup", title="Ops room", language="ru")
        await chat_store.upsert_chat(session, chat_id=4242, type="private", username="alice")
        await sub_store.add_subscription(session, GROUP, topic="public_health", country=None)
    await db.aclose()


async def _read(url: str, reader):  # noqa: ANN001, ANN202
    db = Database(url)
    try:
        return await reader(db)
    finally:
        await db.aclose()


@pytest.fixture
def db_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("COOPWATCH_DATABASE_URL", url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    asyncio.run(_seed(url))
    return url


def cli(*args: str) -> int:
    return main(["--config", str(ROOT / "config.toml"), *args])


def test_chats_list_as_json_and_text(db_url: str, capsys) -> None:
    assert cli("chats", "list", "--json") == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["id"] for r in rows} == {GROUP, 4242}
    group = next(r for r in rows if r["id"] == GROUP)
    assert group["title"] == "Ops room" and group["language"] == "ru" and group["mode"] == "instant"
    assert cli("chats", "list") == 0
    assert "Ops room" in capsys.readouterr().out


def test_chats_show_and_subs_add_remove_with_audit(db_url: str, capsys) -> None:
    assert cli("chats", "show", str(GROUP)) == 0
    shown = capsys.readouterr().out
    assert "public_health\t*\t0" in shown and "last delivery: never" in shown
    assert cli("subs", "add", str(GROUP), "disaster_risk", "KZ", "uz") == 0
    assert "added 2" in capsys.readouterr().out
    subs = asyncio.run(_read(db_url, lambda db: subscriptions_of(db, GROUP)))
    assert subs == {("public_health", None), ("disaster_risk", "KZ"), ("disaster_risk", "UZ")}
    assert cli("subs", "remove", str(GROUP), "disaster_risk", "KZ") == 0
    subs = asyncio.run(_read(db_url, lambda db: subscriptions_of(db, GROUP)))
    assert subs == {("public_health", None), ("disaster_risk", "UZ")}
    actions = asyncio.run(_read(db_url, audit_actions))
    assert [(a, c) for _, a, c in actions] == [("sub_add", GROUP), ("sub_remove", GROUP)]
    assert all(actor.startswith("cli:") for actor, _, _ in actions)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("subs", "add", str(GROUP), "no_such_topic"), 2, "unknown topic"),
        (("subs", "add", str(GROUP), "public_health", "XX1"), 2, "country code"),
        (("subs", "add", "-999", "public_health"), 1, "no chat -999"),
        (("chats", "show", "-999"), 1, "no chat -999"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(db_url: str, capsys, args, code, message) -> None:  # noqa: ANN001
    assert cli(*args) == code
    assert message in capsys.readouterr().err
    assert asyncio.run(_read(db_url, lambda db: subscriptions_of(db, GROUP))) == {("public_health", None)}
    assert asyncio.run(_read(db_url, audit_actions)) == []
