"""The Bot API methods the emulator answers, dispatched by lower-cased name (Telegram ignores case)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import sending
from .directory import ChatInfo
from .faults import ApiError
from .messages import CallbackAnswer
from .state import _scope_key

if TYPE_CHECKING:
    from .params import Params
    from .state import EmulatorState

Handler = Callable[["EmulatorState", "Params", str], Any]
_COMMAND_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


def resolve_chat(state: EmulatorState, params: Params, *, create: bool = False) -> ChatInfo:
    ref = params.chat_ref()
    if isinstance(ref, str):
        for chat in state.directory.chats.values():
            if chat.username and chat.username.lower() == ref[1:].lower():
                return chat
        raise ApiError(400, "Bad Request: chat not found")
    return state.directory.chat(ref, create=create)


def _send(state: EmulatorState, params: Params, token: str, method: str) -> dict:
    return sending.send(state, resolve_chat(state, params, create=True), params, method, token)


def _get_me(state: EmulatorState, params: Params, token: str) -> dict:
    return {
        **state.bot_user.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def _answer_callback(state: EmulatorState, params: Params, token: str) -> bool:
    query_id = params.str("callback_query_id", required=True)
    if query_id not in state.log.queries:
        raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
    answer = CallbackAnswer(
        str(query_id),
        params.str("text"),
        params.bool("show_alert"),
        params.str("url"),
        params.int("cache_time"),
        time.time(),
    )
    state.log.callback_answers.append(answer)
    return True


def _scope(params: Params) -> tuple[str, str]:
    return _scope_key(params.json("scope")), params.str("language_code") or ""


def _set_commands(state: EmulatorState, params: Params, token: str) -> bool:
    commands = params.json("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise ApiError(400, "Bad Request: commands must be a list of at most 100 BotCommand objects")
    for command in commands:
        name = str(command.get("command", ""))
        if not 1 <= len(name) <= 32 or not set(name) <= _COMMAND_CHARS:
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
    state.log.commands[_scope(params)] = [dict(c) for c in commands]
    return True


def _get_commands(state: EmulatorState, params: Params, token: str) -> list[dict]:
    return state.log.commands.get(_scope(params), [])


def _delete_commands(state: EmulatorState, params: Params, token: str) -> bool:
    state.log.commands.pop(_scope(params), None)
    return True


def _get_chat(state: EmulatorState, params: Params, token: str) -> dict:
    return resolve_chat(state, params).to_full_api()


def _get_member(state: EmulatorState, params: Params, token: str) -> dict:
    chat = resolve_chat(state, params)
    user_id = params.int("user_id", required=True)
    assert user_id is not None
    return state.directory.member_api(chat.id, user_id)


def _get_admins(state: EmulatorState, params: Params, token: str) -> list[dict]:
    return state.directory.admins_api(resolve_chat(state, params).id)


def _get_file(state: EmulatorState, params: Params, token: str) -> dict:
    stored = state.log.files.get(params.str("file_id", required=True) or "")
    if stored is None:
        raise ApiError(400, "Bad Request: invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }


def _set_webhook(state: EmulatorState, params: Params, token: str) -> bool:
    url = params.str("url") or ""
    if url and not url.startswith("https://") and not url.startswith("http://127.0.0.1"):
        raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    if params.bool("drop_pending_updates"):
        state.updates.clear()
    state.updates.set_allowed(params.json("allowed_updates"))
    state.webhook = {"url": url, "secret_token": params.str("secret_token"), "token": token} if url else None
    return True


def _delete_webhook(state: EmulatorState, params: Params, token: str) -> bool:
    if params.bool("drop_pending_updates"):
        state.updates.clear()
    state.webhook = None
    return True


def _webhook_info(state: EmulatorState, params: Params, token: str) -> dict:
    url = state.webhook["url"] if state.webhook else ""
    return {"url": url, "has_custom_certificate": False, "pending_update_count": len(state.updates.pending)}


def fetch_updates(state: EmulatorState, params: Params) -> list[dict]:
    """One non-blocking look at the queue for getUpdates (confirming everything below offset)."""
    if state.webhook:
        raise ApiError(
            409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
            "the webhook first"
        )  # fmt: skip
    state.updates.set_allowed(params.json("allowed_updates"))
    state.updates.confirm(params.int("offset"))
    limit = min(max(params.int("limit") or 100, 1), 100)
    updates = state.updates.fetch(limit)
    state._notify_records()  # wakes wait_until_consumed
    return json.loads(json.dumps(updates)) if updates else []


METHODS: dict[str, Handler] = {
    "getme": _get_me,
    "sendmessage": lambda s, p, t: _send(s, p, t, "sendMessage"),
    "senddocument": lambda s, p, t: _send(s, p, t, "sendDocument"),
    "sendphoto": lambda s, p, t: _send(s, p, t, "sendPhoto"),
    "editmessagetext": lambda s, p, t: sending.edit(s, resolve_chat(s, p), p, "editMessageText"),
    "editmessagereplymarkup": lambda s, p, t: sending.edit(s, resolve_chat(s, p), p, "editMessageReplyMarkup"),
    "deletemessage": lambda s, p, t: sending.delete(s, resolve_chat(s, p), p),
    "answercallbackquery": _answer_callback,
    "sendchataction": lambda s, p, t: resolve_chat(s, p) is not None,
    "setmycommands": _set_commands,
    "getmycommands": _get_commands,
    "deletemycommands": _delete_commands,
    "getchat": _get_chat,
    "getchatmember": _get_member,
    "getchatadministrators": _get_admins,
    "getfile": _get_file,
    "setwebhook": _set_webhook,
    "deletewebhook": _delete_webhook,
    "getwebhookinfo": _webhook_info,
    "close": lambda s, p, t: True,
    "logout": lambda s, p, t: True,
}


def call(state: EmulatorState, method: str, params: Params, token: str) -> Any:
    """Run one method under the state lock; injected faults for the chat (or all chats) go first."""
    name = method.lower()
    handler = METHODS.get(name)
    with state._lock:
        state.calls[method] += 1
        state.tokens_seen.add(token)
        if handler is None and name != "getupdates":
            raise ApiError(404, "Not Found")
        chat_key = None
        if params.values.get("chat_id") not in (None, ""):
            ref = params.chat_ref()
            chat_key = ref if isinstance(ref, int) else None
        fault = state.faults.take(chat_key, name)
        if fault is not None:
            raise fault.error()
        if handler is None:
            return None  # getUpdates: the server polls with fetch_updates
        result = handler(state, params, token)
        state._notify_records()
    state._notify_messages()
    return result
