"""The two small buttons under every alert ("useful", "not for me") and the reasons "not for me" asks for.
Callback data ``fb:<variant>:<item>[:<reason>]``, well under Telegram's 64 bytes; handlers/feedback.py
reads it."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from presentation.i18n import t

REASONS = ("wrong_topic", "wrong_country", "not_news", "duplicate")


def feedback_keyboard(item_id: int, lang: str, counts: dict[str, int] | None = None) -> InlineKeyboardMarkup:
    counts = counts or {}
    useful, not_for_me = counts.get("useful", 0), counts.get("not_for_me", 0)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "feedback.useful") + (f" {useful}" if useful else ""), callback_data=f"fb:u:{item_id}"
                ),
                InlineKeyboardButton(
                    t(lang, "feedback.not_for_me") + (f" {not_for_me}" if not_for_me else ""),
                    callback_data=f"fb:n:{item_id}",
                ),
            ]
        ]
    )


def reasons_keyboard(item_id: int, lang: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(t(lang, f"feedback.reason_{r}"), callback_data=f"fb:r:{item_id}:{r}") for r in REASONS
    ]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])
