"""The tables of dreambot: people, communities, jobs, media and gallery likes.

Times are stored as UTC and read back as timezone-aware UTC datetimes on every database.
The schema is created and changed only by the Alembic migrations in ``migrations/``.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A datetime stored as naive UTC and read back timezone-aware, the same on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"A naive datetime cannot be stored: {value!r}.")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime, dict[str, Any]: JSON}


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED})


class FailureKind(enum.StrEnum):
    """Whose move it is after a failure: the requester's input, or our infrastructure."""

    BAD_INPUT = "bad_input"
    ENGINE = "engine"


class User(Base):
    """A person on one platform; the same human on Discord and Slack is two users."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_served_at: Mapped[dt.datetime | None]
    """When one of this person's jobs last started: the key of the fair order."""


class Community(Base):
    """A Discord server or Slack workspace (or the operator's local one), with its settings."""

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("platform", "platform_community_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_community_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    gallery_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Media(Base):
    """A stored file, named by the sha256 of its bytes."""

    __tablename__ = "media"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    media_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int | None]
    height: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Job(Base):
    """One dream asked for: who, from where, where to answer, what, and how it went."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_claim", "status", "priority", "created_at"),
        Index("ix_jobs_user_created", "user_id", "created_at"),
        Index("ix_jobs_community_created", "community_id", "created_at"),
        Index("ix_jobs_undelivered", "platform", "delivered_at", "status"),
        Index(
            "ix_jobs_waiting",
            "priority",
            "user_id",
            "created_at",
            "id",
            postgresql_where=text("status = 'queued'"),
            sqlite_where=text("status = 'queued'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    platform: Mapped[str] = mapped_column(String(16))
    requested_by_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    reply_to: Mapped[dict[str, Any]] = mapped_column(default=dict)
    options: Mapped[dict[str, Any]]
    priority: Mapped[int] = mapped_column(Integer, default=0)

    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[dt.datetime | None]
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    charged: Mapped[bool] = mapped_column(Boolean, default=True)

    progress: Mapped[float] = mapped_column(Float, default=0.0)
    octave: Mapped[int] = mapped_column(Integer, default=0)
    octaves: Mapped[int] = mapped_column(Integer, default=0)

    input_sha256: Mapped[str | None] = mapped_column(ForeignKey("media.sha256"))
    guide_sha256: Mapped[str | None] = mapped_column(ForeignKey("media.sha256"))
    preview_sha256: Mapped[str | None] = mapped_column(ForeignKey("media.sha256"))
    result_sha256: Mapped[str | None] = mapped_column(ForeignKey("media.sha256"))
    thumbnail_sha256: Mapped[str | None] = mapped_column(ForeignKey("media.sha256"))

    error: Mapped[str | None] = mapped_column(Text)
    failure_kind: Mapped[str | None] = mapped_column(String(16))

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    delivered_at: Mapped[dt.datetime | None]
    removed_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(lazy="joined")
    community: Mapped[Community | None] = relationship(lazy="joined")


class Like(Base):
    """One like of a dream, at most one per voter: a chat user or a browser."""

    __tablename__ = "likes"
    __table_args__ = (UniqueConstraint("job_id", "voter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    voter_key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
