"""``dreambot worker``: one engine process that dreams the jobs of the queue.

SIGTERM (or Ctrl-C) once lets the current dream finish and then exits; a second one stops the
dream at once and hands its job back to the queue for another engine.
"""

from __future__ import annotations

import argparse
import logging
import signal
from types import FrameType
from typing import Any

from bot.settings import load_settings
from bot.store.database import Database
from bot.store.jobsource import QueueJobSource
from bot.store.queue import JobQueue
from engine.errors import EngineUnavailable
from engine.options import DEFAULT_MODEL
from engine.worker import Worker

_log = logging.getLogger(__name__)


def register(subcommands: Any) -> None:
    parser: argparse.ArgumentParser = subcommands.add_parser(
        "worker",
        help="run one engine process that dreams queued jobs",
        description="Claim queued dreams and dream them until stopped (SIGTERM).",
    )
    parser.add_argument(
        "--max-jobs", type=int, default=None, metavar="N", help="exit after taking N jobs"
    )
    parser.add_argument(
        "--no-warm-up", action="store_true", help="do not load the default network at start"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    database = Database(settings.database_url, pool_size=2)
    database.check_schema()
    source = QueueJobSource(JobQueue(database, settings=settings))
    worker = Worker(
        source,
        device=settings.device,
        heartbeat_seconds=settings.lease_seconds / 3,
        recheck_seconds=settings.recheck_seconds,
        max_input_pixels=settings.max_input_pixels,
    )
    _install_signal_handlers(worker)
    if not args.no_warm_up:
        _warm_up(settings.device)

    _log.info("Engine %s is waiting for jobs.", source.worker_id)
    try:
        worker.run(max_jobs=args.max_jobs)
    finally:
        source.close()
        database.dispose()
    return 0


def _install_signal_handlers(worker: Worker) -> None:
    asked = 0

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        nonlocal asked
        asked += 1
        if asked == 1:
            _log.info("Signal %d: finishing the current dream, then stopping.", signum)
            worker.stop()
        else:
            _log.info("Signal %d again: handing the current job back and stopping.", signum)
            worker.hand_back()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def _warm_up(device: str | None) -> None:
    from engine.networks.registry import load_network

    try:
        load_network(DEFAULT_MODEL, device=device)
    except EngineUnavailable as exc:
        _log.warning("The default network could not be loaded: %s", exc)
