"""Where multi-workspace installs live: slack_sdk's SQLAlchemy stores, in dreambot's database.

Bolt's :class:`~slack_bolt.async_app.AsyncApp` wants asynchronous stores; dreambot's database
is synchronous SQLAlchemy (SQLite or PostgreSQL). The two classes here run slack_sdk's own
SQLAlchemy installation and OAuth-state stores in a worker thread, so the tables are exactly
slack_sdk's (``slack_installations``, ``slack_bots``, ``slack_oauth_states``), created by the
migrations like every other table.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

_log = logging.getLogger(__name__)

STATE_EXPIRATION_SECONDS = 600


class DatabaseInstallationStore(AsyncInstallationStore):
    """The installs of every workspace that added the app, kept in the database."""

    def __init__(self, engine: Engine, *, client_id: str) -> None:
        self._store = SQLAlchemyInstallationStore(client_id=client_id, engine=engine, logger=_log)

    @property
    def logger(self) -> logging.Logger:
        return _log

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self._store.save, installation)
        _log.info("Slack workspace %s installed the app.", installation.team_id)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self._store.save_bot, bot)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        return await asyncio.to_thread(
            self._store.find_bot,
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await asyncio.to_thread(
            self._store.find_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(
            self._store.delete_bot, enterprise_id=enterprise_id, team_id=team_id
        )

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(
            self._store.delete_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
        )


class DatabaseOAuthStateStore(AsyncOAuthStateStore):
    """The one-time ``state`` values of OAuth installs in progress, kept in the database."""

    def __init__(self, engine: Engine, *, expiration_seconds: int = STATE_EXPIRATION_SECONDS):
        self._store = SQLAlchemyOAuthStateStore(
            expiration_seconds=expiration_seconds, engine=engine, logger=_log
        )

    @property
    def logger(self) -> logging.Logger:
        return _log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self._store.issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self._store.consume, state)


def slack_tables_metadata() -> Any:
    """The slack_sdk tables, as a :class:`sqlalchemy.MetaData`, for the migrations to create."""
    from sqlalchemy import MetaData

    metadata = MetaData()
    SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states")
    return metadata
