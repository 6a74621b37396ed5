"""The HTTP face of the emulator: Bot API routes, file downloads, long polling, webhook pushes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from typing import Any, Self

from aiohttp import ClientSession, ClientTimeout, web

from . import methods
from .control import add_control_routes
from .faults import ApiError
from .params import Params, Upload
from .state import EmulatorConfig, EmulatorState

log = logging.getLogger(__name__)
MAX_BODY = 50 * 1024 * 1024  # Telegram's upload limit for bots
CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


async def read_params(request: web.Request) -> Params:
    params = Params(dict(request.query))
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else None
        if isinstance(body, dict):
            params.values.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                params.uploads[key] = Upload(value.file.read(), value.filename, value.content_type)
            else:
                params.values[key] = value
    return params


class Emulator(EmulatorState):
    """A Telegram Bot API server on 127.0.0.1 for python-telegram-bot's base_url.

    Run it in a thread of its own (start()/stop() or ``with Emulator() as emu``) or on the running loop
    (``await emu.start_async()`` / ``async with``)."""

    def __init__(self, config: EmulatorConfig | None = None, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(config)
        self.host = host
        self.port = port
        self.conflicts = 0
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._wake_event: asyncio.Event | None = None
        self._poll_generation = 0
        self._closing = False
        self._tasks: list[asyncio.Task[Any]] = []

    # -- addresses -----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ApplicationBuilder().base_url(...): PTB appends the token and "/method"."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def token(self) -> str:
        return self.config.token

    # -- lifecycle -----------------------------------------------------------------------------------
    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        add_control_routes(app, self)
        return app

    async def start_async(self) -> Self:
        self._loop = asyncio.get_running_loop()
        self._wake_event = asyncio.Event()
        self._closing = False
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        self._runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()
        self.add_listener(self._wake_threadsafe)
        self._tasks.append(asyncio.create_task(self._webhook_pusher()))
        return self

    async def stop_async(self) -> None:
        self._closing = True
        self._wake()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        with contextlib.suppress(ValueError):
            self.remove_listener(self._wake_threadsafe)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def start(self) -> Self:
        """Serve from a daemon thread with its own event loop; returns once the port is bound."""
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            try:
                loop.run_until_complete(self.start_async())
            except BaseException as err:  # noqa: BLE001 - reported to the starting thread
                errors.append(err)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop_async())
            loop.close()

        self._thread = threading.Thread(target=run, name="telegram-emulator", daemon=True)
        self._thread.start()
        ready.wait(30)
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        if self._thread is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await self.start_async()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop_async()

    # -- waking long polls ---------------------------------------------------------------------------
    def _wake(self) -> None:
        if self._wake_event is not None:
            self._wake_event.set()
            self._wake_event = asyncio.Event()

    def _wake_threadsafe(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake)

    # -- handlers ------------------------------------------------------------------------------------
    async def _handle_api(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        try:
            params = await read_params(request)
            if method.lower() == "getupdates":
                result: Any = await self._get_updates(params, token, request)
            else:
                result = methods.call(self, method, params, token)
        except ApiError as err:
            return web.json_response(err.to_api(), status=err.status)
        return web.json_response({"ok": True, "result": result})

    async def _get_updates(self, params: Params, token: str, request: web.Request) -> list[dict]:
        methods.call(self, "getUpdates", params, token)  # counts the call, fires injected faults
        timeout = min(max(params.int("timeout") or 0, 0), 50)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # an older poll still waiting learns it was replaced
        while True:
            event = self._wake_event
            assert event is not None
            with self._lock:
                updates = methods.fetch_updates(self, params)
            left = deadline - loop.time()
            if updates or left <= 0 or self._closing:
                return updates
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), left)
            if generation != self._poll_generation:
                transport = request.transport
                if transport is None or transport.is_closing():
                    return []  # the client gave up on this poll long ago: not a conflict
                self.conflicts += 1
                raise ApiError(409, CONFLICT)

    async def _handle_file(self, request: web.Request) -> web.Response:
        with self._lock:
            self.calls["file_download"] += 1  # tests check that a refused upload was never fetched
            stored = self.log.files_by_path.get(request.match_info["path"])
        if stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")

    async def _webhook_pusher(self) -> None:
        """When setWebhook is active, POST each queued update to it, in order, like Telegram does."""
        async with ClientSession(timeout=ClientTimeout(total=10)) as session:
            while not self._closing:
                event = self._wake_event
                assert event is not None
                with self._lock:
                    hook = dict(self.webhook) if self.webhook else None
                    update = self.updates.pending[0] if hook and self.updates.pending else None
                if hook is None or update is None:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(event.wait(), 0.5)
                    continue
                headers = {"X-Telegram-Bot-Api-Secret-Token": hook["secret_token"]} if hook["secret_token"] else {}
                try:
                    async with session.post(hook["url"], json=update, headers=headers) as response:
                        delivered = response.status == 200
                except Exception as err:  # noqa: BLE001 - Telegram retries any failure
                    log.debug("webhook push failed: %r", err)
                    delivered = False
                if delivered:
                    with self._lock:
                        self.updates.confirm(update["update_id"] + 1)
                        self._notify_records()
                else:
                    await asyncio.sleep(0.5)
