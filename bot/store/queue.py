"""The job queue: submit, claim with a lease, progress, finish, fail, cancel.

Fair order: among waiting jobs of the highest priority tier, the next is the oldest job of the
person who has waited longest, where a person's wait starts at their oldest waiting job or at the
start of their last job, whichever is later. One person's fifty queued dreams therefore delay
another person's first dream by at most one job.

An engine holds a claimed job by a lease that its heartbeat renews. A lease that expires (its
engine died) puts the job back in the queue for another engine; the result is recorded only by
the engine that holds the lease, so a job is finished once. Claims use ``FOR UPDATE SKIP LOCKED``
on PostgreSQL and ``BEGIN IMMEDIATE`` on SQLite.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Update,
    and_,
    bindparam,
    case,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from bot.settings import Settings
from bot.store import fair_order, people, quotas, wakeup
from bot.store.database import Database
from bot.store.errors import JobNotFound, NotAllowed
from bot.store.media import LocalMediaFiles, MediaFiles, describe, thumbnail
from bot.store.models import FailureKind, Job, JobStatus, Like, Media, User, utcnow
from bot.store.views import CommunityRef, JobView, QuotaView, Requester, Submitted
from engine.errors import BadInput
from engine.options import DreamOptions
from engine.worker import LeaseState

_log = logging.getLogger(__name__)

ADMIN_PRIORITY = 1


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClaimedJob:
    id: int
    options: DreamOptions
    input_sha256: str | None
    guide_sha256: str | None
    attempt: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class PreviewImage:
    data: bytes
    width: int
    height: int


class JobQueue:
    """The queue over one database and media store; every method is one short transaction."""

    def __init__(
        self,
        database: Database,
        *,
        settings: Settings,
        media: MediaFiles | None = None,
        notifier: wakeup.Notifier | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.media = media or LocalMediaFiles(settings.media_dir)
        self.notifier = notifier or wakeup.notifier_for(database)
        self._next_expiry_check = 0.0

    # The requesting side.

    def submit(
        self,
        requester: Requester,
        options: DreamOptions,
        *,
        input_bytes: bytes | None = None,
        guide_bytes: bytes | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> Submitted:
        """Queue a dream, charging the requester's quotas in the same transaction.

        Raises :class:`~bot.store.errors.QuotaExceeded` when a limit is reached, and
        :class:`~engine.errors.BadInput` for a picture that is not one or a missing picture.
        """
        _check_pictures(options, input_bytes, guide_bytes)
        input_sha = self.media.put(input_bytes) if input_bytes is not None else None
        guide_sha = self.media.put(guide_bytes) if guide_bytes is not None else None

        with self.database.writing() as session:
            community = None
            if requester.community is not None:
                community = people.ensure_community(session, requester.community, lock=True)
            user = people.ensure_user(session, requester, lock=True)
            limits = quotas.limits_for(
                self.settings.quotas,
                community.settings if community else {},
                is_admin=requester.is_admin,
            )
            use = quotas.usage(
                session,
                limits,
                user_id=user.id,
                community_id=community.id if community else None,
                now=utcnow(),
            )
            quotas.check(use, size=options.size)

            for sha, data in ((input_sha, input_bytes), (guide_sha, guide_bytes)):
                if sha is not None and data is not None:
                    _record_media(session, sha, data, kind="input")
            job = Job(
                user_id=user.id,
                community_id=community.id if community else None,
                platform=requester.platform,
                requested_by_admin=requester.is_admin,
                reply_to=dict(reply_to or {}),
                options=options.to_dict(),
                priority=ADMIN_PRIORITY if requester.is_admin else 0,
                input_sha256=input_sha,
                guide_sha256=guide_sha,
                status=JobStatus.QUEUED,
                attempts=0,
                cancel_requested=False,
                charged=True,
                progress=0.0,
                octave=0,
                octaves=options.octaves,
                created_at=utcnow(),
            )
            session.add(job)
            session.flush()
            place = _place_in_queue(session, job)
            self.notifier.publish(session, wakeup.QUEUE)
            self.notifier.publish(session, wakeup.JOB, str(job.id))

        _log.info(
            "Job %d queued for %s/%s at place %d.",
            job.id,
            requester.platform,
            requester.user_id,
            place,
        )
        return Submitted(job_id=job.id, place=place)

    def get(self, job_id: int) -> JobView:
        with self.database.reading() as session:
            return self.view(session, find_job(session, job_id))

    def cancel(self, job_id: int, *, by: Requester | None) -> JobView:
        """Stop a job: a waiting one never starts; a running one stops within one step.

        ``by`` is ``None`` for the operator; otherwise it must be the author or an admin of the
        job's community. A job already over is returned as it is.
        """
        with self.database.writing() as session:
            job = find_job(session, job_id, lock=True)
            check_allowed(job, by, "cancel")
            if job.status == JobStatus.QUEUED:
                _end(job, JobStatus.CANCELLED, error="The dream was cancelled before it started.")
                job.charged = False
            elif job.status == JobStatus.RUNNING:
                job.cancel_requested = True
                self.notifier.publish(session, wakeup.CANCEL, str(job.id))
            self.notifier.publish(session, wakeup.JOB, str(job.id))
            view = self.view(session, job)
        _log.info("Job %d cancel asked; it is %s.", job_id, view.status)
        return view

    def quota(self, requester: Requester) -> QuotaView:
        with self.database.writing() as session:
            community = None
            if requester.community is not None:
                community = people.ensure_community(session, requester.community)
            user = people.ensure_user(session, requester)
            limits = quotas.limits_for(
                self.settings.quotas,
                community.settings if community else {},
                is_admin=requester.is_admin,
            )
            return quotas.usage(
                session,
                limits,
                user_id=user.id,
                community_id=community.id if community else None,
                now=utcnow(),
            )

    # The engine's side.

    def claim(self, worker_id: str) -> ClaimedJob | None:
        """Take the next job in fair order under a lease, or ``None`` when none is waiting.

        Jobs whose lease expired are put back first: whenever the queue looks empty, and at
        least every quarter of a lease while it is busy.
        """
        now = utcnow()
        with self.database.writing() as session:
            checked = time.monotonic() >= self._next_expiry_check
            if checked:
                self._requeue_expired(session, now)
            row = self._take_next(session, worker_id, now)
            if row is None and not checked:
                self._requeue_expired(session, now)
                row = self._take_next(session, worker_id, now)
            if row is None:
                return None

            self.notifier.publish(session, wakeup.JOB, str(row.id))
            claimed = ClaimedJob(
                id=row.id,
                options=DreamOptions.from_dict(row.options),
                input_sha256=row.input_sha256,
                guide_sha256=row.guide_sha256,
                attempt=row.attempts,
            )
        _log.info("Job %d started by %s (attempt %d).", claimed.id, worker_id, claimed.attempt)
        return claimed

    def _take_next(self, session: Session, worker_id: str, now: dt.datetime) -> Any:
        """Lease the first waiting job in fair order to ``worker_id``; its row, or ``None``.

        The job's owner is marked served now. On PostgreSQL the pick, the lease and the mark
        are one statement; SQLite, whose writers take turns, runs them one after another.
        """
        connection = session.connection()
        lease = {
            "worker_id": worker_id,
            "now": now,
            "expires": now + dt.timedelta(seconds=self.settings.lease_seconds),
        }
        if not self.database.is_sqlite:
            return connection.execute(_LEASE_NEXT_AND_MARK_SERVED, lease).one_or_none()

        row = connection.execute(_LEASE_NEXT, lease).one_or_none()
        if row is not None:
            connection.execute(_MARK_SERVED, {"user_id": row.user_id, "now": now})
        return row

    def heartbeat(self, job_id: int, worker_id: str) -> LeaseState:
        """Renew the lease; say whether it is still held and whether a cancel was asked."""
        expires = utcnow() + dt.timedelta(seconds=self.settings.lease_seconds)
        with self.database.writing() as session:
            return self._report(session, job_id, worker_id, lease_expires_at=expires)

    def progress(
        self,
        job_id: int,
        worker_id: str,
        *,
        fraction: float,
        octave: int,
        octaves: int,
        preview: PreviewImage | None = None,
    ) -> LeaseState:
        """Record how far the dream is (renewing the lease), with the octave's preview if any."""
        changes: dict[str, Any] = {
            "progress": max(0.0, min(1.0, fraction)),
            "octave": octave,
            "octaves": octaves,
            "lease_expires_at": utcnow() + dt.timedelta(seconds=self.settings.lease_seconds),
        }
        preview_sha = self.media.put(preview.data) if preview is not None else None
        with self.database.writing() as session:
            if preview is not None and preview_sha is not None:
                _record_media(
                    session,
                    preview_sha,
                    preview.data,
                    kind="preview",
                    media_type="image/webp",
                    size=(preview.width, preview.height),
                )
                changes["preview_sha256"] = preview_sha
            lease = self._report(session, job_id, worker_id, **changes)
            if lease is not LeaseState.LOST:
                self.notifier.publish(session, wakeup.JOB, str(job_id))
            return lease

    def finish(
        self, job_id: int, worker_id: str, *, data: bytes, media_type: str, width: int, height: int
    ) -> bool:
        """Record the result if ``worker_id`` still holds the job; ``False`` when it does not."""
        result_sha = self.media.put(data)
        small = thumbnail(data)
        thumbnail_sha = self.media.put(small.data)
        with self.database.writing() as session:
            job = self._held(session, job_id, worker_id)
            if job is None:
                _log.warning(
                    "Job %d finished by %s, which no longer holds it; result dropped.",
                    job_id,
                    worker_id,
                )
                return False
            _record_media(
                session,
                result_sha,
                data,
                kind="result",
                media_type=media_type,
                size=(width, height),
            )
            _record_media(
                session,
                thumbnail_sha,
                small.data,
                kind="thumbnail",
                media_type=small.media_type,
                size=(small.width, small.height),
            )
            job.result_sha256 = result_sha
            job.thumbnail_sha256 = thumbnail_sha
            job.progress = 1.0
            job.octave = job.octaves
            _end(job, JobStatus.DONE)
            self.notifier.publish(session, wakeup.JOB, str(job_id))
        _log.info("Job %d finished by %s.", job_id, worker_id)
        return True

    def fail(self, job_id: int, worker_id: str, *, reason: str, kind: FailureKind) -> JobStatus:
        """Record a failure: bad input ends the job; ours queues it again until attempts run out.

        Neither kind is charged. Returns the job's status afterwards.
        """
        retry_below = self.settings.max_attempts if kind is FailureKind.ENGINE else 0
        with self.database.writing() as session:
            ended = (
                session.connection()
                .execute(
                    _FAIL,
                    {
                        "job_id": job_id,
                        "worker_id": worker_id,
                        "reason": reason,
                        "kind": kind,
                        "retry_below": retry_below,
                        "now": utcnow(),
                    },
                )
                .scalar_one_or_none()
            )
            if ended is None:
                return JobStatus(find_job(session, job_id).status)
            status = JobStatus(ended)
            if status is JobStatus.QUEUED:
                self.notifier.publish(session, wakeup.QUEUE)
            self.notifier.publish(session, wakeup.JOB, str(job_id))
        _log.info("Job %d failed (%s) on %s: %s; now %s.", job_id, kind, worker_id, reason, status)
        return status

    def cancelled(self, job_id: int, worker_id: str) -> None:
        """The engine stopped the job because a cancel was asked."""
        with self.database.writing() as session:
            job = self._held(session, job_id, worker_id)
            if job is not None:
                _end(job, JobStatus.CANCELLED, error="The dream was cancelled.")
                self.notifier.publish(session, wakeup.JOB, str(job_id))
        _log.info("Job %d cancelled while running on %s.", job_id, worker_id)

    def release(self, job_id: int, worker_id: str) -> None:
        """Hand a job back unfinished (an engine shutting down); it does not count as an attempt."""
        with self.database.writing() as session:
            job = self._held(session, job_id, worker_id)
            if job is not None:
                job.attempts = max(0, job.attempts - 1)
                _release(job)
                self.notifier.publish(session, wakeup.QUEUE)
                self.notifier.publish(session, wakeup.JOB, str(job_id))
        _log.info("Job %d handed back by %s.", job_id, worker_id)

    # Reading back.

    def list_jobs(self, *, limit: int = 50, statuses: tuple[str, ...] = ()) -> list[JobView]:
        """The newest jobs first, of the given statuses (all when none are given)."""
        query = select(Job).order_by(Job.id.desc()).limit(limit)
        if statuses:
            query = query.where(Job.status.in_(statuses))
        with self.database.reading() as session:
            return [self.view(session, job) for job in session.scalars(query).unique()]

    def view(self, session: Session, job: Job) -> JobView:
        likes = session.scalar(select(func.count(Like.id)).where(Like.job_id == job.id)) or 0
        result_type = None
        if job.result_sha256 is not None:
            result_type = session.scalar(
                select(Media.media_type).where(Media.sha256 == job.result_sha256)
            )
        community = None
        if job.community is not None:
            community = CommunityRef(
                platform=job.community.platform,
                id=job.community.platform_community_id,
                name=job.community.name,
            )
        requester = Requester(
            platform=job.user.platform,
            user_id=job.user.platform_user_id,
            display_name=job.user.display_name,
            community=community,
            is_admin=job.requested_by_admin,
        )
        return JobView(
            id=job.id,
            status=JobStatus(job.status),
            options=DreamOptions.from_dict(job.options),
            requester=requester,
            reply_to=dict(job.reply_to),
            attempts=job.attempts,
            progress=job.progress,
            octave=job.octave,
            octaves=job.octaves,
            input_sha256=job.input_sha256,
            guide_sha256=job.guide_sha256,
            preview_sha256=job.preview_sha256,
            result_sha256=job.result_sha256,
            thumbnail_sha256=job.thumbnail_sha256,
            result_media_type=result_type,
            error=job.error,
            failure_kind=job.failure_kind,
            likes=likes,
            lease_owner=job.lease_owner,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            delivered_at=job.delivered_at,
            removed_at=job.removed_at,
        )

    # Helpers.

    def _held(self, session: Session, job_id: int, worker_id: str) -> Job | None:
        job = find_job(session, job_id, lock=True)
        if job.status != JobStatus.RUNNING or job.lease_owner != worker_id:
            return None
        return job

    def _report(self, session: Session, job_id: int, worker_id: str, **changes: Any) -> LeaseState:
        result = (
            session.connection()
            .execute(
                update(Job)
                .where(_is_held(job_id, worker_id))
                .values(**changes)
                .returning(Job.cancel_requested)
            )
            .one_or_none()
        )
        if result is None:
            return LeaseState.LOST
        return LeaseState.CANCEL_REQUESTED if result[0] else LeaseState.HELD

    def _requeue_expired(self, session: Session, now: dt.datetime) -> None:
        self._next_expiry_check = time.monotonic() + self.settings.lease_seconds / 4
        condition = (Job.status == JobStatus.RUNNING, Job.lease_expires_at < now)
        if session.scalar(select(Job.id).where(*condition).limit(1)) is None:
            return
        expired = session.scalars(select(Job).where(*condition).with_for_update(of=Job)).all()
        for job in expired:
            _log.warning("Job %d lost its engine %s (lease expired).", job.id, job.lease_owner)
            if job.cancel_requested:
                _end(job, JobStatus.CANCELLED, error="The dream was cancelled.")
            elif job.attempts >= self.settings.max_attempts:
                job.error = (
                    f"The dream failed on our side {job.attempts} times; it was not charged."
                )
                job.failure_kind = FailureKind.ENGINE
                job.charged = False
                _end(job, JobStatus.FAILED)
            else:
                _release(job)
            self.notifier.publish(session, wakeup.JOB, str(job.id))
        session.flush()  # the claim that follows reads the table directly


