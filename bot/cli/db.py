"""``dreambot db``: bring the database schema up to date, or see where it stands."""

from __future__ import annotations

import argparse
from typing import Any

from bot.settings import load_settings
from bot.store import migrate


def register(subcommands: Any) -> None:
    parser: argparse.ArgumentParser = subcommands.add_parser(
        "db",
        help="upgrade the database schema (DREAMBOT_DATABASE_URL) or show its revision",
        description="Run the database migrations of dreambot.",
    )
    actions = parser.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="migrate to the newest schema (or REVISION)")
    upgrade.add_argument("revision", nargs="?", default="head")
    downgrade = actions.add_parser("downgrade", help="migrate back to REVISION ('base': empty)")
    downgrade.add_argument("revision")
    actions.add_parser("current", help="print the database's revision and the newest one")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    url = load_settings().database_url
    if args.db_action == "upgrade":
        migrate.upgrade(url, args.revision)
        print(f"The database schema is at {migrate.current(url)[0]}.")
    elif args.db_action == "downgrade":
        migrate.downgrade(url, args.revision)
        print(f"The database schema is at {migrate.current(url)[0] or 'base (empty)'}.")
    else:
        current, head = migrate.current(url)
        state = "up to date" if current == head else "out of date: run `dreambot db upgrade`"
        print(f"{current or 'empty'} (newest {head}); {state}.")
    return 0
