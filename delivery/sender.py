"""The outbox sender: claims due rows, sends them through the shared pacer, records each outcome at once.

Outcomes: sent (marked right after the send, so only a crash between the two can repeat a message);
429 (only that chat waits retry_after); 403 or "chat not found" (the chat is deactivated); a group that
became a supergroup (its subscriptions and pending rows move to the new id and are resent); network
errors and 5xx (retry with exponential back-off up to ``max_attempts``); other 400s (the row fails).

Several senders (deliver workers) may drain one PostgreSQL outbox: ``claim_due_paced`` keeps one row per
chat in flight across all of them and honours each chat's ``chat_pacing``; the SharedPacer spreads the
overall budget. A sender holds at most ``batch_size`` claimed rows, and a row that waits locally past 80%
of its lease is handed back unsent, so keep ``batch_size`` x workers / global_per_second well under the
lease.

Crash doubles: a row is marked ``sending_at`` just before its request and unmarked with its outcome, and a
sender keeps at most ``delivery.in_flight`` sends going at once. A row that comes back still marked (its worker
was killed mid-send) is "in doubt": the metric ``coopwatch_outbox_in_doubt`` counts it, its ``last_error``
says ``in_doubt``, and it is sent again (counted as an attempt, so a row that kills its worker every time ends
``failed``). So a kill loses nothing and doubles at most ``in_flight`` messages (measured: README).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from delivery import metrics
from delivery.feedback_markup import feedback_keyboard
from delivery.pacing import ClaimExpired, Pacer, retry_after_seconds
from delivery.reports import REPORT_KINDS, render_report_async
from model.settings import DeliverySettings
from presentation.i18n import normalise_language
from presentation.render import AlertView, render_alert
from storage import chats as chat_store
from storage import items as item_store
from storage import outbox
from storage import pacing as pacing_store
from storage.db import Database
from storage.models import Chat, OutboxMessage, utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF = 600.0
DEACTIVATING_400 = ("chat not found", "bot was kicked", "need administrator rights", "not enough rights")
# An edit that finds its text already in place has done its work; one whose message is gone (deleted by the
# chat, or older than Telegram lets a bot edit) has nothing left to do. Neither is a delivery failure.
EDIT_DONE_400 = ("message is not modified",)
EDIT_GONE_400 = ("message to edit not found", "message can't be edited", "message_id_invalid")


def backoff_seconds(attempts: int) -> float:
    return min(MAX_BACKOFF, 2.0 ** max(0, attempts)) * random.uniform(0.8, 1.2)


@dataclass(frozen=True)
class Outgoing:
    row_id: int
    chat_id: int
    thread_id: int | None
    text: str
    attempts: int
    kind: str = "alert"
    due_at: datetime | None = None  # when the row became due, for the latency metric
    deadline: float = math.inf  # monotonic time after which the claim may have lapsed: do not send
    photo: bytes | None = None  # spike/weekly rows: sent as a photo with ``text`` as its caption
    follow_up: str | None = None  # weekly rows: a message after the photo
    markup: InlineKeyboardMarkup | None = None  # alerts: the feedback buttons
    edit_message_id: int | None = None  # edit rows: the sent alert whose text is replaced


@dataclass
class SenderStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    flood_waits: int = 0
    deactivated: int = 0
    migrated: int = 0
    in_doubt: int = 0


def alert_language(chat: Chat) -> str:
    settings = chat_store.chat_settings(chat)
    return normalise_language(settings.alert_language or chat.language)


def payload_text(row: OutboxMessage, lang: str) -> str | None:
    """Text of a non-alert row: ``{"text": ...}`` or ``{"texts": {"en": ..., "ru": ...}}``."""
    payload = row.payload or {}
    texts = payload.get("texts")
    if isinstance(texts, dict):
        return texts.get(lang) or texts.get("en") or next(iter(texts.values()), None)
    text = payload.get("text")
    return text if isinstance(text, str) else None


@dataclass
class Sender:
    database: Database
    bot: Bot
    pacer: Pacer
    settings: DeliverySettings
    worker: str  # the name its outbox claims carry; a restart under the same name takes them back at once
    idle_interval: float = 1.0
    stats: SenderStats = field(default_factory=SenderStats)
    topic_name: Callable[[str, str], str] | None = None  # Runtime.topic_name, for report rows
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _in_flight: dict[int, asyncio.Task[None]] = field(default_factory=dict)  # chat id -> send
    _idle_passes: int = 0  # claim passes that found nothing due, nothing in flight (counted while awaited)
    _idle_waiters: int = 0
    _idle_changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    def wake(self) -> None:
        """Something was queued: look now instead of at the next idle tick."""
        self._wake.set()

    async def wait_idle(self) -> None:
        """Until a fresh pass finds no due pending row and no send in flight: whatever was due has had its
        outcome. Rows waiting for a digest or a later retry are not due. Bound it with ``asyncio.timeout``."""
        async with self._idle_changed:
            self._idle_waiters += 1
            seen = self._idle_passes
            self.wake()
            try:
                await self._idle_changed.wait_for(lambda: self._idle_passes > seen)
            finally:
                self._idle_waiters -= 1

    async def _note_idle(self) -> None:
        if not self._idle_waiters or self._in_flight:
            return
        async with self.database.read_session() as session:
            due = await outbox.count_due(session, utcnow())
        if due == 0:
            async with self._idle_changed:
                self._idle_passes += 1
                self._idle_changed.notify_all()

    @property
    def concurrency(self) -> int:
        """Sends on the wire at once (``delivery.in_flight``): the most a crash can leave in doubt."""
        return self.settings.in_flight

    async def run(self) -> None:
        """Drain the outbox until cancelled. Unfinished claims of this worker are taken back first."""
        async with self.database.session() as session:
            released = await outbox.release_claims(session, self.worker)
        if released:
            log.info("took back %d unfinished outbox rows", released)
        limit = asyncio.Semaphore(self.concurrency)
        try:
            while True:
                room = self.settings.batch_size - len(self._in_flight)
                # Hold at most batch_size rows (claimed rows must not outlive their lease here), and refill
                # in chunks: every claim takes its turn behind the other workers' claims.
                if room < max(1, self.settings.batch_size // 2):
                    await asyncio.wait(list(self._in_flight.values()), return_when=asyncio.FIRST_COMPLETED)
                    continue
                try:
                    batch = await self._claim(room)
                except Exception:  # a database hiccup must not end delivery
                    log.exception("claiming outbox rows failed; retrying shortly")
                    await asyncio.sleep(self.idle_interval)
                    continue
                if not batch:
                    await self._note_idle()
                    await self._idle()
                    continue
                for message in batch:
                    await limit.acquire()
                    task = asyncio.create_task(self._deliver(message))
                    self._in_flight[message.chat_id] = task
                    task.add_done_callback(lambda _t, cid=message.chat_id: self._done(cid, limit))
        finally:
            await self._drain()

    def _done(self, chat_id: int, limit: asyncio.Semaphore) -> None:
        self._in_flight.pop(chat_id, None)
        limit.release()

    async def _drain(self) -> None:
        """On stop, let sends already on the wire finish and be recorded."""
        tasks = list(self._in_flight.values())
        if tasks:
            await asyncio.wait(tasks, timeout=10)

    async def _idle(self) -> None:
        wait = self.idle_interval
        soon = self.pacer.next_ready()
        if soon is not None:
            wait = min(wait, max(0.02, soon))
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def _claim(self, limit: int) -> list[Outgoing]:
        exclude = self.pacer.busy_chats() | frozenset(self._in_flight)
        now = utcnow()
        async with self.database.session() as session:  # short: the claim lock is held until commit
            rows = await outbox.claim_due_paced(
                session,
                worker=self.worker,
                now=now,
                lease=self.settings.lease,
                limit=limit,
                exclude_chats=exclude,
            )
        if not rows:
            return []
        async with self.database.session() as session:
            session.add_all(rows)
            return await self._prepare(session, rows)

    async def _prepare(self, session: AsyncSession, rows: list[OutboxMessage]) -> list[Outgoing]:
        chats = await chat_store.get_chats(session, {r.chat_id for r in rows})
        items = await item_store.get_items(
            session, {r.item_id for r in rows if r.item_id is not None and r.kind in ("alert", "edit")}
        )
        rendered: dict[tuple[int, str], str] = {}
        out: list[Outgoing] = []
        rows = self._take_in_doubt(rows)
        # Give up on a send at 80% of the lease: past the lease another worker may hold the row.
        deadline = time.monotonic() + self.settings.lease.total_seconds() * 0.8
        for row in rows:
            chat = chats.get(row.chat_id)
            lang = alert_language(chat) if chat is not None else "en"
            text: str | None
            photo, follow_up, markup = None, None, None
            edit_of = (row.payload or {}).get("message_id") if row.kind == "edit" else None
            if row.kind in ("alert", "edit") and row.item_id in items and (row.kind == "alert" or edit_of):
                markup = feedback_keyboard(row.item_id, lang)  # an edit keeps the buttons
                key = (row.item_id, lang)
                if key not in rendered:
                    rendered[key] = render_alert(AlertView.from_item(items[row.item_id]), lang)
                text = rendered[key]
            elif row.kind in REPORT_KINDS:  # spike alert or weekly summary: a chart photo (delivery.reports)
                report = await render_report_async(row.kind, row.payload or {}, lang, self.topic_name)
                text = report.caption if report else None
                photo, follow_up = (report.photo, report.text) if report else (None, None)
            else:
                text = payload_text(row, lang)
            if chat is None or not chat.active or not text:
                row.status = "dropped" if chat is None or not chat.active else "failed"
                row.last_error = "chat_inactive" if row.status == "dropped" else "empty_payload"
                row.claimed_by = None
                continue
            due = max(row.created_at, row.not_before) if row.created_at and row.not_before else None
            out.append(
                Outgoing(
                    row.id,
                    row.chat_id,
                    row.thread_id,
                    text,
                    row.attempts,
                    row.kind,
                    due,
                    deadline,
                    photo,
                    follow_up,
                    markup,
                    int(edit_of) if edit_of else None,
                )
            )
        return out

    def _take_in_doubt(self, rows: list[OutboxMessage]) -> list[OutboxMessage]:
        """Rows still marked mid-send from a crashed worker: count them, count an attempt, send them again."""
        doubtful = [r for r in rows if r.sending_at is not None]
        for row in doubtful:
            row.sending_at = None
            row.last_error = "in_doubt"
            row.attempts += 1
            if row.attempts >= self.settings.max_attempts:
                row.status, row.claimed_by = "failed", None
        if doubtful:
            self.stats.in_doubt += len(doubtful)
            metrics.OUTBOX_IN_DOUBT.inc(len(doubtful))
            log.warning("%d outbox rows were mid-send at a crash (in doubt); sending them again", len(doubtful))
        return [r for r in rows if r.status == "pending"]

    async def _deliver(self, message: Outgoing) -> None:
        # Shielded: a stop (or a crash test) never cuts between a send and its record.
        await asyncio.shield(self._send_and_record(message))

    async def _send_and_record(self, message: Outgoing) -> None:
        async with self.database.session() as session:
            if not await outbox.mark_sending(session, message.row_id, self.worker):
                log.warning("outbox row %s is no longer this worker's; not sending it", message.row_id)
                return
        message_id = None
        try:
            if message.photo is not None:
                await self._send_report(message)
            elif message.edit_message_id is not None:
                # The story gained sources: the alert's text is rendered anew ("also reported by").
                await self.bot.edit_message_text(
                    chat_id=message.chat_id,
                    message_id=message.edit_message_id,
                    text=message.text,
                    reply_markup=message.markup,
                    rate_limit_args={"broadcast": True, "deadline": message.deadline},
                )
            else:
                sent = await self.bot.send_message(
                    chat_id=message.chat_id,
                    text=message.text,
                    message_thread_id=message.thread_id,
                    reply_markup=message.markup,
                    rate_limit_args={"broadcast": True, "deadline": message.deadline},
                )
                message_id = sent.message_id
        except ClaimExpired:
            log.warning("outbox row %s waited past its lease; handing it back unsent", message.row_id)
            metrics.DELIVERY_FAILURES.labels("claim_expired").inc()
            async with self.database.session() as session:
                await outbox.release_row(session, message.row_id, self.worker)
        except RetryAfter as exc:
            await self._flood(message, retry_after_seconds(exc))
        except ChatMigrated as exc:
            await self._migrate(message, int(exc.new_chat_id))
        except Forbidden as exc:
            await self._deactivate(message, f"forbidden: {exc.message}")
        except BadRequest as exc:
            await self._bad_request(message, exc)
        except NetworkError as exc:  # timeouts, connection errors and 5xx
            await self._retry(message, f"network: {exc.message}")
        except TelegramError as exc:
            await self._retry(message, f"telegram: {exc.message}")
        except Exception:
            log.exception("unexpected failure sending outbox row %s", message.row_id)
            await self._retry(message, "unexpected")
        else:
            async with self.database.session() as session:
                await outbox.mark_sent(session, message.row_id, message_id=message_id)
                # In the same transaction as the row leaves "in flight": no other worker sees a gap.
                await pacing_store.pace_chat(session, message.chat_id, self._chat_interval(message.chat_id))
            self.stats.sent += 1
            metrics.MESSAGES_SENT.labels(message.kind).inc()
            if message.due_at is not None:
                metrics.DELIVERY_LATENCY.observe(max(0.0, (utcnow() - message.due_at).total_seconds()))

    async def _send_report(self, message: Outgoing) -> None:
        """A spike or weekly row: the photo, then the follow-up text if any.

        Both calls go through the bot's rate limiter, so photos are paced like messages. If the text fails
        after the photo went out, the row is retried whole and the photo is sent again."""
        limits = {"broadcast": True, "deadline": message.deadline}
        await self.bot.send_photo(
            chat_id=message.chat_id,
            photo=message.photo,
            caption=message.text,
            message_thread_id=message.thread_id,
            rate_limit_args=limits,
        )
        if message.follow_up:
            await self.bot.send_message(
                chat_id=message.chat_id,
                text=message.follow_up,
                message_thread_id=message.thread_id,
                rate_limit_args=limits,
            )

    def _chat_interval(self, chat_id: int) -> timedelta:
        return timedelta(seconds=self.pacer.interval_for(chat_id))

    async def _flood(self, message: Outgoing, seconds: float) -> None:
        self.stats.flood_waits += 1
        metrics.TELEGRAM_429.inc()
        self.pacer.block_chat(message.chat_id, seconds)
        until = utcnow() + timedelta(seconds=seconds)
        async with self.database.session() as session:
            await outbox.reschedule(session, message.row_id, not_before=until, error="flood", count_attempt=False)
            await outbox.defer_chat(session, message.chat_id, until)
            await pacing_store.pace_chat(session, message.chat_id, timedelta(seconds=seconds))

    async def _migrate(self, message: Outgoing, new_chat_id: int) -> None:
        self.stats.migrated += 1
        log.info("chat %s moved to %s; moving its subscriptions", message.chat_id, new_chat_id)
        async with self.database.session() as session:
            await outbox.clear_sending(session, message.row_id)  # refused, so not in doubt
            await chat_store.migrate_chat(session, message.chat_id, new_chat_id)
        self.wake()

    async def _deactivate(self, message: Outgoing, reason: str) -> None:
        self.stats.deactivated += 1
        metrics.DELIVERY_FAILURES.labels("deactivated").inc()
        log.info("chat %s deactivated (%s)", message.chat_id, reason)
        async with self.database.session() as session:
            await outbox.mark_failed(session, message.row_id, error=reason[:64])
            await chat_store.deactivate_chat(session, message.chat_id)

    async def _bad_request(self, message: Outgoing, exc: BadRequest) -> None:
        text = exc.message.lower()
        if message.edit_message_id is not None and any(marker in text for marker in EDIT_DONE_400):
            async with self.database.session() as session:
                await outbox.mark_sent(session, message.row_id, message_id=message.edit_message_id)
            return
        if message.edit_message_id is not None and any(marker in text for marker in EDIT_GONE_400):
            log.info("outbox row %s: the alert to edit is gone (%s); nothing to change", message.row_id, exc.message)
            async with self.database.session() as session:
                await outbox.mark_dropped(session, message.row_id, reason=f"edit_gone: {exc.message}")
            return
        if any(marker in text for marker in DEACTIVATING_400):
            await self._deactivate(message, f"bad_request: {exc.message}")
            return
        self.stats.failed += 1
        metrics.DELIVERY_FAILURES.labels("bad_request").inc()
        log.warning("outbox row %s refused by Telegram: %s", message.row_id, exc.message)
        async with self.database.session() as session:
            await outbox.mark_failed(session, message.row_id, error=f"bad_request: {exc.message}"[:64])

    async def _retry(self, message: Outgoing, error: str) -> None:
        attempts = message.attempts + 1
        async with self.database.session() as session:
            if attempts >= self.settings.max_attempts:
                self.stats.failed += 1
                await outbox.mark_failed(session, message.row_id, error=error[:64])
                log.warning("outbox row %s given up after %d attempts: %s", message.row_id, attempts, error)
                return
            self.stats.retried += 1
            metrics.DELIVERY_FAILURES.labels("retry").inc()
            when = utcnow() + timedelta(seconds=backoff_seconds(attempts))
            await outbox.reschedule(session, message.row_id, not_before=when, error=error[:64])