def _lease(pick: ColumnElement[int]) -> Update:
    """Lease the job ``pick`` names to ``:worker_id`` until ``:expires``, as of ``:now``."""
    now = bindparam("now", type_=Job.started_at.type)
    return (
        update(Job)
        .where(Job.id == pick)
        .values(
            status=JobStatus.RUNNING,
            attempts=Job.attempts + 1,
            lease_owner=bindparam("worker_id", type_=Job.lease_owner.type),
            lease_expires_at=bindparam("expires", type_=Job.lease_expires_at.type),
            started_at=func.coalesce(Job.started_at, now),
        )
        .returning(
            Job.id,
            Job.user_id,
            Job.options,
            Job.input_sha256,
            Job.guide_sha256,
            Job.attempts,
        )
    )


def _lease_next_and_mark_served() -> Select[Any]:
    leased = _lease(fair_order.next_job_locked()).cte("leased")
    served = (
        update(User)
        .where(User.id == leased.c.user_id)
        .values(last_served_at=bindparam("now", type_=User.last_served_at.type))
        .cte("served")
    )
    return select(leased).add_cte(served)


def _is_held(job_id: Any, worker_id: Any) -> ColumnElement[bool]:
    return and_(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.lease_owner == worker_id)


def _fail() -> Update:
    """End or requeue a held job: requeued while its attempts are under ``:retry_below``."""
    retried = Job.attempts < bindparam("retry_below")
    return (
        update(Job)
        .where(_is_held(bindparam("job_id"), bindparam("worker_id")))
        .values(
            error=bindparam("reason"),
            failure_kind=bindparam("kind", type_=Job.failure_kind.type),
            status=case((retried, JobStatus.QUEUED), else_=JobStatus.FAILED),
            charged=case((retried, Job.charged), else_=False),
            finished_at=case(
                (retried, Job.finished_at), else_=bindparam("now", type_=Job.finished_at.type)
            ),
            lease_owner=None,
            lease_expires_at=None,
        )
        .returning(Job.status)
    )


