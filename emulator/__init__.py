"""A Telegram Bot API emulator on 127.0.0.1 that python-telegram-bot talks to through base_url.

with Emulator() as emu:  # or: await emu.start_async() on the bot's loop
    app = ApplicationBuilder().token(emu.token).base_url(emu.base_url).base_file_url(emu.base_file_url)
"""

from .client import ControlError, EmulatorClient
from .directory import ChatInfo, UserInfo
from .faults import ApiError, Fault, blocked, flood, migrated, server_error
from .limits import RateLimits, Violation
from .markup import EntityParseError, ParsedText, parse_html
from .messages import CallbackAnswer, Edit, SentMessage, StoredFile
from .server import Emulator
from .state import DEFAULT_TOKEN, EmulatorConfig

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "CallbackAnswer",
    "ChatInfo",
    "ControlError",
    "Edit",
    "Emulator",
    "EmulatorClient",
    "EmulatorConfig",
    "EntityParseError",
    "Fault",
    "ParsedText",
    "RateLimits",
    "SentMessage",
    "StoredFile",
    "UserInfo",
    "Violation",
    "blocked",
    "flood",
    "migrated",
    "parse_html",
    "server_error",
]
