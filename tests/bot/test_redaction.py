"""Finding 5: the bot token never reaches a log line, whatever form it takes there (another case, percent-encoded,
inside a URL, the secret part alone), nor the admins' error notice."""

from __future__ import annotations

import logging
from urllib.parse import quote, unquote

from bot.ops.logs import REDACTED, redact, token_pattern
from emulator.faults import Fault
from tests.bot.conftest import ADMIN, Harness


def token_forms(token: str) -> list[str]:
    secret = token.partition(":")[2]
    return [
        token.lower(),  # python-telegram-bot lower-cases some error texts
        token.upper(),
        quote(token, safe=""),  # 123%3A...
        quote(token, safe="").replace("%3A", "%3a"),
        "".join(f"%{b:02X}" for b in token.encode()),  # every byte encoded
        f"https://api.telegram.org/bot{token}/sendMessage?chat_id=1",
        f"https://api.telegram.org/file/bot{quote(token, safe='')}/documents/x.opml",
        f"secret={secret.swapcase()}",
    ]


def leaks(text: str, token: str) -> bool:
    """True when ``text`` still carries the token's secret in any case, plain or percent-encoded."""
    secret = token.partition(":")[2].casefold()
    return secret in text.casefold() or secret in unquote(unquote(text)).casefold()


def test_every_form_is_redacted() -> None:
    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    pattern = token_pattern(token)
    for form in token_forms(token):
        assert leaks(form, token), form  # the check itself sees each form
        cleaned = pattern.sub(REDACTED, f"failed: {form} (retrying)")
        assert not leaks(cleaned, token), cleaned
        assert REDACTED in cleaned


def test_text_without_the_token_is_left_alone() -> None:
    line = "getUpdates failed: Conflict: terminated by other getUpdates request; 123456789 users"
    assert redact(line) == line


async def test_errors_that_echo_the_token_never_reach_a_log_line(harness: Harness, caplog) -> None:
    h = harness
    token = h.emulator.token
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "telegram"):
        caplog.set_level(logging.DEBUG, logger=name)
    h.emulator.add_user(ADMIN, "Admin")
    forms = token_forms(token)
    admin_before = len(h.emulator.sent_messages(ADMIN))
    for n, form in enumerate(forms):
        user = 910000 + n
        h.emulator.add_user(user, "Echo")
        # Telegram refuses the reply with an error text that carries the token: the error handler logs it
        # (message and traceback) and tells the admins.
        h.emulator.fail_next(user, Fault(400, f"Bad Request: wrong url {form}"), count=1)
        await h.say(user, "/start")  # the apology after the failed reply
    notices = await h.emulator.wait_for_messages_async(ADMIN, admin_before + len(forms))
    lines = [logging.Formatter("%(message)s").format(r) for r in caplog.records]
    echoed = [line for line in lines if "wrong url" in line.lower()]
    assert len(echoed) >= len(forms), "the errors were not logged, so the check below would prove nothing"
    assert all(REDACTED in line for line in echoed)
    assert [line for line in lines if leaks(line, token)] == []
    assert not leaks(caplog.text, token)
    assert [m.text for m in notices[admin_before:] if leaks(m.text, token)] == []
