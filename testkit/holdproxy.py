"""A Bot API proxy that can hold send requests on the wire: the worst moment for a crash, on demand.

It sits between a worker and the emulator (its ``base_url`` replaces the emulator's). While ``holding``, each
send request waits in the proxy; ``forward_held`` passes the waiting ones on, so Telegram (the emulator) takes
them, and keeps their answers back until ``release``. A worker killed in between has sends that Telegram
accepted and it never heard about: the case bench/crash.py and tests/delivery/test_crash.py are about.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

SEND_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument"})
HOP_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})


@dataclass
class _Held:
    forward: asyncio.Event = field(default_factory=asyncio.Event)
    forwarded: asyncio.Event = field(default_factory=asyncio.Event)


class HoldingProxy:
    def __init__(self, upstream: str) -> None:
        """``upstream`` is the emulator's root URL (``EmulatorClient.url``)."""
        self.upstream = upstream.removesuffix("/")
        self.holding = True
        self.held: list[_Held] = []
        self._changed = asyncio.Condition()
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.url = ""

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    async def __aenter__(self) -> HoldingProxy:
        self._client = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    async def wait_held(self, count: int) -> None:
        """Until ``count`` send requests wait in the proxy (bound it with ``asyncio.timeout``)."""
        async with self._changed:
            await self._changed.wait_for(lambda: len(self.held) >= count)

    async def forward_held(self) -> int:
        """Pass every waiting send on to the emulator and wait until it has answered each; answers stay here."""
        waiting = list(self.held)
        for held in waiting:
            held.forward.set()
        for held in waiting:
            await held.forwarded.wait()
        return len(waiting)

    def release(self) -> None:
        """Stop holding: answers kept back go out, and later requests pass straight through."""
        self.holding = False
        self._release.set()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        method = request.path.rsplit("/", 1)[-1].lower()
        if not (self.holding and method in SEND_METHODS):
            return await self._pass(request, body)
        held = _Held()
        async with self._changed:
            self.held.append(held)
            self._changed.notify_all()
        await held.forward.wait()
        answer = await self._pass(request, body)
        held.forwarded.set()
        await self._release.wait()  # a killed worker never gets this answer
        return answer

    async def _pass(self, request: web.Request, body: bytes) -> web.Response:
        assert self._client is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        url = f"{self.upstream}{request.path_qs}"
        async with self._client.request(request.method, url, data=body, headers=headers) as reply:
            payload = await reply.read()
            kept = {k: v for k, v in reply.headers.items() if k.lower() == "content-type"}
            return web.Response(status=reply.status, body=payload, headers=kept)
