"""The Telegram update loop, watched and healed (issue 14, finding 6).

python-telegram-bot's polling loop retries network errors and 5xx answers itself, with a back-off (1 s growing
to 30 s), but a 401 ends it for good ("Aborting retry loop") while the process looks alive. Here:

- ``LinkRequest`` sees every getUpdates answer, so ``TelegramLink`` knows the last successful one and the last
  error; /healthz is not ok while polling is down or has not succeeded for ``STALE_AFTER`` seconds.
- ``UpdateLoop`` waits for PTB's polling task to end. On a 401 it asks getMe a few times: a token that getMe
  refuses too, or a 401 that comes back after ``REFUSED_RESTARTS`` restarts, is revoked (``link.revoked``; ``run``
  exits with its own status). Any other end is passing trouble: polling starts again, on a fresh Updater (one
  whose loop died cannot start again: its stop re-raises the error and leaves its stop event set), after a
  back-off that doubles up to ``RESTART_BACKOFF[1]``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, Updater
from telegram.request import HTTPXRequest

from bot.ops.logs import redact

log = logging.getLogger(__name__)

POLLING_TASK = "Updater:start_polling:polling_task"  # python-telegram-bot's name for its getUpdates loop
POLL_TIMEOUT = 10  # seconds of long polling: a healthy link answers getUpdates at least this often
STALE_AFTER = 60.0  # seconds without a successful getUpdates before the link is not ok
TOKEN_CHECKS = (1.0, 2.0, 4.0)  # getMe tries, seconds apart, to tell a revoked token from a refused getUpdates
REFUSED_RESTARTS = 3  # 401s on getUpdates in a row (getMe accepting the token each time) that mean revoked
RESTART_BACKOFF = (1.0, 60.0)  # the first wait before polling again, and the most


@dataclass
class TelegramLink:
    """The update loop's state, for /healthz and for ``run``. Written on the event loop, read by the health
    thread (plain attribute reads)."""

    clock: Any = time.monotonic
    started_at: float = field(default_factory=time.monotonic)
    polling: bool = False
    last_ok_at: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    failures: int = 0  # failed getUpdates since the last success
    restarts: int = 0
    revoked: asyncio.Event = field(default_factory=asyncio.Event)
    reason: str | None = None

    def succeeded(self) -> None:
        self.last_ok_at, self.failures = self.clock(), 0

    def failed(self, error: BaseException | str) -> None:
        text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
        self.last_error, self.last_error_at = redact(text)[:300], self.clock()
        self.failures += 1

    def report(self) -> dict[str, object]:
        now = self.clock()
        since_ok = now - (self.last_ok_at if self.last_ok_at is not None else self.started_at)
        return {
            "ok": self.polling and not self.revoked.is_set() and since_ok <= STALE_AFTER,
            "polling": self.polling,
            "seconds_since_get_updates_ok": None if self.last_ok_at is None else round(now - self.last_ok_at, 1),
            "failures_in_a_row": self.failures,
            "last_error": self.last_error,
            "seconds_since_error": None if self.last_error_at is None else round(now - self.last_error_at, 1),
            "restarts": self.restarts,
            "reason": self.reason,
        }


class LinkRequest(HTTPXRequest):
    """python-telegram-bot's request for getUpdates, telling ``link`` how each answer went (timeouts and
    connection errors included, which PTB's error callback never sees)."""

    def __init__(self, link: TelegramLink) -> None:
        super().__init__(connection_pool_size=1)
        self.link = link

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            code, payload = await super().do_request(*args, **kwargs)
        except TelegramError as exc:
            self.link.failed(exc)
            raise
        if code == 200:
            self.link.succeeded()
        else:
            self.link.failed(f"HTTP {code}: {_description(payload)}")
        return code, payload


def _description(payload: bytes) -> str:
    with contextlib.suppress(ValueError, AttributeError):
        return str(json.loads(payload).get("description", ""))[:200]
    return ""


