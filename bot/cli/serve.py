"""``dreambot serve``: the embedded default, everything in one command.

It refuses to start on an out-of-date schema, runs the engine processes as subprocesses
(restarting one that dies), and starts every front end that is installed: a module
``bot.<name>.serve`` with ``async def run(settings, service)`` for ``discord``, ``slack`` and
``gallery``. Each front end decides from the settings whether it is configured. SIGTERM or
Ctrl-C stops the front ends and lets the engines finish or hand back their dreams.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from bot.settings import Settings, load_settings
from bot.store.service import DreamService

_log = logging.getLogger(__name__)

FRONT_ENDS = ("discord", "slack", "gallery")
_ENGINE_RESTART_DELAY = 5.0
_ENGINE_STOP_GRACE = 60.0
_WORKER_COMMAND = ("-c", "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))")

FrontEnd = Callable[[Settings, DreamService], Awaitable[None]]


def register(subcommands: Any) -> None:
    parser: argparse.ArgumentParser = subcommands.add_parser(
        "serve",
        help="run the bot: engine processes and every configured front end",
        description="Run dreambot: engines, chat adapters and the gallery, as configured.",
    )
    parser.add_argument(
        "--engines",
        type=int,
        default=1,
        metavar="N",
        help="engine subprocesses to run here (0 when engines run on other hosts)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    service = DreamService.open(settings)  # refuses an out-of-date schema with one sentence
    _explain_missing_tokens(settings)
    return asyncio.run(_serve(settings, service, engines=max(0, args.engines)))


def find_front_ends() -> dict[str, FrontEnd]:
    """The installed front ends: each ``bot.<name>.serve`` module that has ``run``."""
    found: dict[str, FrontEnd] = {}
    for name in FRONT_ENDS:
        try:
            module = importlib.import_module(f"bot.{name}.serve")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"bot.{name}", f"bot.{name}.serve"):
                raise
            _log.debug("No %s front end is installed.", name)
            continue
        entry = getattr(module, "run", None)
        if callable(entry):
            found[name] = entry
    return found


async def _serve(settings: Settings, service: DreamService, *, engines: int) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    tasks = [
        asyncio.create_task(_keep_engine_running(index, stop), name=f"engine-{index}")
        for index in range(engines)
    ]
    for name, entry in find_front_ends().items():
        _log.debug("Starting the %s front end.", name)
        tasks.append(asyncio.create_task(_front_end(name, entry, settings, service)))
    _log.info("dreambot is serving with %d engine(s); stop it with Ctrl-C.", engines)

    await stop.wait()
    _log.info("Stopping.")
    for task in tasks:
        if not task.get_name().startswith("engine-"):
            task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await service.close()
    return 0


async def _front_end(name: str, entry: FrontEnd, settings: Settings, service: DreamService) -> None:
    try:
        await entry(settings, service)
    except asyncio.CancelledError:
        raise
    except Exception:
        _log.exception("The %s front end stopped with an error.", name)


async def _keep_engine_running(index: int, stop: asyncio.Event) -> None:
    while not stop.is_set():
        process = subprocess.Popen([sys.executable, *_WORKER_COMMAND, "worker"])
        _log.info("Engine %d started (pid %d).", index, process.pid)
        waiting = asyncio.create_task(asyncio.to_thread(process.wait))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set():
            stopping.cancel()
            await _stop_engine(process)
            await waiting
            return
        stopping.cancel()
        _log.warning(
            "Engine %d exited with status %s; restarting in %.0f s.",
            index,
            process.returncode,
            _ENGINE_RESTART_DELAY,
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), _ENGINE_RESTART_DELAY)


async def _stop_engine(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # the engine finishes its dream, or hands it back on a second signal
    try:
        await asyncio.to_thread(process.wait, _ENGINE_STOP_GRACE)
    except subprocess.TimeoutExpired:
        process.terminate()
        await asyncio.to_thread(process.wait)


def _explain_missing_tokens(settings: Settings) -> None:
    """Say which chat platforms stay off, judged as their adapters judge it."""
    from bot.discord.config import DiscordConfig
    from bot.slack.config import SlackConfig

    if not DiscordConfig.from_settings(settings).enabled:
        print("Discord is off: set DISCORD_TOKEN to the bot's token to enable it.")
    if not SlackConfig.from_settings(settings).enabled:
        print(
            "Slack is off: set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN "
            "(Socket Mode), or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for installs."
        )
