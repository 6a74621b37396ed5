"""Console mode: without a token, the same Application talks to the Bot API emulator in this process.

You type as a private-chat user (who is also an admin, to try the admin commands); the bot's messages are
printed as plain text with numbered buttons: type the number to press one.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from analysis import Annotator
from bot.app import build_application, running
from bot.bootstrap import data_dir, load_annotator
from bot.settings import Settings
from emulator import Emulator, EmulatorConfig, SentMessage
from storage.db import Database

log = logging.getLogger(__name__)

CONSOLE_USER = 10001
CONSOLE_TOKEN = "100000001:console-mode"
QUIT = ("/quit", "/exit", "quit", "exit")


@dataclass
class Printer:
    """Prints new and edited bot messages in the console chat; remembers the last buttons."""

    emulator: Emulator
    out: TextIO
    files_dir: Path | None = None  # where sent files (charts, calendars) are saved; None: not saved
    chat_id: int = CONSOLE_USER
    seen: dict[int, int] = field(default_factory=dict)  # message id -> edits printed
    buttons: list[tuple[int, str]] = field(default_factory=list)  # (message id, callback data)
    total: int = 0  # messages and edits printed so far

    def flush(self) -> int:
        printed = 0
        for message in self.emulator.sent_messages(self.chat_id):
            if self.seen.get(message.message_id) == message.edits:
                continue
            edited = message.message_id in self.seen
            self.seen[message.message_id] = message.edits
            self.out.write(self.format(message, edited) + "\n")
            printed += 1
        if printed:
            self.out.flush()
        self.total += printed
        return printed

    def format(self, message: SentMessage, edited: bool) -> str:
        head = "bot (edited)> " if edited else "bot> "
        if message.kind in ("document", "photo"):
            body = f"[{self.save(message)}] {message.text or ''}"
        else:
            body = message.text or ""
        lines = [head + body.replace("\n", "\n     ")]
        buttons = [b for row in (message.reply_markup or {}).get("inline_keyboard", []) for b in row]
        if buttons:
            self.buttons = [(message.message_id, b.get("callback_data", "")) for b in buttons]
            lines += [f"     [{i}] {b.get('text', '')}" for i, b in enumerate(buttons, 1)]
        return "\n".join(lines)

    def save(self, message: SentMessage) -> str:
        """Write a sent file where the user can open it (a chart, an .ics calendar); its description."""
        data = self.emulator.file_bytes(message.file_id) if message.file_id else b""
        default = "chart.png" if message.kind == "photo" else "file"
        name = re.sub(r"[^\w.-]+", "_", message.file_name or default)
        if self.files_dir is None or not data:
            return f"file {name}, {len(data)} bytes"
        path = self.files_dir / f"{message.message_id}-{name}"
        if not path.exists():  # an edited caption keeps the file
            self.files_dir.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return f"file saved: {path.resolve()}, {len(data)} bytes"


def _reader(stdin: TextIO, queue: asyncio.Queue[str | None], loop: asyncio.AbstractEventLoop) -> None:
    """A daemon thread, so a pending read never holds up the exit."""
    for line in iter(stdin.readline, ""):
        loop.call_soon_threadsafe(queue.put_nowait, line)
    loop.call_soon_threadsafe(queue.put_nowait, None)


def console_settings(settings: Settings, emulator: Emulator) -> Settings:
    bot = replace(
        settings.bot,
        token=emulator.token,
        base_url=emulator.base_url,
        base_file_url=emulator.base_file_url,
        mode="polling",
        admins=settings.bot.admins | {CONSOLE_USER},
        admin_chat_id=None,
    )
    return replace(settings, bot=bot)


async def run_console(
    settings: Settings,
    database: Database,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    annotator: Annotator | None = None,
    poll_feeds: bool = True,
    files_dir: Path | None = None,
) -> None:
    """Run the bot in a console chat until end of input or /quit. Files the bot sends go to ``files_dir``
    (default: console-files/ in the data folder) and their path is printed."""
    stdin, out = stdin or sys.stdin, stdout or sys.stdout
    if annotator is None and poll_feeds:
        try:
            annotator = await asyncio.to_thread(load_annotator, settings)
        except Exception as exc:  # noqa: BLE001 - the console still works, items just stay unannotated
            log.warning("annotator unavailable, items will not be classified: %s", exc)
    emulator = Emulator(EmulatorConfig(token=CONSOLE_TOKEN, bot_username="coopwatch_console_bot"))
    await emulator.start_async()
    emulator.add_user(CONSOLE_USER, "You", language_code=settings.bot.default_language)
    printer = Printer(emulator, out, files_dir=files_dir or data_dir(settings) / "console-files")
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    threading.Thread(target=_reader, args=(stdin, queue, asyncio.get_running_loop()), daemon=True).start()
    try:
        app = build_application(console_settings(settings, emulator), database, annotator=annotator)
        async with running(app, poll_feeds=poll_feeds):
            out.write(
                "Coopwatch console. Type /start, /help, /subscribe ...; a number presses a button; /quit leaves.\n"
            )
            out.flush()
            last_input = await _loop(emulator, printer, queue)
            await _settle(emulator, printer, answered_after=last_input)
    finally:
        await emulator.stop_async()


async def _loop(emulator: Emulator, printer: Printer, queue: asyncio.Queue[str | None]) -> int | None:
    """Feed typed lines to the bot until /quit or end of input; returns ``printer.total`` when the last line
    went in (None: nothing went in), so the exit can wait for its answer: piped input reaches /quit at once."""
    last_input: int | None = None
    while True:
        try:
            line = await asyncio.wait_for(queue.get(), timeout=0.2)
        except TimeoutError:
            printer.flush()
            continue
        if line is None or line.strip().lower() in QUIT:
            return last_input
        text = line.strip()
        if not text:
            continue
        await _settle(emulator, printer)
        last_input = printer.total
        if text.isdigit() and 0 < int(text) <= len(printer.buttons):
            message_id, data = printer.buttons[int(text) - 1]
            try:
                emulator.inject_callback(CONSOLE_USER, message_id, data)
            except ValueError:
                printer.out.write("(that button is gone)\n")
            continue
        emulator.inject_message(CONSOLE_USER, text)


async def _settle(
    emulator: Emulator,
    printer: Printer,
    quiet: float = 0.8,
    limit: float = 10.0,
    *,
    answered_after: int | None = None,
    answer_limit: float = 30.0,
) -> None:
    """Wait until the bot has taken every update and stayed silent for ``quiet`` seconds. With
    ``answered_after``, first wait (up to ``answer_limit``) for something printed after that count: a chart or a
    calendar can take longer than ``quiet`` to arrive."""
    loop = asyncio.get_running_loop()
    start = last = loop.time()
    if answered_after is not None:
        limit = answer_limit
    while loop.time() - start < limit:
        if answered_after is not None and printer.total <= answered_after:
            printer.flush()
            last = loop.time()
        elif printer.flush() or emulator.pending_updates():
            last = loop.time()
        elif loop.time() - last >= quiet:
            return
        await asyncio.sleep(0.05)
