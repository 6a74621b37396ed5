"""Other processes: the standalone CLI, the HTTP control API, and workers sending from subprocesses."""

from __future__ import annotations

import asyncio
import base64
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from telegram import Bot
from telegram.error import Conflict, RetryAfter

from emulator import ControlError, Emulator, EmulatorClient

from .conftest import retry_seconds

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def standalone() -> Iterator[EmulatorClient]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", "0", "--group-limit", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/bot")
        with EmulatorClient(base_url) as client:
            yield client
    finally:
        proc.terminate()
        proc.wait(10)


async def test_cli_emulator_driven_over_the_control_api(standalone: EmulatorClient) -> None:
    client = standalone
    client.add_user(42, "Aigerim", language_code="ru")
    client.add_chat(-100200, "supergroup", "Ops", admins=[42])
    update = client.inject_message(42, "/start")
    assert update["message"]["entities"][0]["type"] == "bot_command"
    async with Bot("123456789:TEST-coopwatch-emulator-token", base_url=client.base_url) as bot:
        [got] = await bot.get_updates(timeout=0)
        assert got.message is not None and got.message.text == "/start"
        await bot.send_message(42, "&lt;b&gt; is literal", parse_mode="HTML")
        await bot.send_document(-100200, b"opml bytes", filename="export.opml")
        client.inject_flood(42, retry_after=9)
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(42, "flooded")
    assert retry_seconds(caught.value) == 9
    [message] = client.wait_for_messages(42, 1, timeout=5)
    assert (message.text, message.raw_text) == ("<b> is literal", "&lt;b&gt; is literal")
    [document] = client.call("documents", chat_id=-100200)
    assert client.file_bytes(document["file_id"]) == b"opml bytes"
    assert client.stats()["injected_errors"] == 1
    assert client.call("limits")["group_limit"] == 2  # the CLI flag reached the limiter


def test_control_api_errors_are_clear(standalone: EmulatorClient) -> None:
    with pytest.raises(ControlError, match="unknown action"):
        standalone.call("no_such_action")
    with pytest.raises(ControlError, match="say which user_id writes"):
        standalone.add_chat(-5, "group", "G")
        standalone.inject_message(-5, "hello")
    with pytest.raises(ControlError, match="TimeoutError"):
        standalone.wait_for_messages(1, 1, timeout=0.1)


def test_control_api_document_and_violations(standalone: EmulatorClient) -> None:
    update = standalone.inject_document(7, b"\x00\x01binary", "a.bin")
    file_id = update["message"]["document"]["file_id"]
    assert standalone.file_bytes(file_id) == b"\x00\x01binary"
    assert standalone.violations() == [] and standalone.send_times(7) == []
    raw = httpx.post(f"{standalone.url}/_control/file_bytes", json={"file_id": file_id}).json()
    assert base64.b64decode(raw["result"]) == b"\x00\x01binary"


def test_worker_subprocesses_send_to_the_in_process_emulator(emulator: Emulator) -> None:
    """Issue 6's shape: several processes share one emulator, which paces them all together."""
    script = textwrap.dedent(
        """
        import asyncio, sys
        from telegram import Bot
        from telegram.error import RetryAfter

        async def main(base_url, token, first):
            async with Bot(token, base_url=base_url) as bot:
                for chat_id in range(first, first + 5):
                    await bot.send_message(chat_id, f"alert for {chat_id}")
                    try:
                        await bot.send_message(chat_id, "too soon for this chat")
                    except RetryAfter:
                        pass

        asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
        """
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", script, emulator.base_url, emulator.token, str(first)], cwd=ROOT)
        for first in (1000, 2000, 3000)
    ]
    assert [w.wait(60) for w in workers] == [0, 0, 0]
    chats = sorted({m.chat_id for m in emulator.sent_messages()})
    assert chats == [*range(1000, 1005), *range(2000, 2005), *range(3000, 3005)]
    assert all(len(emulator.sent_messages(c)) == 1 for c in chats)
    assert sorted(v.chat_id for v in emulator.violations if v.scope == "chat") == chats


async def test_two_pollers_conflict_like_telegram(relaxed: Emulator) -> None:
    first, second = (Bot(relaxed.token, base_url=relaxed.base_url) for _ in range(2))
    async with first, second:
        waiting = asyncio.create_task(first.get_updates(timeout=20))
        await relaxed.wait_until_async(lambda: relaxed.calls["getUpdates"] >= 1)
        await second.get_updates(timeout=0)
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(waiting, 10)
    assert relaxed.conflicts == 1


async def test_webhook_receives_updates_with_the_secret(relaxed: Emulator) -> None:
    from aiohttp import web

    received: list[tuple[dict, str | None]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with Bot(relaxed.token, base_url=relaxed.base_url) as bot:
            await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
            relaxed.add_user(5, "Hook")
            relaxed.inject_message(5, "/start")
            await relaxed.wait_until_async(lambda: received)
            with pytest.raises(Conflict, match="webhook is active"):
                await bot.get_updates(timeout=0)
            await bot.delete_webhook()
    finally:
        await runner.cleanup()
    assert received[0][0]["message"]["text"] == "/start" and received[0][1] == "s3cret"
    assert relaxed.pending_updates() == []
