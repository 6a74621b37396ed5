"""The admin's view of chats (/chats) through the emulator, with chats present."""

from __future__ import annotations

from tests.bot.conftest import ADMIN, Harness, subscribers

GROUP = -100600


async def test_chats_lists_present_chats_for_an_admin(harness: Harness) -> None:
    h = harness
    h.emulator.add_user(ADMIN, "Admin")
    h.emulator.add_chat(GROUP, "supergroup", "Ops <room> & co", admins=[ADMIN])
    await subscribers(h.database, [GROUP, 4242])
    [listing] = await h.say(ADMIN, "/chats")
    assert "error" not in listing.text.lower()
    assert str(GROUP) in listing.text and "4242" in listing.text
