"""The bot under test (tests/bot/conftest.py): the sender runs inside the real Application."""

from tests.bot.conftest import bot_tables, emulator, harness, make_emulator  # noqa: F401 - fixtures
