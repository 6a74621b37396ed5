"""Fixtures for the feeds/ tests (``feed_server`` itself lives in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from feeds.fetch import build_client
from model.settings import FetchLimits


@pytest.fixture
def limits() -> FetchLimits:
    # Short timeouts keep failing cases quick; private addresses allowed for the loopback server.
    return FetchLimits(
        connect_timeout=2.0,
        read_timeout=2.0,
        total_timeout=5.0,
        max_body_bytes=1024 * 1024,
        allow_private_addresses=True,
    )


@pytest.fixture
async def client(limits: FetchLimits) -> AsyncIterator[httpx.AsyncClient]:
    async with build_client(limits, max_connections=10) as shared:
        yield shared
