"""The ``dreambot`` command: one subcommand per module of this package.

Each subcommand module offers ``register(subcommands)``, which adds its parser
and sets ``handler`` to a function taking the parsed arguments and returning an
exit status. Usage errors exit with status 2 and one sentence, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from engine.errors import BadInput, DreamError

_log = logging.getLogger(__name__)

COMMAND_MODULES = (
    "bot.cli.dream",
    "bot.cli.db",
    "bot.cli.queue",
    "bot.cli.worker",
    "bot.cli.serve",
)

EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dreambot",
        description="Dream photos with an ImageNet network, from the command line or in chat.",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more (twice for debug output)"
    )
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)

    try:
        status: int = args.handler(args)
    except BadInput as exc:
        print(f"dreambot: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except DreamError as exc:
        print(f"dreambot: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except KeyboardInterrupt:
        print("dreambot: interrupted.", file=sys.stderr)
        return 130
    return status


def _configure_logging(verbosity: int) -> None:
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


if __name__ == "__main__":
    sys.exit(main())
