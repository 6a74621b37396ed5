"""The bot harness of tests/bot (the real Application against the Bot API emulator, on a real SQLite file)."""

from tests.bot.conftest import bot_tables, emulator, harness, make_emulator  # noqa: F401 - fixtures
