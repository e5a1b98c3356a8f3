"""Which Discord message shows which dream, so a reaction on a result can count as a like.

A finished dream is posted either by editing its interaction's reply or as a new message in
its channel; :class:`ResultMessages` records the id of that message against the dream's job,
in the shared database, so every adapter process and every restart finds it again.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, insert, select
from sqlalchemy.exc import IntegrityError

from bot.store.database import Database

_log = logging.getLogger(__name__)

metadata = MetaData()

result_messages = Table(
    "discord_result_messages",
    metadata,
    Column("message_id", BigInteger, primary_key=True, autoincrement=False),
    Column("job_id", Integer, nullable=False),
)
"""One row per message that shows a finished dream; the schema is made by a migration."""


class ResultMessages:
    """Remember and look up the message that shows a dream."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def remember(self, message_id: int, job_id: int) -> None:
        """Record that ``message_id`` shows dream ``job_id``; a second record is ignored."""
        await asyncio.to_thread(self._insert, message_id, job_id)

    async def job_of(self, message_id: int) -> int | None:
        """The dream ``message_id`` shows, or ``None`` when it shows none."""
        return await asyncio.to_thread(self._select, message_id)

    def _insert(self, message_id: int, job_id: int) -> None:
        try:
            with self._database.writing() as session:
                session.execute(
                    insert(result_messages).values(message_id=message_id, job_id=job_id)
                )
        except IntegrityError:
            _log.debug("Message %d was already recorded as showing a dream.", message_id)

    def _select(self, message_id: int) -> int | None:
        query = select(result_messages.c.job_id).where(result_messages.c.message_id == message_id)
        with self._database.reading() as session:
            return session.scalar(query)
