"""Fixtures for the emulator's own tests: a served emulator and a real python-telegram-bot Bot on it."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from emulator import Emulator, EmulatorConfig, RateLimits

# Functional tests send several messages to one chat in a row; pacing has tests of its own.
NO_LIMITS = RateLimits(enabled=False)


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., Emulator]]:
    started: list[Emulator] = []

    def make(**config: object) -> Emulator:
        emulator = Emulator(EmulatorConfig(**config)).start()  # type: ignore[arg-type]
        started.append(emulator)
        return emulator

    yield make
    for emulator in started:
        emulator.stop()


@pytest.fixture
def emulator(make_emulator: Callable[..., Emulator]) -> Emulator:
    """Telegram's real limits."""
    return make_emulator()


@pytest.fixture
def relaxed(make_emulator: Callable[..., Emulator]) -> Emulator:
    return make_emulator(limits=NO_LIMITS)


def bot_for(emulator: Emulator) -> Bot:
    return Bot(emulator.token, base_url=emulator.base_url, base_file_url=emulator.base_file_url)


@pytest.fixture
async def bot(emulator: Emulator) -> AsyncIterator[Bot]:
    async with bot_for(emulator) as bot:
        yield bot


@pytest.fixture
async def relaxed_bot(relaxed: Emulator) -> AsyncIterator[Bot]:
    async with bot_for(relaxed) as bot:
        yield bot


def retry_seconds(error: RetryAfter) -> float:
    """RetryAfter.retry_after in seconds (an int now, a timedelta once PTB_TIMEDELTA is the default)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
