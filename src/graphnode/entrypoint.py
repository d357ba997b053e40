"""What the three services' ``python -m`` entry points share: the options, the settings
table in ``--help``, logging set-up, and running an asyncio main until a signal."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import textwrap
from collections.abc import Awaitable, Callable

from aiohttp import web

from graphnode.logs import configure_logging
from graphnode.settings import Settings, SettingsError, describe_settings


def settings_epilog() -> str:
    lines = ["settings (environment variables):"]
    for name, default, meaning in describe_settings():
        lines.append(f"  {name}" + (f"  (default: {default})" if default else ""))
        lines.extend(
            textwrap.wrap(meaning, 76, initial_indent="      ", subsequent_indent="      ")
        )
    return "\n".join(lines)


def service_parser(prog: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=description,
        epilog=settings_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--log-level", help="overrides GRAPHNODE_LOG_LEVEL")
    parser.add_argument(
        "--log-format", choices=["json", "text"], help="overrides GRAPHNODE_LOG_FORMAT"
    )
    return parser


def load_settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, logging configured; exits with the reason if invalid."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        sys.exit(f"error: {exc}")
    configure_logging(args.log_level or settings.log_level, args.log_format or settings.log_format)
    return settings


def run_until_signalled(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``main(stop)``; SIGINT/SIGTERM only set ``stop``, so shutdown is main's to do."""

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await main(stop)
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(ValueError, RuntimeError):
                    loop.remove_signal_handler(sig)

    asyncio.run(runner())


def serve(app: web.Application, host: str, port: int) -> None:
    """Run an aiohttp service until SIGINT/SIGTERM; its cleanup contexts close everything."""
    web.run_app(app, host=host, port=port, access_log=None, print=None)
