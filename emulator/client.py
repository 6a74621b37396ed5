"""EmulatorClient: the control API from another process (subprocess workers, benchmarks)."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from .messages import Edit, SentMessage


class ControlError(RuntimeError):
    """The emulator refused a control call (bad arguments, timeout of a wait)."""


class EmulatorClient:
    def __init__(self, url: str, *, timeout: float = 120.0) -> None:
        """url is the emulator's root (Emulator.url) or its base_url (".../bot")."""
        self.url = url.removesuffix("/").removesuffix("/bot")
        self._http = httpx.Client(base_url=self.url, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> EmulatorClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def call(self, action: str, **kwargs: Any) -> Any:
        response = self._http.post(f"/_control/{action}", json=kwargs)
        body = response.json()
        if not body.get("ok"):
            raise ControlError(body.get("error", response.text))
        return body["result"]

    def sent_messages(self, chat_id: int | None = None) -> list[SentMessage]:
        return [SentMessage.from_json(m) for m in self.call("sent_messages", chat_id=chat_id)]

    def last_message(self, chat_id: int | None = None) -> SentMessage | None:
        found = self.call("last_message", chat_id=chat_id)
        return SentMessage.from_json(found) if found else None

    def edits(self, chat_id: int | None = None) -> list[Edit]:
        return [Edit.from_json(e) for e in self.call("edits", chat_id=chat_id)]

    def wait_for_messages(self, chat_id: int | None = None, count: int = 1, timeout: float = 10.0) -> list[SentMessage]:
        found = self.call("wait_for_messages", chat_id=chat_id, count=count, timeout=timeout)
        return [SentMessage.from_json(m) for m in found]

    def file_bytes(self, file_id: str) -> bytes:
        return base64.b64decode(self.call("file_bytes", file_id=file_id))

    def violations(self) -> list[dict]:
        return self.call("violations")

    def stats(self) -> dict:
        return self.call("stats")

    def send_times(self, chat_id: int | None = None) -> list[float]:
        return self.call("send_times", chat_id=chat_id)

    def add_user(self, user_id: int, first_name: str = "Test", **kw: Any) -> dict:
        return self.call("add_user", user_id=user_id, first_name=first_name, **kw)

    def add_chat(self, chat_id: int, type: str = "group", title: str | None = None, **kw: Any) -> dict:  # noqa: A002
        return self.call("add_chat", chat_id=chat_id, type=type, title=title, **kw)

    def inject_message(self, chat_id: int, text: str, **kw: Any) -> dict:
        return self.call("inject_message", chat_id=chat_id, text=text, **kw)

    def inject_callback(self, chat_id: int, message_id: int, data: str | None = None, **kw: Any) -> str:
        return self.call("inject_callback", chat_id=chat_id, message_id=message_id, data=data, **kw)

    def inject_document(self, chat_id: int, data: bytes, file_name: str, **kw: Any) -> dict:
        encoded = base64.b64encode(data).decode()
        return self.call("inject_document", chat_id=chat_id, data_b64=encoded, file_name=file_name, **kw)

    def inject_my_chat_member(self, chat_id: int, new_status: str, **kw: Any) -> dict:
        return self.call("inject_my_chat_member", chat_id=chat_id, new_status=new_status, **kw)

    def fail_next(self, chat_id: int | None, status: int, description: str, **kw: Any) -> None:
        self.call("fail_next", chat_id=chat_id, status=status, description=description, **kw)

    def inject_flood(self, chat_id: int | None = None, retry_after: int = 3, count: int = 1) -> None:
        self.call("inject_flood", chat_id=chat_id, retry_after=retry_after, count=count)

    def inject_blocked(self, chat_id: int, count: int = 1) -> None:
        self.call("inject_blocked", chat_id=chat_id, count=count)

    def inject_migrate(self, chat_id: int, new_chat_id: int, count: int = 1) -> None:
        self.call("inject_migrate", chat_id=chat_id, new_chat_id=new_chat_id, count=count)

    def inject_server_error(self, chat_id: int | None = None, status: int = 500, count: int = 1) -> None:
        self.call("inject_server_error", chat_id=chat_id, status=status, count=count)

    def set_limits(self, **kw: Any) -> dict:
        return self.call("set_limits", **kw)

    def reset_records(self) -> None:
        self.call("reset_records")
