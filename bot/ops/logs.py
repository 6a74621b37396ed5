"""Logging set-up: text or JSON lines, and the bot token scrubbed from every record."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.settings import LoggingSettings
from model.durations import human_duration

REDACTED = "[token]"

_REDACTED_TOKENS: set[str] = set()
_PATTERNS: list[re.Pattern[str]] = []
MIN_SECRET = 8  # the part after the colon is redacted on its own only when it is long enough to be a secret


def _char(c: str) -> str:
    """One character of the token as it may show in a log line: itself, or percent-encoded (either case)."""
    encoded = "".join(f"%{b:02x}" for b in c.encode())  # IGNORECASE also matches %3A for %3a
    return f"(?:{re.escape(c)}|{encoded})"


def token_pattern(token: str) -> re.Pattern[str]:
    """Every form of ``token`` a log line is known to carry: as it is, in another case (python-telegram-bot
    lower-cases some error texts), percent-encoded whole or in part (inside a URL or a query string), and its
    secret part (after the colon) on its own, since a URL path or an error may split the two."""
    forms = ["".join(_char(c) for c in token)]
    bot_id, _, secret = token.partition(":")
    if bot_id and len(secret) >= MIN_SECRET:
        forms.append("".join(_char(c) for c in secret))
    return re.compile("|".join(forms), re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every installed token, in every form ``token_pattern`` knows, replaced by [token]."""
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def install_token_redactor(token: str | None) -> None:
    """Replace the token in every log record the process creates, message and traceback alike, before any
    handler (or a test's capture) sees it. httpx stays at WARNING, since it logs request URLs at INFO."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)
    if not token or token in _REDACTED_TOKENS:
        return
    _REDACTED_TOKENS.add(token)
    pattern = token_pattern(token)
    _PATTERNS.append(pattern)
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is the logging module's business
            return record
        cleaned = pattern.sub(REDACTED, message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            cleaned = pattern.sub(REDACTED, text)
            if cleaned != text:
                record.exc_text = cleaned
                record.exc_info = None
        if record.stack_info:
            record.stack_info = pattern.sub(REDACTED, record.stack_info)
        return record

    logging.setLogRecordFactory(factory)


class ReadableDurations(logging.Filter):
    """A ``timedelta`` logged as an argument reads "32 min" rather than "0:32:00.418211" (retry delays,
    back-off): the stages log plain values and this is the one place that words them for people."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, timedelta) for a in record.args):
            record.args = tuple(human_duration(a) if isinstance(a, timedelta) else a for a in record.args)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(settings: LoggingSettings, *, token: str | None, stream=None) -> None:  # noqa: ANN001
    handler = logging.StreamHandler(stream or sys.stderr)
    if settings.format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ReadableDurations())
    install_token_redactor(token)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.level)
    for noisy in ("httpx", "httpcore", "apscheduler", "telegram.ext.ExtBot"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
