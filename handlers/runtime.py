"""What handlers and jobs share at run time, kept in ``application.bot_data["runtime"]``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from analysis import Annotator, Topic
from analysis.retrain import RetrainOutcome
from delivery.pacing import Pacer
from model.settings import BotSettings, FeedSettings, ReviewSettings
from storage.db import Database

if TYPE_CHECKING:
    import httpx
    from aiohttp import web
    from telegram.ext import Application

    from delivery.sender import Sender
    from ingest.poller import Poller

RUNTIME_KEY = "runtime"


class RuntimeSettings(Protocol):
    """The parts of the configuration that handlers read (bot.settings.Settings has them)."""

    @property
    def bot(self) -> BotSettings: ...

    @property
    def feeds(self) -> FeedSettings: ...

    @property
    def topics(self) -> tuple[Topic, ...]: ...

    @property
    def review(self) -> ReviewSettings: ...


@dataclass
class Runtime:
    settings: RuntimeSettings
    database: Database
    pacer: Pacer
    annotator: Annotator | None = None
    sender: Sender | None = None
    sender_task: asyncio.Task[None] | None = None
    http: httpx.AsyncClient | None = None
    poller: Poller | None = None
    websub_runner: web.AppRunner | None = None  # the WebSub callback server, when websub.callback_url is set
    # /retrain: ``topics retrain`` with this process's settings (bot.app wires it); the argument is --force.
    retrain: Callable[[bool], Awaitable[RetrainOutcome]] | None = None
    retrain_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def topics(self) -> tuple[Topic, ...]:
        """The configured topics (settings refuses a configuration without them)."""
        return self.settings.topics

    @property
    def topic_ids(self) -> tuple[str, ...]:
        return tuple(topic.id for topic in self.topics)

    def topic_name(self, topic_id: str, lang: str) -> str:
        for topic in self.topics:
            if topic.id == topic_id:
                return topic.name(lang)
        return topic_id

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.bot.admins

    def wake_sender(self) -> None:
        if self.sender is not None:
            self.sender.wake()


def get_runtime(application: Application) -> Runtime:
    return application.bot_data[RUNTIME_KEY]
