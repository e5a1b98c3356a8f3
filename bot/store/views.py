"""What callers of the store see: plain, immutable values with no database attached."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal

from bot.store.models import JobStatus
from engine.options import DreamOptions

Platform = Literal["discord", "slack", "local", "web"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class CommunityRef:
    """A Discord server, a Slack workspace, or the operator's ``local`` community."""

    platform: str
    id: str
    name: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Requester:
    """Who asks: a person on a platform, where, and whether they administer that community."""

    platform: str
    user_id: str
    display_name: str
    community: CommunityRef | None = None
    is_admin: bool = False

    @classmethod
    def local(cls, name: str, *, is_admin: bool = False) -> Requester:
        """A person on this machine (the CLI, the try-it page), in the ``local`` community.

        They have the same quotas and place in the fair order as people in chat, unless
        ``is_admin`` gives them the admins' priority and size.
        """
        return cls(
            platform="local",
            user_id=name,
            display_name=name,
            community=CommunityRef(platform="local", id="local", name="This machine"),
            is_admin=is_admin,
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Submitted:
    job_id: int
    place: int
    """1 when the job is next to start."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class JobView:
    """A job as it stood when read."""

    id: int
    status: JobStatus
    options: DreamOptions
    requester: Requester
    reply_to: dict[str, Any]
    attempts: int
    progress: float
    octave: int
    octaves: int
    input_sha256: str | None
    guide_sha256: str | None
    preview_sha256: str | None
    result_sha256: str | None
    thumbnail_sha256: str | None
    result_media_type: str | None
    error: str | None
    failure_kind: str | None
    likes: int
    lease_owner: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    delivered_at: dt.datetime | None
    removed_at: dt.datetime | None

    @property
    def community(self) -> CommunityRef | None:
        return self.requester.community

    @property
    def is_final(self) -> bool:
        return self.status.is_final


@dataclasses.dataclass(frozen=True, kw_only=True)
class QuotaUse:
    name: str
    limit: int
    used: int
    resets_at: dt.datetime | None

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)


@dataclasses.dataclass(frozen=True, kw_only=True)
class QuotaView:
    """What a person may still ask for: each limit with its use, and the largest size."""

    user_daily: QuotaUse
    community_daily: QuotaUse | None
    user_queued: QuotaUse
    max_size: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class CommunityView:
    platform: str
    id: str
    name: str
    settings: dict[str, Any]
    gallery_token: str
