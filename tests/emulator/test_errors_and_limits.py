"""Injected errors and rate-limit enforcement as python-telegram-bot sees them."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from emulator import Emulator, Fault, RateLimits
from emulator.limits import RateLimiter

from .conftest import bot_for, retry_seconds

# PTB 22 warns whenever RetryAfter.retry_after is read, its own __str__ included.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


async def test_injected_flood_is_retry_after_for_that_chat_only(relaxed: Emulator, relaxed_bot: Bot) -> None:
    relaxed.inject_flood(1, retry_after=17, count=2)
    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await relaxed_bot.send_message(1, "x")
        assert retry_seconds(caught.value) == 17
    await relaxed_bot.send_message(2, "other chat is not affected")
    await relaxed_bot.send_message(1, "third try goes through")
    assert [m.text for m in relaxed.sent_messages(1)] == ["third try goes through"]


async def test_blocked_and_kicked_are_forbidden(relaxed: Emulator, relaxed_bot: Bot) -> None:
    relaxed.inject_blocked(3)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await relaxed_bot.send_message(3, "x")
    relaxed.add_user(4, "Bek")
    relaxed.inject_my_chat_member(4, "kicked")  # the user blocks the bot: lasting, not one-shot
    for _ in range(2):
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await relaxed_bot.send_message(4, "x")
    relaxed.add_chat(-50, "group", "Team", admins=[4])
    relaxed.inject_my_chat_member(-50, "left", user_id=4)
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await relaxed_bot.send_message(-50, "x")


async def test_migration_raises_chat_migrated(relaxed: Emulator, relaxed_bot: Bot) -> None:
    relaxed.inject_migrate(-60, -100060)
    with pytest.raises(ChatMigrated) as caught:
        await relaxed_bot.send_message(-60, "x")
    assert caught.value.new_chat_id == -100060
    relaxed.add_chat(-70, "group", "Old group", admins=[5])
    relaxed.migrate_chat(-70, -100070)
    with pytest.raises(ChatMigrated):
        await relaxed_bot.send_message(-70, "x")
    sent = await relaxed_bot.send_message(-100070, "moved")
    assert sent.chat.type == "supergroup"
    assert (await relaxed_bot.get_chat_member(-100070, 5)).status == "administrator"
    service = [u["message"] for u in relaxed.pending_updates() if "message" in u]
    assert [m.get("migrate_to_chat_id") for m in service] == [-100070, None]


@pytest.mark.parametrize("status", [500, 502])
async def test_server_errors_are_network_errors(relaxed: Emulator, relaxed_bot: Bot, status: int) -> None:
    relaxed.inject_server_error(None, status)  # any chat
    with pytest.raises(NetworkError) as caught:
        await relaxed_bot.send_message(8, "x")
    assert not isinstance(caught.value, BadRequest)
    await relaxed_bot.send_message(8, "next one works")


async def test_fail_next_with_any_method_and_custom_fault(relaxed: Emulator, relaxed_bot: Bot) -> None:
    relaxed.fail_next(None, Fault(400, "Bad Request: custom"), methods=["getChat"])
    relaxed.add_user(9, "Gul")
    with pytest.raises(BadRequest, match="Custom"):
        await relaxed_bot.get_chat(9)
    assert (await relaxed_bot.get_chat(9)).id == 9
    assert relaxed.stats()["injected_errors"] == 1


async def test_second_message_within_a_second_is_429_and_a_violation(emulator: Emulator, bot: Bot) -> None:
    await bot.send_message(100, "first")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(100, "second, too soon")
    assert retry_seconds(caught.value) == 1
    [violation] = emulator.violations
    assert (violation.scope, violation.chat_id, violation.limit) == ("chat", 100, 1)
    assert [m.text for m in emulator.sent_messages(100)] == ["first"]
    assert len(emulator.send_times(100)) == 1 and emulator.stats()["rate_limited"] == 1


async def test_group_limit_is_per_minute(make_emulator) -> None:  # noqa: ANN001
    # Three per minute (instead of 20) keeps the test short; the per-chat limit is lifted to isolate it.
    emu = make_emulator(limits=RateLimits(group_limit=3, chat_limit=100))
    emu.add_chat(-100900, "channel", "Bulletin")
    async with bot_for(emu) as bot:
        for n in range(3):
            await bot.send_message(-100900, f"post {n}")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(-100900, "fourth")
        await bot.send_message(555, "a private chat is not a group")
    assert 55 <= retry_seconds(caught.value) <= 60
    assert [(v.scope, v.chat_id) for v in emu.violations] == [("group", -100900)]


async def test_overall_limit_across_chats(make_emulator) -> None:  # noqa: ANN001
    emu = make_emulator(limits=RateLimits(overall_limit=5, overall_window=60.0))
    async with bot_for(emu) as bot:
        for chat_id in range(1, 6):
            await bot.send_message(chat_id, "fan-out")
        with pytest.raises(RetryAfter):
            await bot.send_message(6, "sixth chat")
    assert [v.scope for v in emu.violations] == ["overall"]


async def test_record_only_mode_delivers_but_counts(make_emulator) -> None:  # noqa: ANN001
    emu = make_emulator(limits=RateLimits(enforce=False))
    async with bot_for(emu) as bot:
        await bot.send_message(1, "a")
        await bot.send_message(1, "b")
    assert len(emu.sent_messages(1)) == 2 and len(emu.violations) == 1


def test_sliding_window_with_tolerance() -> None:
    limiter = RateLimiter(RateLimits(tolerance=0.05))
    assert limiter.admit(1, "private", "sendMessage", 10.00) is None
    late_enough = limiter.admit(1, "private", "sendMessage", 10.96)  # within the 50 ms tolerance
    assert late_enough is None
    too_soon = limiter.admit(1, "private", "sendMessage", 11.50)
    assert too_soon is not None and too_soon.scope == "chat"
    assert limiter.send_times[1] == [10.00, 10.96]


def test_overall_window_slides() -> None:
    limiter = RateLimiter(RateLimits(tolerance=0.0))
    times = [i / 30 for i in range(30)]  # 30 sends spread over the first second, one per chat
    assert all(limiter.admit(i, "private", "sendMessage", t) is None for i, t in enumerate(times))
    assert limiter.admit(100, "private", "sendMessage", 0.99) is not None  # 31st inside the same second
    assert limiter.admit(101, "private", "sendMessage", 1.0) is None  # the first one has left the window


def test_group_window_counts_twenty_per_minute() -> None:
    limiter = RateLimiter(RateLimits())
    for n in range(20):
        assert limiter.admit(-5, "group", "sendMessage", n * 2.0) is None
    blocked = limiter.admit(-5, "group", "sendMessage", 40.0)
    assert blocked is not None and blocked.scope == "group" and blocked.retry_after == 20
    assert limiter.admit(-5, "group", "sendMessage", 60.0) is None
