"""Which waiting job starts next: the queries behind the queue's fair order.

Among waiting jobs of the highest priority tier, the next is the oldest job of the person who
has waited longest, where a person's wait starts at their oldest waiting job or at the start of
their last job, whichever is later. Ties go to the older job, then the lower id.

:func:`next_job` states that order over every waiting job: simple, and right for SQLite, whose
writers take turns. Sorting every waiting job costs about a millisecond per thousand, so
:func:`next_job_locked`, for PostgreSQL, first looks only at each waiting person's oldest job
of the top tier (found through the ``ix_jobs_waiting`` index) and locks the first of those no
other engine holds. Only when every one of them is held does it fall back to the full order.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    SQLColumnExpression,
    case,
    cast,
    func,
    lateral,
    literal,
    select,
    true,
)
from sqlalchemy.orm import aliased

from bot.store.models import Job, JobStatus, User


def next_job() -> Select[int]:
    """The id of the next waiting job in fair order (no lock taken)."""
    return (
        select(Job.id)
        .join(User, User.id == Job.user_id)
        .where(_waiting(Job))
        .order_by(
            Job.priority.desc(),
            _wait_start(User.last_served_at, Job.created_at),
            Job.created_at,
            Job.id,
        )
        .limit(1)
    )


def next_job_locked() -> ColumnElement[int]:
    """The id of the first waiting job in fair order that no other transaction holds, locked.

    PostgreSQL only (``FOR UPDATE SKIP LOCKED``); ``NULL`` when every waiting job is held.
    """
    anyone = next_job().with_for_update(skip_locked=True, of=Job)
    return func.coalesce(_first_free_turn().scalar_subquery(), anyone.scalar_subquery())


def _first_free_turn() -> Select[int]:
    """The first, in fair order, of each waiting person's oldest top-tier job that is free."""
    tier = select(func.max(Job.priority)).where(_waiting(Job)).scalar_subquery()
    waiting = (
        select(Job.user_id)
        .where(_waiting(Job), Job.priority == tier)
        .distinct()
        .subquery("waiting")
    )
    theirs = aliased(Job)
    oldest = lateral(
        select(theirs.id, theirs.created_at)
        .where(
            _waiting(theirs),
            theirs.priority == tier,
            theirs.user_id == waiting.c.user_id,
        )
        .order_by(theirs.created_at, theirs.id)
        .limit(1),
        name="oldest",
    )
    turns = (
        select(oldest.c.id)
        .select_from(waiting)
        .join(User, User.id == waiting.c.user_id)
        .join(oldest, true())
        .order_by(
            _wait_start(User.last_served_at, oldest.c.created_at),
            oldest.c.created_at,
            oldest.c.id,
        )
    )
    # Computed once and read twice: to find the jobs by id, and to keep them in turn.
    in_turn_once = (
        select(func.array(turns.scalar_subquery()).label("ids"))
        .cte("in_turn")
        .prefix_with("MATERIALIZED")
    )
    in_turn = cast(select(in_turn_once.c.ids).scalar_subquery(), ARRAY(Integer))
    return (
        select(Job.id)
        .where(Job.id == func.any(in_turn), _waiting(Job))
        .order_by(func.array_position(in_turn, Job.id))
        .limit(1)
        .with_for_update(skip_locked=True, of=Job)
    )


def _waiting(jobs: type[Job]) -> ColumnElement[bool]:
    """Whether a job waits, with the status written into the SQL rather than bound.

    A bound status would hide from a prepared statement's generic plan that only waiting
    jobs are wanted, and so keep it off the partial index of waiting jobs.
    """
    return jobs.status == literal(JobStatus.QUEUED.value, literal_execute=True)


def _wait_start(
    served: SQLColumnExpression[dt.datetime | None], created: SQLColumnExpression[dt.datetime]
) -> ColumnElement[dt.datetime]:
    return case((served > created, served), else_=created)
