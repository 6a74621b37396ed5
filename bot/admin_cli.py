"""The command line's mirror of the admins' chat view: ``chats list [--json]``, ``chats show ID`` and
``subs add|remove CHAT TOPIC [COUNTRY...]``. Changes are written to the audit log as ``cli:<login>``."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import timedelta
from typing import Any, TextIO

from bot.bootstrap import open_database
from bot.settings import Settings
from handlers.filters import is_country
from storage import chat_admin
from storage import chats as chat_store
from storage.models import Chat, utcnow

ANY = ("*", "all")  # a topic or country word meaning "every"


class CliArgumentError(ValueError):
    """A chat id, topic or country the command line cannot use; the message says which."""


def add_parsers(sub: argparse._SubParsersAction) -> None:
    chats = sub.add_parser("chats", help="chats the bot knows: list them or show one")
    chats_sub = chats.add_subparsers(dest="chats_command", required=True)
    listing = chats_sub.add_parser("list", help="every chat, one a line")
    listing.add_argument("--json", action="store_true", help="JSON lines instead of text")
    show = chats_sub.add_parser("show", help="one chat's card: settings, subscriptions, last delivery and error")
    show.add_argument("chat_id", type=int)
    subs = sub.add_parser("subs", help="add or remove a chat's subscription")
    subs.add_argument("subs_command", choices=["add", "remove"])
    subs.add_argument("chat_id", type=int)
    subs.add_argument("topic", help="a topic id, or * for every topic")
    subs.add_argument("countries", nargs="*", metavar="COUNTRY", help="two-letter codes; none: every country")


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in a container
        return "cli:unknown"


def _chat_json(chat: Chat) -> dict[str, Any]:
    settings = chat_store.chat_settings(chat)
    return {
        "id": chat.id,
        "type": chat.type,
        "title": chat.title,
        "username": chat.username,
        "language": chat.language,
        "active": chat.active,
        "paused": settings.paused,
        "mode": settings.mode,
    }


async def chats_command(settings: Settings, args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    async with open_database(settings) as database, database.read_session() as session:
        if args.chats_command == "list":
            for chat in await chat_store.list_chats(session):
                data = _chat_json(chat)
                if args.json:
                    out.write(json.dumps(data, ensure_ascii=False) + "\n")
                else:
                    state = "active" if chat.active else "inactive"
                    state += ", paused" if data["paused"] else ""
                    out.write(
                        f"{chat.id}\t{chat.type}\t{chat.title or chat.username or '-'}\t{chat.language}\t{state}\n"
                    )
            return 0
        card = await chat_admin.get_card(session, args.chat_id, since=utcnow() - timedelta(days=7))
    if card is None:
        print(f"coopwatch: no chat {args.chat_id}", file=sys.stderr)
        return 1
    data = _chat_json(card.chat)
    for key, value in data.items():
        out.write(f"{key}: {value}\n")
    chat_settings = chat_store.chat_settings(card.chat)
    out.write(f"quiet hours: {chat_settings.quiet_start}-{chat_settings.quiet_end} {chat_settings.timezone}\n")
    out.write(f"last delivery: {card.last_delivery.isoformat() if card.last_delivery else 'never'}\n")
    out.write(f"last error: {card.last_error or '-'}\n")
    out.write("subscriptions (alerts sent in 7 days):\n")
    for use in card.subscriptions:
        sub = use.subscription
        out.write(f"  {sub.id}\t{sub.topic or '*'}\t{sub.country or '*'}\t{use.sent_recently}\n")
    return 0


def parse_filter(settings: Settings, topic: str, countries: list[str]) -> tuple[str | None, list[str | None]]:
    """The topic (None: every topic) and the countries (empty: every country); CliArgumentError otherwise."""
    topic_ids = {t.id for t in settings.topics}
    if topic not in ANY and topic not in topic_ids:
        raise CliArgumentError(f"unknown topic {topic!r} (known: {', '.join(sorted(topic_ids))}, or *)")
    codes: list[str | None] = []
    for word in countries:
        code = word.upper()
        if word in ANY:
            codes.append(None)
        elif is_country(code):
            codes.append(code)
        else:
            raise CliArgumentError(f"{word!r} is not a two-letter country code")
    return (None if topic in ANY else topic), codes


async def subs_command(settings: Settings, args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        topic, countries = parse_filter(settings, args.topic, args.countries)
    except CliArgumentError as exc:
        print(f"coopwatch: {exc}", file=sys.stderr)
        return 2
    async with open_database(settings) as database, database.session() as session:
        if await chat_store.get_chat(session, args.chat_id) is None:
            print(f"coopwatch: no chat {args.chat_id}", file=sys.stderr)
            return 1
        if args.subs_command == "add":
            n = await chat_admin.add_subscriptions(session, actor(), args.chat_id, topic, countries)
            out.write(f"added {n} subscription(s) to {args.chat_id}\n")
        else:
            n = await chat_admin.remove_matching(session, actor(), args.chat_id, topic, countries)
            out.write(f"removed {n} subscription(s) from {args.chat_id}\n")
    return 0
