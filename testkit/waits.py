"""Waiting on states instead of sleeping: a test that proves nothing was sent waits for the sender to be idle."""

from __future__ import annotations

import asyncio

from delivery.sender import Sender


async def sender_idle(sender: Sender, within: float = 15.0) -> None:
    """Until the sender's next pass finds nothing due and nothing in flight (``Sender.wait_idle``)."""
    async with asyncio.timeout(within):
        await sender.wait_idle()
