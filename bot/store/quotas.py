"""Quotas: the limits that apply to one person in one community, and their use so far.

Daily limits count the dreams charged since midnight UTC; a dream that failed on our side, a
bad input and a job cancelled before it started are not charged. The caller holds the writing
transaction, so checking and charging cannot be split by a concurrent submit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.settings import QuotaLimits
from bot.store.errors import QuotaExceeded
from bot.store.models import Job, JobStatus
from bot.store.views import QuotaUse, QuotaView

PENDING_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Limits:
    user_daily: int
    community_daily: int
    user_queued: int
    max_size: int


def limits_for(defaults: QuotaLimits, settings: dict[str, Any], *, is_admin: bool) -> Limits:
    """The operator's defaults, overridden by the community's own settings where it has them."""

    def pick(name: str, default: int) -> int:
        value = settings.get(name)
        return int(value) if value is not None else default

    max_size = pick("max_size", defaults.max_size)
    if is_admin:
        max_size = max(max_size, defaults.admin_max_size)
    return Limits(
        user_daily=pick("user_daily", defaults.user_daily),
        community_daily=pick("community_daily", defaults.community_daily),
        user_queued=pick("user_queued", defaults.user_queued),
        max_size=max_size,
    )


def day_window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    start = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)


def usage(
    session: Session, limits: Limits, *, user_id: int, community_id: int | None, now: dt.datetime
) -> QuotaView:
    start, resets_at = day_window(now)
    charged_today = select(func.count(Job.id)).where(Job.charged, Job.created_at >= start)
    user_daily = session.scalar(charged_today.where(Job.user_id == user_id)) or 0
    pending = select(func.count(Job.id)).where(
        Job.user_id == user_id, Job.status.in_(PENDING_STATUSES)
    )
    community_use = None
    if community_id is not None:
        used = session.scalar(charged_today.where(Job.community_id == community_id)) or 0
        community_use = QuotaUse(
            name="community_daily", limit=limits.community_daily, used=used, resets_at=resets_at
        )
    return QuotaView(
        user_daily=QuotaUse(
            name="user_daily", limit=limits.user_daily, used=user_daily, resets_at=resets_at
        ),
        community_daily=community_use,
        user_queued=QuotaUse(
            name="user_queued",
            limit=limits.user_queued,
            used=session.scalar(pending) or 0,
            resets_at=None,
        ),
        max_size=limits.max_size,
    )


def check(view: QuotaView, *, size: int) -> None:
    """Raise :class:`QuotaExceeded` for the first limit one more dream of ``size`` would pass."""
    if size > view.max_size:
        raise QuotaExceeded("max_size", view.max_size, size, None)
    for use in (view.user_queued, view.user_daily, view.community_daily):
        if use is not None and use.used >= use.limit:
            raise QuotaExceeded(use.name, use.limit, use.used, use.resets_at)