# Built once: a claim is the hottest statement there is.
_LEASE_NEXT = _lease(fair_order.next_job().scalar_subquery())
_LEASE_NEXT_AND_MARK_SERVED = _lease_next_and_mark_served()
_FAIL = _fail()
_MARK_SERVED = (
    update(User)
    .where(User.id == bindparam("user_id"))
    .values(last_served_at=bindparam("now", type_=User.last_served_at.type))
)


def find_job(session: Session, job_id: int, *, lock: bool = False) -> Job:
    query = select(Job).where(Job.id == job_id)
    if lock:
        query = query.with_for_update(of=Job)
    job = session.scalars(query).one_or_none()
    if job is None:
        raise JobNotFound(job_id)
    return job


def _end(job: Job, status: JobStatus, *, error: str | None = None) -> None:
    job.status = status
    job.finished_at = utcnow()
    job.lease_owner = None
    job.lease_expires_at = None
    if error is not None:
        job.error = error


def _release(job: Job) -> None:
    job.status = JobStatus.QUEUED
    job.lease_owner = None
    job.lease_expires_at = None


def check_allowed(job: Job, by: Requester | None, action: str) -> None:
    if by is None:
        return
    is_author = job.user.platform == by.platform and job.user.platform_user_id == by.user_id
    community = job.community
    is_admin = (
        by.is_admin
        and by.community is not None
        and community is not None
        and community.platform == by.community.platform
        and community.platform_community_id == by.community.id
    )
    if not (is_author or is_admin):
        raise NotAllowed(action, job.id)


