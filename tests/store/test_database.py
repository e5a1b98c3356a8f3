"""The connection settings each database gets."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from bot.store.database import Database, normalise_url


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'nested' / 'dreambot.sqlite3'}")
    try:
        with database.engine.connect() as connection:
            mode = connection.execute(text("PRAGMA journal_mode")).scalar()
            timeout = connection.execute(text("PRAGMA busy_timeout")).scalar()
            foreign_keys = connection.execute(text("PRAGMA foreign_keys")).scalar()
    finally:
        database.dispose()

    assert mode == "wal"
    assert timeout is not None
    assert timeout >= 10_000
    assert foreign_keys == 1
    assert (tmp_path / "nested" / "dreambot.sqlite3").is_file()


def test_postgres_urls_use_psycopg_3() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("sqlite:///x.db").drivername == "sqlite"
