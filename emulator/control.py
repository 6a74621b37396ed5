"""JSON-over-HTTP control API under /_control/<action>, for tests and benchmarks in other processes.

POST a JSON object of keyword arguments; the reply is {"ok": true, "result": ...} or {"ok": false, "error": ...}.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .faults import Fault

if TYPE_CHECKING:
    from .state import EmulatorState


def to_json(value: Any) -> Any:
    if hasattr(value, "to_json"):
        return value.to_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: to_json(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _actions(emu: EmulatorState) -> dict[str, Callable[..., Any]]:
    def inject_document(chat_id: int, data_b64: str, file_name: str, **kw: Any) -> dict:
        return emu.inject_document(chat_id, base64.b64decode(data_b64), file_name, **kw)

    def fail_next(
        chat_id: int | None,
        status: int,
        description: str,
        parameters: dict | None = None,
        count: int = 1,
        methods: list[str] | None = None,
        all_methods: bool = False,
    ) -> None:
        chosen = None if all_methods else (methods or ["sendMessage", "sendDocument", "sendPhoto"])
        emu.fail_next(chat_id, Fault(status, description, parameters), count, chosen)

    def set_limits(**kw: Any) -> dict:
        emu.set_limits(dataclasses.replace(emu.limits, **kw))
        return dataclasses.asdict(emu.limits)

    plain = [
        "add_user", "add_chat", "set_member", "inject_message", "inject_callback", "inject_my_chat_member",
        "inject_channel_post", "migrate_chat", "sent_messages", "last_message", "edits", "documents", "photos",
        "file_bytes", "callback_answers", "commands", "send_times", "stats", "pending_updates", "inject_flood",
        "inject_blocked", "inject_migrate", "inject_server_error", "clear_faults", "reset_records",
        "deleted_messages", "wait_for_messages_async",
    ]  # fmt: skip
    actions: dict[str, Callable[..., Any]] = {name: getattr(emu, name) for name in plain}
    actions["wait_for_messages"] = actions.pop("wait_for_messages_async")
    actions.update(
        inject_document=inject_document,
        fail_next=fail_next,
        set_limits=set_limits,
        limits=lambda: dataclasses.asdict(emu.limits),
        violations=lambda: emu.violations,
        webhook=lambda: emu.webhook,
        bot=lambda: emu.bot_user.to_api(),
    )
    return actions


def add_control_routes(app: web.Application, emu: EmulatorState) -> None:
    actions = _actions(emu)

    async def handle(request: web.Request) -> web.Response:
        action = actions.get(request.match_info["action"])
        if action is None:
            return web.json_response({"ok": False, "error": f"unknown action; known: {sorted(actions)}"}, status=404)
        kwargs = await request.json() if request.can_read_body else {}
        try:
            result = action(**kwargs)
            if hasattr(result, "__await__"):
                result = await result
        except (TypeError, ValueError, KeyError, TimeoutError) as err:
            return web.json_response({"ok": False, "error": f"{type(err).__name__}: {err}"}, status=400)
        return web.json_response({"ok": True, "result": to_json(result)})

    app.router.add_post("/_control/{action}", handle)
