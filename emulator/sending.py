"""sendMessage, sendDocument, sendPhoto, editMessageText/ReplyMarkup and deleteMessage."""

from __future__ import annotations

import struct
import time
from typing import TYPE_CHECKING

from .directory import ChatInfo
from .faults import ApiError
from .markup import EntityParseError, ParsedText, parse_html, utf16_len
from .messages import SentMessage

if TYPE_CHECKING:
    from .params import Params
    from .state import EmulatorState


def parse_text(state: EmulatorState, text: str | None, params: Params, *, caption: bool = False) -> ParsedText:
    """Apply parse_mode (or explicit entities) and Telegram's length rules."""
    mode = (params.str("parse_mode") or "").lower()
    raw = text or ""
    if mode == "html":
        try:
            parsed = parse_html(raw, strict_entities=state.config.strict_entities)
        except EntityParseError as err:
            raise ApiError(400, f"Bad Request: can't parse entities: {err}") from None
    elif mode in ("", "markdown", "markdownv2"):  # Markdown is stored as-is, not validated
        entities = params.json("caption_entities" if caption else "entities") or []
        parsed = ParsedText(raw, tuple(entities))
    else:
        raise ApiError(400, f"Bad Request: unsupported parse_mode {params.str('parse_mode')!r}")
    if caption:
        if utf16_len(parsed.text) > state.config.max_caption_length:  # Telegram counts UTF-16 units
            raise ApiError(400, "Bad Request: message caption is too long")
    else:
        if not parsed.text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(parsed.text) > state.config.max_text_length:
            raise ApiError(400, "Bad Request: message is too long")
    return parsed


def check_markup(markup: dict | None) -> dict | None:
    """Reject inline keyboards Telegram rejects; return the markup to echo in the Message, if any."""
    if not markup:
        return None
    rows = markup.get("inline_keyboard")
    if rows is None:
        return None  # reply keyboards and ForceReply are not echoed back
    for row in rows:
        for button in row:
            if not button.get("text"):
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    return 0, 0


def _resolve_file(state: EmulatorState, params: Params, name: str, kind: str):
    upload = params.uploads.get(name)
    ref = params.str(name)
    if upload is None and ref and ref.startswith("attach://"):
        upload = params.uploads.get(ref[len("attach://") :])
    if upload is not None:
        return state.log.store_file(kind, upload.data, upload.file_name, upload.content_type)
    if ref and ref in state.log.files:
        return state.log.files[ref]
    if ref is None:
        raise ApiError(400, f"Bad Request: there is no {kind} in the request")
    raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")


def _admit(state: EmulatorState, chat: ChatInfo, method: str) -> None:
    violation = state.limiter.admit(chat.id, chat.type, method, time.monotonic())
    if violation is not None and state.limiter.limits.enforce:
        state.rate_limited += 1
        raise ApiError(
            429, f"Too Many Requests: retry after {violation.retry_after}", {"retry_after": violation.retry_after}
        )


def send(state: EmulatorState, chat: ChatInfo, params: Params, method: str, token: str) -> dict:
    """Validate, check the limits, store and return the Message JSON (caller holds the lock)."""
    state.directory.check_can_send(chat)
    thread_id = params.int("message_thread_id")
    if thread_id is not None and not chat.is_forum:
        raise ApiError(400, "Bad Request: message thread not found")
    kind = {"sendmessage": "text", "senddocument": "document", "sendphoto": "photo"}[method.lower()]
    raw = params.str("text" if kind == "text" else "caption")
    parsed = parse_text(state, raw, params, caption=kind != "text") if raw or kind == "text" else None
    markup = check_markup(params.json("reply_markup"))
    reply = params.json("reply_parameters")
    if reply is None and params.int("reply_to_message_id") is not None:
        reply = {"message_id": params.int("reply_to_message_id")}
    replied = state.log.api.get((chat.id, reply["message_id"])) if reply else None
    if reply and replied is None and not reply.get("allow_sending_without_reply"):
        raise ApiError(400, "Bad Request: message to be replied not found")
    stored = _resolve_file(state, params, kind, kind) if kind != "text" else None
    _admit(state, chat, method)

    message: dict = {"message_id": state.log.next_message_id(chat.id), "date": int(time.time())}
    message["chat"] = chat.api  # shared per chat: 50,000 stored messages should not mean 50,000 copies
    if chat.type == "channel":
        message["sender_chat"] = chat.api
    else:
        message["from"] = state.bot_user.api
    if thread_id is not None:
        message.update(message_thread_id=thread_id, is_topic_message=True)
    if replied is not None:
        message["reply_to_message"] = replied
    if parsed is not None:
        key = "text" if kind == "text" else "caption"
        message[key] = parsed.text
        if parsed.entities:
            message["entities" if kind == "text" else "caption_entities"] = list(parsed.entities)
    if stored is not None and kind == "document":
        message["document"] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            **({"file_name": stored.file_name} if stored.file_name else {}),
            **({"mime_type": stored.mime_type} if stored.mime_type else {}),
        }
    elif stored is not None:
        width, height = _png_size(stored.data)
        size = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        message["photo"] = [{**size, "width": width, "height": height, "file_size": len(stored.data)}]
    if markup is not None:
        message["reply_markup"] = markup
    record = SentMessage(
        chat_id=chat.id,
        message_id=message["message_id"],
        kind=kind,
        text=parsed.text if parsed else None,
        raw_text=raw,
        entities=parsed.entities if parsed else (),
        parse_mode=params.str("parse_mode"),
        reply_markup=markup,
        message_thread_id=thread_id,
        disable_notification=params.bool("disable_notification"),
        link_preview_options=params.json("link_preview_options"),
        reply_parameters=reply,
        file_id=stored.file_id if stored else None,
        file_name=stored.file_name if stored else None,
        sent_at=time.time(),
        token=token,
    )
    state.log.add_sent(record, message)
    return message


def edit(state: EmulatorState, chat: ChatInfo, params: Params, method: str) -> dict:
    if params.has("inline_message_id"):
        raise ApiError(400, "Bad Request: inline messages are not supported by the emulator")
    message_id = params.int("message_id", required=True)
    assert message_id is not None
    current = state.log.message(chat.id, message_id)
    sender = current.get("from", current.get("sender_chat", {}))
    if sender.get("id") not in (state.bot_user.id, chat.id):
        raise ApiError(400, "Bad Request: message can't be edited")
    markup = check_markup(params.json("reply_markup"))
    changes: dict = {"reply_markup": markup}
    record_changes: dict = {"reply_markup": markup}
    if method.lower() == "editmessagetext":
        raw = params.str("text")
        parsed = parse_text(state, raw, params)
        changes.update(text=parsed.text, entities=list(parsed.entities) or None)
        record_changes.update(
            text=parsed.text, raw_text=raw, entities=parsed.entities, parse_mode=params.str("parse_mode")
        )
    return state.log.edit(chat.id, message_id, method, changes, record_changes)


def delete(state: EmulatorState, chat: ChatInfo, params: Params) -> bool:
    message_id = params.int("message_id", required=True)
    assert message_id is not None
    state.log.delete(chat.id, message_id)
    return True
