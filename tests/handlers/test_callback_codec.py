"""Issue 14 finding 2: callback data is parsed by one codec with a schema. Random and hostile data is refused
("expired") before anything is written; an id that is not this chat's is "expired" too."""

from __future__ import annotations

import random

import pytest

from handlers.callbacks import ForgedCallback, decode
from handlers.events import EVENTS_SCHEMA
from handlers.filters import is_country
from handlers.settings import SET_SCHEMA
from handlers.subscribe import SUB_SCHEMA
from presentation.i18n import LANGUAGES
from storage import chats as chat_store
from storage import subscriptions as sub_store
from tests.bot.conftest import TOPICS, Harness, subscribers

TOPIC_IDS = tuple(topic["id"] for topic in TOPICS)
SCHEMAS = {
    "sub": SUB_SCHEMA,
    "unsub": {"": ("int",)},
    "set": SET_SCHEMA,
    "lang": {"": (LANGUAGES,)},
    "s": {"": ("int", "int")},
    "e": EVENTS_SCHEMA,
}
HOSTILE = [
    "",
    ":",
    "sub",
    "sub:",
    "sub:t:",
    "sub:t:no_such_topic<b>",
    "sub:t:public_health:extra",
    "sub:c:kz",
    "sub:c:ZZ",
    "sub:c:<script>",
    "sub:ok:1",
    "unsub:-1",
    "unsub:1e3",
    "unsub:１２",  # fullwidth digits
    "unsub:" + "9" * 40,
    "set:mode:DIGEST",
    "set:quiet:22",
    "set:lang:de",
    "lang:",
    "lang:en:ru",
    "s:1",
    "s:a:b",
    "e:x:9:??:1",
    "e:u:99:-:0",
    "e:u:-:--:0",
    "e:u:-:-:0" + "0" * 60,
    "javascript:alert(1)",
    "sub:t:&amp;",
    "sub:t:\u202e",
    "sub:\x00:ok",
]


def _random_data(rng: random.Random) -> str:
    kind = rng.choice([*SCHEMAS, "zzz", ""])
    alphabet = "ab0129:*-_<>&;\"' ЖЯ😀\x00%KZ"
    pieces = [kind]
    for _ in range(rng.randint(0, 5)):
        choice = rng.random()
        if choice < 0.3:
            pieces.append(rng.choice([*TOPIC_IDS, "t", "c", "ok", "mode", "lang", "u", "p", "-", "*"]))
        elif choice < 0.5:
            pieces.append(str(rng.randint(-5, 10**14)))
        else:
            pieces.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))))
    return ":".join(pieces)


def _valid(value: object, field: object) -> bool:
    if isinstance(field, tuple):
        return value in field
    if field == "int":
        return isinstance(value, int) and value >= 0
    if str(field).startswith("topic"):
        return value is None or value in TOPIC_IDS
    return value is None or (isinstance(value, str) and is_country(value))


@pytest.mark.parametrize("seed", range(5))
def test_random_data_is_refused_or_decodes_to_values_of_its_schema(seed: int) -> None:
    rng = random.Random(seed)
    refused = 0
    for _ in range(2000):
        data = _random_data(rng)
        for kind, schema in SCHEMAS.items():
            try:
                decoded = decode(data, kind, schema, TOPIC_IDS)
            except ForgedCallback:
                refused += 1
                continue
            fields = schema[decoded.variant]
            assert len(decoded.fields) == len(fields), data
            assert all(_valid(v, f) for v, f in zip(decoded.fields, fields, strict=True)), data
    assert refused > 0


def test_hostile_data_is_refused_by_every_schema() -> None:
    for data in HOSTILE:
        for kind, schema in SCHEMAS.items():
            with pytest.raises(ForgedCallback):
                decode(data, kind, schema, TOPIC_IDS)


async def _state(h: Harness, chat_ids: list[int]) -> list[object]:
    async with h.database.read_session() as session:
        state: list[object] = []
        for chat_id in chat_ids:
            subs = await sub_store.list_subscriptions(session, chat_id)
            row = await chat_store.get_chat(session, chat_id)
            state.append([(s.id, s.topic, s.country, s.thread_id) for s in subs])
            state.append((row.language, chat_store.chat_settings(row)) if row else None)
        return state


async def test_forged_presses_by_the_owner_are_expired_and_write_nothing(harness: Harness) -> None:
    h = harness
    user, other = 240_001, 240_002
    for uid in (user, other):
        h.emulator.add_user(uid, "Owner")
    await subscribers(h.database, [other])
    async with h.database.read_session() as session:
        [others] = await sub_store.list_subscriptions(session, other)
    [menu] = await h.say(user, "/subscribe")
    before = await _state(h, [user, other])
    rng = random.Random(14)
    samples = HOSTILE[1:] + [_random_data(rng) for _ in range(40)] + [f"unsub:{others.id}"]
    for data in samples:
        refused = all(_refused_by(data, kind, schema) for kind, schema in SCHEMAS.items())
        if not refused and data != f"unsub:{others.id}":
            continue  # valid by chance: not what this test is about
        query = await h.press(user, menu.message_id, data, user_id=user, forged=True)
        [answer] = h.emulator.callback_answers(query)
        assert answer.show_alert and "expired" in answer.text, data
    assert await _state(h, [user, other]) == before
    async with h.database.read_session() as session:
        assert [s.id for s in await sub_store.list_subscriptions(session, other)] == [others.id]


def _refused_by(data: str, kind: str, schema: object) -> bool:
    try:
        decode(data, kind, schema, TOPIC_IDS)  # type: ignore[arg-type]
    except ForgedCallback:
        return True
    return False
