"""How Alembic reaches the database: the URL given by ``dreambot db``, else the settings'."""

from __future__ import annotations

from alembic import context

from bot.settings import load_settings
from bot.store.database import Database
from bot.store.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url") or load_settings().database_url
database = Database(url)

try:
    with database.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=database.is_sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
finally:
    database.dispose()
