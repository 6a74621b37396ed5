"""python -m emulator --port N: serve the emulator standalone; prints its base_url on the first line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from .limits import RateLimits
from .server import Emulator
from .state import DEFAULT_TOKEN, EmulatorConfig


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--overall-limit", type=int, default=30, help="messages per --overall-window")
    parser.add_argument("--overall-window", type=float, default=1.0)
    parser.add_argument("--chat-limit", type=int, default=1, help="messages per chat per --chat-window")
    parser.add_argument("--chat-window", type=float, default=1.0)
    parser.add_argument("--group-limit", type=int, default=20, help="per group/channel per --group-window")
    parser.add_argument("--group-window", type=float, default=60.0)
    parser.add_argument("--tolerance", type=float, default=0.05, help="seconds of slack on each window")
    parser.add_argument("--no-enforce", action="store_true", help="record violations but deliver anyway")
    parser.add_argument("--no-limits", action="store_true")
    parser.add_argument("--no-auto-create", action="store_true", help="unknown chats: 400 chat not found")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    limits = RateLimits(
        args.overall_limit,
        args.overall_window,
        args.chat_limit,
        args.chat_window,
        args.group_limit,
        args.group_window,
        args.tolerance,
        enforce=not args.no_enforce,
        enabled=not args.no_limits,
    )
    config = EmulatorConfig(token=args.token, limits=limits, auto_create_chats=not args.no_auto_create)
    emulator = Emulator(config, host=args.host, port=args.port)
    await emulator.start_async()
    print(emulator.base_url, flush=True)
    print(f"token {emulator.token}; control API at {emulator.url}/_control/<action>", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await emulator.stop_async()


def main(argv: list[str] | None = None) -> None:
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
