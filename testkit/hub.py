"""A small WebSub hub on 127.0.0.1 for tests and benchmarks: it takes subscription requests, verifies each
with the subscriber (a GET with a challenge, as the spec says), and pushes signed (or forged) bodies."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

import aiohttp
from aiohttp import web


@dataclass
class Subscription:
    topic: str
    callback: str
    secret: str
    lease_seconds: int
    verified: bool = False


@dataclass
class LoopbackHub:
    subscriptions: dict[str, Subscription] = field(default_factory=dict)  # topic -> the latest request
    requests: int = 0
    verified: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hub"

    async def start(self) -> LoopbackHub:
        app = web.Application()
        app.router.add_post("/hub", self._subscribe)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _subscribe(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.requests += 1
        sub = Subscription(
            topic=str(form["hub.topic"]),
            callback=str(form["hub.callback"]),
            secret=str(form.get("hub.secret", "")),
            lease_seconds=int(str(form.get("hub.lease_seconds", "864000"))),
        )
        self.subscriptions[sub.topic] = sub
        asyncio.get_running_loop().create_task(self._verify(sub))  # after the 202, as real hubs do
        return web.Response(status=202)

    async def _verify(self, sub: Subscription) -> None:
        challenge = secrets.token_hex(8)
        query = {
            "hub.mode": "subscribe",
            "hub.topic": sub.topic,
            "hub.challenge": challenge,
            "hub.lease_seconds": str(sub.lease_seconds),
        }
        async with aiohttp.ClientSession() as session, session.get(f"{sub.callback}?{urlencode(query)}") as reply:
            sub.verified = reply.status == 200 and (await reply.text()) == challenge
        self.verified.set()

    async def push(
        self, topic: str, body: bytes, *, secret: str | None = None, method: str = "sha256", callback: str | None = None
    ) -> int:
        """Push ``body`` to the topic's subscriber, signed with its secret (or ``secret``); the HTTP status."""
        sub = self.subscriptions[topic]
        key = (sub.secret if secret is None else secret).encode()
        signature = f"{method}={hmac.new(key, body, getattr(hashlib, method)).hexdigest()}"
        headers = {"Content-Type": "application/rss+xml", "X-Hub-Signature": signature}
        async with (
            aiohttp.ClientSession() as session,
            session.post(callback or sub.callback, data=body, headers=headers) as reply,
        ):
            return reply.status
