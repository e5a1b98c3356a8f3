"""The store as the chat adapters and the gallery see it: one asyncio facade, :class:`DreamService`.

Everything a front end does with dreams goes through here::

    service = DreamService.open(load_settings())
    submitted = await service.submit(requester, options, input_bytes=photo, reply_to={...})
    async for view in service.watch(submitted.job_id):
        ...  # progress, then the final state
    await service.close()

Database work runs in worker threads, so no call blocks the event loop. Errors meant for the
requester are :class:`~engine.errors.BadInput` subclasses with a one-sentence message
(:class:`~bot.store.errors.QuotaExceeded` among them); :class:`~bot.store.errors.JobNotFound`
and :class:`~bot.store.errors.NotAllowed` are worded for a person as well.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from bot.settings import Settings
from bot.store import gallery
from bot.store.database import Database
from bot.store.deliveries import Deliveries
from bot.store.events import JobEvents
from bot.store.queue import JobQueue
from bot.store.views import CommunityRef, CommunityView, JobView, QuotaView, Requester, Submitted
from engine.options import DreamOptions

_log = logging.getLogger(__name__)


class DreamService:
    """Submit, follow, cancel and keep dreams; read and change community settings."""

    def __init__(self, queue: JobQueue) -> None:
        self.queue = queue
        self.settings = queue.settings
        self._gallery = gallery.Gallery(queue)
        self._events = JobEvents(queue.notifier)
        self.deliveries = Deliveries(queue, self._events)
        """Final jobs not yet delivered to their platform; see :class:`Deliveries`."""

    @classmethod
    def open(cls, settings: Settings, *, check_schema: bool = True) -> DreamService:
        """Connect to the database of ``settings``; refuses an out-of-date schema by default.

        Raises :class:`~bot.store.errors.SchemaOutOfDate` naming ``dreambot db upgrade``.
        """
        database = Database(settings.database_url)
        if check_schema:
            database.check_schema()
        return cls(JobQueue(database, settings=settings))

    async def close(self) -> None:
        await asyncio.to_thread(self._events.close)
        self.queue.database.dispose()

    # Dreams.

    async def submit(
        self,
        requester: Requester,
        options: DreamOptions,
        *,
        input_bytes: bytes | None = None,
        guide_bytes: bytes | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> Submitted:
        """Queue a dream and charge its quotas; returns its id and place (1 = next).

        ``reply_to`` is whatever the adapter needs to answer later (channel id, interaction
        token, thread ts); it comes back unchanged in :class:`JobView`.
        """
        return await asyncio.to_thread(
            self.queue.submit,
            requester,
            options,
            input_bytes=input_bytes,
            guide_bytes=guide_bytes,
            reply_to=reply_to,
        )

    async def get(self, job_id: int) -> JobView:
        return await asyncio.to_thread(self.queue.get, job_id)

    async def watch(
        self, job_id: int, *, recheck: float | None = None
    ) -> AsyncGenerator[JobView, None]:
        """Yield the job on every change (progress, preview, result) until a final state.

        The first view is the job as it stands; the last is final. Wake-ups come from the
        database's notifications; ``recheck`` seconds (the configured default) is only the
        safety net for one that was missed.
        """
        interval = recheck or self.settings.recheck_seconds
        async with self._events.subscribe(job_id) as changes:
            last: JobView | None = None
            while True:
                view = await self.get(job_id)
                if view != last:
                    yield view
                    last = view
                if view.is_final:
                    return
                await changes.wait(interval)

    async def cancel(self, job_id: int, *, by: Requester | None) -> JobView:
        """Stop a dream: only its author or an admin of its community (``None``: the operator)."""
        return await asyncio.to_thread(self.queue.cancel, job_id, by=by)

    async def quota(self, requester: Requester) -> QuotaView:
        return await asyncio.to_thread(self.queue.quota, requester)

    # The gallery.

    async def recent(
        self,
        community: CommunityRef,
        limit: int = 24,
        offset: int = 0,
        order: gallery.Order = "newest",
        *,
        author: str | None = None,
    ) -> list[JobView]:
        """One page of a community's finished dreams, ``newest`` or most ``likes`` first.

        ``author`` (a platform user id) keeps one person's dreams only.
        """
        return await asyncio.to_thread(
            self._gallery.recent, community, limit=limit, offset=offset, order=order, author=author
        )

    async def count(self, community: CommunityRef, *, author: str | None = None) -> int:
        return await asyncio.to_thread(self._gallery.count, community, author=author)

    async def like(self, job_id: int, voter_key: str) -> int:
        """One like per ``voter_key`` (e.g. ``discord:USER`` or a browser's key); likes now."""
        return await asyncio.to_thread(self._gallery.like, job_id, voter_key)

    async def remove(self, job_id: int, *, by: Requester | None) -> JobView:
        """Delete a dream's files and mark it removed (its pages then answer 410 Gone)."""
        return await asyncio.to_thread(self._gallery.remove, job_id, by=by)

    async def community_settings(self, community: CommunityRef) -> CommunityView:
        """The community's settings with defaults filled in, creating it on first sight."""
        return await asyncio.to_thread(self._gallery.community_settings, community)

    async def update_community_settings(
        self, community: CommunityRef, changes: dict[str, Any]
    ) -> CommunityView:
        """Change some of: trigger_emoji, user_daily, community_daily, user_queued, max_size,
        allowed_channels, gallery_public, default_model, default_layer."""
        return await asyncio.to_thread(self._gallery.update_community_settings, community, changes)

    async def rotate_gallery_token(self, community: CommunityRef) -> CommunityView:
        return await asyncio.to_thread(self._gallery.rotate_gallery_token, community)

    async def community_by_token(self, token: str) -> CommunityView | None:
        return await asyncio.to_thread(self._gallery.community_by_token, token)

    async def find_community(self, community: CommunityRef) -> CommunityView | None:
        """The community's settings, or ``None`` when it was never seen; creates nothing."""
        return await asyncio.to_thread(self._gallery.find_community, community)

    async def communities(self) -> list[CommunityView]:
        return await asyncio.to_thread(self._gallery.communities)

    # Media.

    def media_path(self, sha256: str) -> Path | None:
        """The local file of a media hash, or ``None`` (unknown, removed, or not a hash)."""
        try:
            return self.queue.media.path(sha256)
        except ValueError:
            return None

    async def read_media(self, sha256: str) -> bytes | None:
        """The bytes of a media hash, or ``None`` (unknown, removed, or not a hash)."""
        try:
            return await asyncio.to_thread(self.queue.media.read, sha256)
        except (ValueError, FileNotFoundError):
            return None
