"""Schema migrations with Alembic, found through the package so any working directory works."""

from __future__ import annotations

import logging

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Connection

from bot.store.database import MIGRATIONS_DIR, Database, normalise_url

_log = logging.getLogger(__name__)


def alembic_config(url: str | URL) -> Config:
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    rendered = normalise_url(url).render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def revisions(connection: Connection) -> tuple[str | None, str]:
    """The database's current revision and the newest one this code knows."""
    head = ScriptDirectory.from_config(alembic_config(connection.engine.url)).get_current_head()
    if head is None:
        raise RuntimeError(f"No migrations were found in {MIGRATIONS_DIR}.")
    current = MigrationContext.configure(connection).get_current_revision()
    return current, head


def upgrade(url: str | URL, revision: str = "head") -> None:
    Database(url).dispose()  # creates the SQLite folder and sets WAL before Alembic connects
    command.upgrade(alembic_config(url), revision)
    _log.info("Database schema upgraded to %s.", revision)


def downgrade(url: str | URL, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)
    _log.info("Database schema downgraded to %s.", revision)


def current(url: str | URL) -> tuple[str | None, str]:
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            return revisions(connection)
    finally:
        database.dispose()
