"""The database connection: one URL chooses SQLite (embedded) or PostgreSQL (many engines).

SQLite runs in WAL mode with a busy timeout, and every writing transaction starts with
``BEGIN IMMEDIATE`` so concurrent writers queue up instead of failing half-way. PostgreSQL
runs at READ COMMITTED; writers that must not overlap lock the rows they count.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.store.errors import SchemaOutOfDate

_log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
_BUSY_TIMEOUT_MS = 30_000


def normalise_url(url: str | URL) -> URL:
    """The URL with the drivers dreambot uses: psycopg 3 for PostgreSQL, pysqlite for SQLite."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


class Database:
    """An engine and its sessions; :meth:`writing` for transactions that write."""

    def __init__(self, url: str | URL, *, pool_size: int = 5) -> None:
        self.url = normalise_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.engine = _create_engine(self.url, pool_size=pool_size)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writer_sessions = sessionmaker(
            self.engine.execution_options(dreambot_immediate=True), expire_on_commit=False
        )

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextlib.contextmanager
    def writing(self) -> Iterator[Session]:
        """A session whose transaction commits on leaving, or rolls back on an error."""
        with self._writer_sessions() as session, session.begin():
            yield session

    def check_schema(self) -> None:
        """Raise :class:`SchemaOutOfDate` unless the database is at the newest migration."""
        from bot.store import migrate

        with self.engine.connect() as connection:
            current, head = migrate.revisions(connection)
        if current != head:
            raise SchemaOutOfDate(current, head)

    def dispose(self) -> None:
        self.engine.dispose()


def sqlite_path(url: URL) -> Path | None:
    """The database file of a SQLite URL, or ``None`` for memory and other databases."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser().resolve()


def _create_engine(url: URL, *, pool_size: int) -> Engine:
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_size=pool_size, max_overflow=pool_size)

    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": _BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun by _begin_sqlite_transaction
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    immediate = connection.get_execution_options().get("dreambot_immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
