"""Which finished jobs still have to be delivered to the chat they came from.

An adapter asks for the final jobs of its platform that were not delivered, delivers each,
and marks it delivered: :meth:`Deliveries.mark_delivered` is true for exactly one caller, so
two adapter processes never post the same result twice. The record lives in the database, so
an adapter that restarts picks up where it stopped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator

from sqlalchemy import select, update

from bot.store.events import ANY_JOB, JobEvents
from bot.store.models import FINAL_STATUSES, Job, utcnow
from bot.store.queue import JobQueue
from bot.store.views import JobView

_log = logging.getLogger(__name__)


class Deliveries:
    def __init__(self, queue: JobQueue, events: JobEvents) -> None:
        self._queue = queue
        self._events = events

    async def pending(self, platform: str, *, limit: int = 50) -> list[JobView]:
        """Final jobs of ``platform`` (done, failed or cancelled) not yet marked delivered."""
        return await asyncio.to_thread(self._pending, platform, limit)

    async def mark_delivered(self, job_id: int) -> bool:
        """Mark a job delivered; ``True`` for the one caller that marked it first."""
        return await asyncio.to_thread(self._mark, job_id)

    async def stream(
        self, platform: str, *, recheck: float | None = None
    ) -> AsyncGenerator[JobView, None]:
        """Yield each undelivered final job of ``platform`` once, now and as they finish.

        A job the caller does not mark delivered is yielded again by the next stream (after a
        restart), not by this one.
        """
        interval = recheck or self._queue.settings.recheck_seconds
        seen: set[int] = set()
        async with self._events.subscribe(ANY_JOB) as changes:
            while True:
                for view in await self.pending(platform):
                    if view.id not in seen:
                        seen.add(view.id)
                        yield view
                await changes.wait(interval)

    def _pending(self, platform: str, limit: int) -> list[JobView]:
        query = (
            select(Job)
            .where(
                Job.platform == platform,
                Job.delivered_at.is_(None),
                Job.status.in_(FINAL_STATUSES),
            )
            .order_by(Job.finished_at, Job.id)
            .limit(limit)
        )
        with self._queue.database.reading() as session:
            return [self._queue.view(session, job) for job in session.scalars(query).unique()]

    def _mark(self, job_id: int) -> bool:
        with self._queue.database.writing() as session:
            marked = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.delivered_at.is_(None))
                .values(delivered_at=utcnow())
                .returning(Job.id)
            ).first()
        if marked:
            _log.debug("Job %d marked delivered.", job_id)
        return marked is not None