class UpdateLoop:
    """Long polling through python-telegram-bot's Updater, started again when it ends (see the module)."""

    def __init__(self, application: Application, link: TelegramLink) -> None:
        self.application = application
        self.link = link
        self._polling: asyncio.Task[object] | None = None
        self._watch: asyncio.Task[None] | None = None
        self._backoff_step = 0
        self._refused = 0
        self._restarted_at = 0.0
        self._last_start_error: BaseException | None = None

    async def start(self) -> None:
        """Poll, then watch; an error here (at start-up) is the caller's."""
        await self._start_polling()
        self._watch = asyncio.get_running_loop().create_task(self._keep_polling(), name="telegram-update-loop")

    async def stop(self) -> None:
        """Stop watching (a token check or a back-off wait), then receiving."""
        watch, self._watch = self._watch, None
        if watch is not None and not watch.done():
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch
        await stop_updater(self.application.updater)
        self.link.polling = False

    async def _start_polling(self) -> None:
        updater = self.application.updater
        assert updater is not None
        await updater.start_polling(allowed_updates=Update.ALL_TYPES, error_callback=_log_error, timeout=POLL_TIMEOUT)
        self._polling = next((t for t in asyncio.all_tasks() if t.get_name() == POLLING_TASK and not t.done()), None)
        if self._polling is None:
            raise RuntimeError(f"cannot find python-telegram-bot's polling task ({POLLING_TASK})")
        self.link.polling = True

    async def _keep_polling(self) -> None:
        while True:
            assert self._polling is not None
            await asyncio.wait({self._polling})
            self.link.polling = False
            error = None if self._polling.cancelled() else self._polling.exception()
            while True:
                if self.link.last_ok_at is not None and self.link.last_ok_at > self._restarted_at:
                    self._backoff_step, self._refused = 0, 0  # polling worked for a while since the last restart
                if isinstance(error, InvalidToken):
                    if await self._is_revoked():
                        return
                else:
                    log.error("the Telegram update loop ended (%s); polling again", redact(str(error)))
                if await self._restart():
                    break
                error = self._last_start_error

    async def _is_revoked(self) -> bool:
        log.error("Telegram refused getUpdates (401 Unauthorized); checking the token with getMe")
        refused = 0
        for delay in TOKEN_CHECKS:
            await asyncio.sleep(delay)
            try:
                await self.application.bot.get_me()
            except InvalidToken as exc:
                refused += 1
                self.link.failed(exc)
            except TelegramError as exc:  # the link, not the token
                self.link.failed(exc)
            else:
                break
        self._refused += 1
        if refused == len(TOKEN_CHECKS):
            reason = "Telegram refuses the bot token (401 Unauthorized on getUpdates and getMe): revoked or wrong"
        elif self._refused >= REFUSED_RESTARTS:
            reason = f"getUpdates answered 401 Unauthorized {self._refused} times in a row: the token is refused"
        else:
            return False
        self.link.reason = reason
        log.critical("%s; stopping so that the service manager restarts Coopwatch", reason)
        self.link.revoked.set()
        return True

    async def _restart(self) -> bool:
        """Wait out the back-off, then poll on a fresh Updater. False (and ``_last_start_error``) if that failed."""
        first, most = RESTART_BACKOFF
        wait = min(most, first * 2**self._backoff_step)
        self._backoff_step += 1
        log.warning("polling Telegram again in %.1f s", wait)
        await asyncio.sleep(wait)
        self.link.restarts += 1
        self._restarted_at = self.link.clock()
        await self._fresh_updater()
        try:
            await self._start_polling()
        except TelegramError as exc:
            self.link.failed(exc)
            log.error("polling could not start again: %s", exc)
            self._last_start_error = exc
            return False
        log.info("polling Telegram again (restart %d)", self.link.restarts)
        return True

    async def _fresh_updater(self) -> None:
        old = self.application.updater
        assert old is not None
        await stop_updater(old)
        updater = Updater(bot=self.application.bot, update_queue=self.application.update_queue)
        # Updates already queued stay confirmed: the next getUpdates starts after them (no public setter).
        updater._last_update_id = old._last_update_id  # noqa: SLF001
        await updater.initialize()
        self.application.updater = updater


async def stop_updater(updater: Updater | None) -> None:
    """Stop receiving. A polling loop that ended on an error re-raises it from stop(): that must not turn a clean
    SIGTERM into a failure."""
    if updater is not None and updater.running:
        try:
            await updater.stop()
        except TelegramError as exc:
            log.info("the update loop had ended on %s", type(exc).__name__)


def _log_error(error: TelegramError) -> None:
    log.warning("getUpdates failed: %s", error)  # python-telegram-bot retries it with its back-off