def _check_pictures(
    options: DreamOptions, input_bytes: bytes | None, guide_bytes: bytes | None
) -> None:
    if options.mode != "noise" and input_bytes is None:
        raise BadInput(f"A {options.mode} dream needs a picture; only a noise dream needs none.")
    if options.guide and guide_bytes is None:
        raise BadInput("A guided dream needs a guide picture as well as the picture to dream.")


def _record_media(
    session: Session,
    sha256: str,
    data: bytes,
    *,
    kind: str,
    media_type: str | None = None,
    size: tuple[int, int] | None = None,
) -> None:
    """Describe stored bytes once; a concurrent writer of the same bytes is no conflict."""
    if session.get(Media, sha256) is not None:
        return
    if media_type is None or size is None:
        described = describe(data)
        fallback_type = described.media_type if described else "application/octet-stream"
        media_type = media_type or fallback_type
        size = size or ((described.width, described.height) if described else None)
    people.insert_if_missing(
        session,
        Media,
        {
            "sha256": sha256,
            "kind": kind,
            "media_type": media_type,
            "size": len(data),
            "width": size[0] if size else None,
            "height": size[1] if size else None,
            "created_at": utcnow(),
        },
        ("sha256",),
    )


def _place_in_queue(session: Session, job: Job) -> int:
    """Where ``job`` stands in fair order: 1 when it is next.

    Each person ahead in the round gets one start before this person's next, so the count
    is, for every other person, their waiting jobs up to as many rounds as this one needs.
    """
    higher = (
        session.scalar(
            select(func.count(Job.id)).where(
                Job.status == JobStatus.QUEUED, Job.priority > job.priority
            )
        )
        or 0
    )
    waiting = session.execute(
        select(Job.user_id, func.count(Job.id), func.min(Job.created_at), User.last_served_at)
        .join(User, User.id == Job.user_id)
        .where(Job.status == JobStatus.QUEUED, Job.priority == job.priority, Job.id <= job.id)
        .group_by(Job.user_id, User.last_served_at)
    ).all()

    def wait_start(oldest: dt.datetime, served: dt.datetime | None) -> dt.datetime:
        return max(oldest, served) if served is not None else oldest

    own = next(row for row in waiting if row[0] == job.user_id)
    own_rounds = own[1]
    own_start = wait_start(own[2], own[3])
    ahead = own_rounds - 1
    for user_id, count, oldest, served in waiting:
        if user_id == job.user_id:
            continue
        rounds = own_rounds if wait_start(oldest, served) <= own_start else own_rounds - 1
        ahead += min(count, rounds)
    return higher + ahead + 1
