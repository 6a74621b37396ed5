"""Telegram handlers: thin callbacks over storage, texts from handlers/texts.

``register_all`` adds every area's handlers in a fixed order; each module has ``register(application)``.
"""

from __future__ import annotations

import importlib
import logging

from telegram.ext import Application

log = logging.getLogger(__name__)

# Chat bookkeeping first (group -1), then commands; the search developer's modules when present; the
# fallback for unknown commands and plain text last.
MODULES = (
    "handlers.membership",
    "handlers.start",
    "handlers.subscribe",
    "handlers.settings",
    "handlers.browse",
    "handlers.digest",
    "handlers.admin",
    "handlers.chat_admin",
    "handlers.review",
    "handlers.retrain",
    "handlers.feedback",
    "handlers.search",
    "handlers.events",
    "handlers.trends",
    "handlers.stale",  # answers presses no other callback handler took
    "handlers.fallback",  # last: what no other handler took
)
OPTIONAL = frozenset({"handlers.search", "handlers.events", "handlers.trends"})


def register_all(application: Application) -> None:
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if name in OPTIONAL and exc.name == name:
                log.info("%s is not there yet; its commands are off", name)
                continue
            raise
        module.register(application)
