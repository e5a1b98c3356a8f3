"""The schema comes only from the migrations, up from empty and back down."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.settings import Settings
from bot.store import migrate
from bot.store.database import Database
from bot.store.errors import SchemaOutOfDate
from bot.store.models import Base
from bot.store.service import DreamService

TABLES = {"users", "communities", "jobs", "media", "likes"}


def _tables(url: str) -> set[str]:
    database = Database(url)
    try:
        return set(inspect(database.engine).get_table_names())
    finally:
        database.dispose()


def test_downgrade_empties_and_upgrade_rebuilds_the_schema(database_url: str) -> None:
    migrate.downgrade(database_url, "base")
    assert not (_tables(database_url) & TABLES)
    assert migrate.current(database_url)[0] is None

    migrate.upgrade(database_url)

    assert _tables(database_url) >= TABLES
    current, head = migrate.current(database_url)
    assert current == head


def test_migrations_build_exactly_the_models(database_url: str) -> None:
    database = Database(database_url)
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": False, "include_object": _ours}
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        database.dispose()

    assert differences == []


def _ours(obj: object, name: str | None, kind: str, reflected: bool, compare_to: object) -> bool:
    """Only the store's tables: other packages add tables of their own in later migrations."""
    table = name if kind == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table in Base.metadata.tables


def test_an_out_of_date_schema_is_refused_with_the_command_to_run(
    database_url: str, settings: Settings
) -> None:
    migrate.downgrade(database_url, "base")
    try:
        with pytest.raises(SchemaOutOfDate) as refused:
            DreamService.open(settings)
    finally:
        migrate.upgrade(database_url)

    message = str(refused.value)
    assert "dreambot db upgrade" in message
    assert message.count(".") == 1
    assert message.endswith(".")
