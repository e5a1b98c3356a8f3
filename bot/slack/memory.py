"""What the Slack adapter remembers in the database: posted pictures, its own dream messages,
and events already seen.

A slash command cannot carry a file, so ``/dream`` without a link dreams the picture the same
person posted last in that channel; the adapter learns those pictures from message events as
they arrive (it never reads a channel's history). The same record answers a reaction, whose
event names the message but not its files.

The messages the adapter posts for a dream (its status message, and the message of the uploaded
result) are remembered with the dream's job id: a reaction on one of them is a like in the
gallery, and a dream that finishes while the adapter is down is answered in its status
message's thread after the restart.

Slack delivers an event again when it thinks the first delivery failed; :meth:`first_sighting`
lets exactly one delivery of each ``event_id`` through, across restarts and processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import enum
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


dream_metadata = MetaData()
"""The tables added after the first Slack migration, which creates all of :data:`metadata`."""

dream_messages = Table(
    "slack_dream_messages",
    dream_metadata,
    Column("team_id", String(32), primary_key=True),
    Column("channel_id", String(32), primary_key=True),
    Column("message_ts", String(32), primary_key=True),
    Column("job_id", Integer, nullable=False, index=True),
    Column("kind", String(16), nullable=False),
)


class DreamMessageKind(enum.StrEnum):
    """Which of a dream's messages the adapter posted."""

    STATUS = "status"
    """The message that shows the queue and progress, then carries the result's buttons."""

    RESULT = "result"
    """The message holding the uploaded dream."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class DreamMessage:
    """A message the adapter posted for dream ``job_id``."""

    team_id: str
    channel_id: str
    message_ts: str
    job_id: int
    kind: DreamMessageKind


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImagePost:
    """A picture someone posted: where, when, and how to download it."""

    channel_id: str
    user_id: str
    message_ts: str
    image: ImageRef


class SlackMemory:
    """The adapter's tables, used from asyncio (the queries run in a worker thread)."""

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

    async def remember_dream_message(self, message: DreamMessage) -> None:
        """Record a message posted for a dream; recording the same message again changes nothing."""
        row = dataclasses.asdict(message) | {"kind": str(message.kind)}
        await asyncio.to_thread(self._write_once, insert(dream_messages).values(row))

    async def dream_message(
        self, *, team_id: str, channel_id: str, message_ts: str
    ) -> DreamMessage | None:
        """The dream message at ``message_ts``, or ``None`` for any other message."""
        return await self._first_dream_message(
            dream_messages.c.team_id == team_id,
            dream_messages.c.channel_id == channel_id,
            dream_messages.c.message_ts == message_ts,
        )

    async def status_message(self, job_id: int) -> DreamMessage | None:
        """The status message of dream ``job_id``, if the adapter posted one."""
        return await self._first_dream_message(
            dream_messages.c.job_id == job_id,
            dream_messages.c.kind == str(DreamMessageKind.STATUS),
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

    def _write_once(self, statement: Executable) -> None:
        with contextlib.suppress(IntegrityError):
            self._write(statement)

    async def _first_dream_message(self, *conditions: ColumnElement[bool]) -> DreamMessage | None:
        query = select(dream_messages).where(*conditions).limit(1)
        row = await asyncio.to_thread(self._read_first, query)
        if row is None:
            return None
        return DreamMessage(
            team_id=row["team_id"],
            channel_id=row["channel_id"],
            message_ts=row["message_ts"],
            job_id=row["job_id"],
            kind=DreamMessageKind(row["kind"]),
        )

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
