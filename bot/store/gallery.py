"""What the gallery keeps: finished dreams per community, their likes, removal, settings."""

from __future__ import annotations

import logging
from typing import Any, Literal

from sqlalchemy import Select, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.store import people, wakeup
from bot.store.community import checked_changes, new_gallery_token, with_defaults
from bot.store.errors import JobNotFound
from bot.store.models import Community, Job, JobStatus, Like, User, utcnow
from bot.store.queue import JobQueue, check_allowed, find_job
from bot.store.views import CommunityRef, CommunityView, JobView, Requester

_log = logging.getLogger(__name__)

Order = Literal["newest", "likes"]


class Gallery:
    """The gallery's reads and writes, over the same database and media as the queue."""

    def __init__(self, queue: JobQueue) -> None:
        self.queue = queue
        self.database = queue.database

    def recent(
        self,
        community: CommunityRef,
        *,
        limit: int = 24,
        offset: int = 0,
        order: Order = "newest",
        author: str | None = None,
    ) -> list[JobView]:
        """Finished, kept dreams of ``community``, newest or most liked first, one page."""
        if order not in ("newest", "likes"):
            raise ValueError(f"The order is 'newest' or 'likes', not {order!r}.")
        likes = select(func.count(Like.id)).where(Like.job_id == Job.id).correlate(Job)
        query = _kept_dreams(select(Job), community, author)
        ordering = (likes.scalar_subquery().desc(),) if order == "likes" else ()
        query = query.order_by(*ordering, Job.finished_at.desc(), Job.id.desc())
        with self.database.reading() as session:
            jobs = session.scalars(query.limit(limit).offset(offset)).unique().all()
            return [self.queue.view(session, job) for job in jobs]

    def count(self, community: CommunityRef, *, author: str | None = None) -> int:
        """How many dreams :meth:`recent` pages through."""
        query = _kept_dreams(select(func.count(Job.id)), community, author)
        with self.database.reading() as session:
            return session.scalar(query) or 0

    def like(self, job_id: int, voter_key: str) -> int:
        """Count one like per voter (a chat user or a browser); returns the likes now."""
        with self.database.writing() as session:
            job = find_job(session, job_id)
            if job.removed_at is not None or job.status != JobStatus.DONE:
                raise JobNotFound(job_id)
            insert = postgresql.insert if not self.database.is_sqlite else sqlite.insert
            session.execute(
                insert(Like)
                .values(job_id=job_id, voter_key=voter_key[:128], created_at=utcnow())
                .on_conflict_do_nothing(index_elements=("job_id", "voter_key"))
            )
            return session.scalar(select(func.count(Like.id)).where(Like.job_id == job_id)) or 0

    def remove(self, job_id: int, *, by: Requester | None) -> JobView:
        """Delete a dream's files and mark it removed; only its author or an admin may."""
        with self.database.writing() as session:
            job = find_job(session, job_id, lock=True)
            check_allowed(job, by, "remove")
            if job.removed_at is None:
                job.removed_at = utcnow()
                self.queue.notifier.publish(session, wakeup.JOB, str(job_id))
            files = [
                sha
                for sha in (
                    job.result_sha256,
                    job.thumbnail_sha256,
                    job.preview_sha256,
                    job.input_sha256,
                    job.guide_sha256,
                )
                if sha is not None and not _used_elsewhere(session, sha, job_id)
            ]
            view = self.queue.view(session, job)
        for sha in files:
            self.queue.media.delete(sha)
        _log.info("Job %d removed from the gallery (%d files deleted).", job_id, len(files))
        return view

    def community_settings(self, community: CommunityRef) -> CommunityView:
        with self.database.writing() as session:
            return _community_view(people.ensure_community(session, community))

    def update_community_settings(
        self, community: CommunityRef, changes: dict[str, Any]
    ) -> CommunityView:
        """Change some settings; :class:`~engine.errors.BadInput` names a wrong one."""
        checked = checked_changes(changes)
        with self.database.writing() as session:
            row = people.ensure_community(session, community, lock=True)
            row.settings = {**row.settings, **checked}
            _log.info("Community %s/%s changed %s.", row.platform, row.name, sorted(checked))
            return _community_view(row)

    def rotate_gallery_token(self, community: CommunityRef) -> CommunityView:
        """A new private-gallery link; the old one stops working."""
        with self.database.writing() as session:
            row = people.ensure_community(session, community, lock=True)
            row.gallery_token = new_gallery_token()
            _log.info("Community %s/%s has a new gallery link.", row.platform, row.name)
            return _community_view(row)

    def community_by_token(self, token: str) -> CommunityView | None:
        with self.database.reading() as session:
            row = session.scalars(
                select(Community).where(Community.gallery_token == token)
            ).one_or_none()
            return _community_view(row) if row is not None else None

    def find_community(self, community: CommunityRef) -> CommunityView | None:
        """The community's settings, or ``None`` when it was never seen; creates nothing."""
        with self.database.reading() as session:
            row = people.find_community(session, community)
            return _community_view(row) if row is not None else None

    def communities(self) -> list[CommunityView]:
        with self.database.reading() as session:
            rows = session.scalars(select(Community).order_by(Community.id)).all()
            return [_community_view(row) for row in rows]


def _kept_dreams(query: Select[Any], community: CommunityRef, author: str | None) -> Select[Any]:
    """``query`` narrowed to the finished, not removed dreams of a community (and author)."""
    query = query.join(Community, Community.id == Job.community_id).where(
        Community.platform == community.platform,
        Community.platform_community_id == community.id,
        Job.status == JobStatus.DONE,
        Job.removed_at.is_(None),
    )
    if author is not None:
        query = query.join(User, User.id == Job.user_id).where(User.platform_user_id == author)
    return query


def _used_elsewhere(session: Session, sha256: str, job_id: int) -> bool:
    columns = (
        Job.input_sha256,
        Job.guide_sha256,
        Job.preview_sha256,
        Job.result_sha256,
        Job.thumbnail_sha256,
    )
    other = select(Job.id).where(
        Job.id != job_id,
        Job.removed_at.is_(None),
        or_(*[column == sha256 for column in columns]),
    )
    return session.scalar(other.limit(1)) is not None


def _community_view(row: Community) -> CommunityView:
    return CommunityView(
        platform=row.platform,
        id=row.platform_community_id,
        name=row.name,
        settings=with_defaults(row.settings),
        gallery_token=row.gallery_token,
    )
