"""What the Slack adapter remembers in the database: posted pictures and events already seen.

A slash command cannot carry a file, so ``/dream`` without a link dreams the picture the same
person posted last in that channel; the adapter learns those pictures from message events as
they arrive (it never reads a channel's history). The same record answers a reaction, whose
event names the message but not its files.

Slack delivers an event again when it thinks the first delivery failed; :meth:`first_sighting`
lets exactly one delivery of each ``event_id`` through, across restarts and processes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import ColumnElement, Executable, Select

from bot.slack.images import ImageRef
from bot.store.database import Database

SEEN_EVENTS_KEPT = dt.timedelta(hours=1)
"""Slack retries an event within minutes; an id older than this is forgotten."""

metadata = MetaData()

image_posts = Table(
    "slack_image_posts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("team_id", String(32), nullable=False),
    Column("channel_id", String(32), nullable=False),
    Column("user_id", String(32), nullable=False),
    Column("message_ts", String(32), nullable=False),
    Column("url", Text, nullable=False),
    Column("private", Boolean, nullable=False),
    Column("name", String(255), nullable=False, default=""),
    Column("size", BigInteger, nullable=True),
    Column("posted_at", DateTime, nullable=False),
    Index("ix_slack_image_posts_person", "team_id", "channel_id", "user_id", "posted_at"),
    Index("ix_slack_image_posts_message", "team_id", "channel_id", "message_ts"),
)

seen_events = Table(
    "slack_seen_events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("seen_at", DateTime, nullable=False, index=True),
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImagePost:
    """A picture someone posted: where, when, and how to download it."""

    channel_id: str
    user_id: str
    message_ts: str
    image: ImageRef


class SlackMemory:
    """The adapter's two tables, used from asyncio (the queries run in a worker thread)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def remember_image(
        self, *, team_id: str, channel_id: str, user_id: str, message_ts: str, image: ImageRef
    ) -> None:
        row = {
            "team_id": team_id,
            "channel_id": channel_id,
            "user_id": user_id,
            "message_ts": message_ts,
            "url": image.url,
            "private": image.private,
            "name": image.name[:255],
            "size": image.size,
            "posted_at": _now(),
        }
        await asyncio.to_thread(self._write, insert(image_posts).values(row))

    async def latest_image(
        self, *, team_id: str, channel_id: str, user_id: str
    ) -> ImagePost | None:
        """The picture ``user_id`` posted last in ``channel_id``, if any."""
        return await self._first_post(
            image_posts.c.team_id == team_id,
            image_posts.c.channel_id == channel_id,
            image_posts.c.user_id == user_id,
        )

    async def image_of_message(
        self, *, team_id: str, channel_id: str, message_ts: str
    ) -> ImagePost | None:
        """The picture of the message at ``message_ts``, if the adapter saw it posted."""
        return await self._first_post(
            image_posts.c.team_id == team_id,
            image_posts.c.channel_id == channel_id,
            image_posts.c.message_ts == message_ts,
        )

    async def first_sighting(self, event_id: str) -> bool:
        """True the first time ``event_id`` is offered, false for every retry of it."""
        return await asyncio.to_thread(self._record_event, event_id)

    def _record_event(self, event_id: str) -> bool:
        now = _now()
        try:
            with self._database.writing() as session:
                session.execute(
                    delete(seen_events).where(seen_events.c.seen_at < now - SEEN_EVENTS_KEPT)
                )
                session.execute(insert(seen_events).values(event_id=event_id, seen_at=now))
        except IntegrityError:
            return False
        return True

    def _write(self, statement: Executable) -> None:
        with self._database.writing() as session:
            session.execute(statement)

    async def _first_post(self, *conditions: ColumnElement[bool]) -> ImagePost | None:
        query = (
            select(image_posts)
            .where(*conditions)
            .order_by(image_posts.c.posted_at.desc(), image_posts.c.id.desc())
            .limit(1)
        )
        row = await asyncio.to_thread(self._read_first, query)
        if row is None:
            return None
        image = ImageRef(url=row["url"], private=row["private"], name=row["name"], size=row["size"])
        return ImagePost(
            channel_id=row["channel_id"],
            user_id=row["user_id"],
            message_ts=row["message_ts"],
            image=image,
        )

    def _read_first(self, query: Select[Any]) -> RowMapping | None:
        with self._database.reading() as session:
            return session.execute(query).mappings().first()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
