"""One dream's life in Slack: download the picture, queue it, and keep its thread up to date.

:class:`SlackDreams` is what every trigger (``/dream``, the shortcut, the reaction, a result
button) ends in. It downloads the picture (a private Slack file with the workspace's bot token,
anything else as an untrusted link), submits the dream, posts a status message in the thread
with a Cancel button, edits it as the dream progresses (at most once per
``progress_interval``), and finally uploads the result into the thread with
``files_upload_v2`` and turns the status message into the result's buttons. Both messages are
remembered with the job (:class:`~bot.slack.memory.SlackMemory`), for the likes that reactions
on them give and for answering, after a restart, a dream that finished meanwhile.

A refusal is one sentence, said privately to the person who asked, through :class:`Whisper`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.fetch import HostToken, ImageFetcher, NotAnImageError
from bot.gallery.cards import SHARE_ORIGINAL
from bot.slack import blocks
from bot.slack.config import SlackConfig
from bot.slack.images import ImageRef
from bot.slack.memory import DreamMessage, DreamMessageKind, SlackMemory
from bot.store.models import JobStatus
from bot.store.service import DreamService
from bot.store.views import CommunityRef, JobView, Requester
from engine.errors import BadInput
from engine.options import DreamOptions

_log = logging.getLogger(__name__)

Whisper = Callable[[str], Awaitable[None]]
"""Says one sentence privately to the person who asked."""

TokenLookup = Callable[[str], Awaitable[str | None]]
"""The bot token of a workspace, by team id."""

SHARE_LOOKUPS = 3
SHARE_LOOKUP_PAUSE = 1.0
"""Slack records which message shares an uploaded file moments after the upload; the adapter
asks ``files.info`` up to :data:`SHARE_LOOKUPS` times, this many seconds apart."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Thread:
    """Where a dream's conversation happens: a channel, and the message it hangs under."""

    team_id: str
    channel_id: str
    thread_ts: str | None
    """``None`` for a dream that has no message to hang under yet; its status message starts
    the thread."""

    def to_reply_to(self) -> dict[str, Any]:
        return {"team_id": self.team_id, "channel": self.channel_id, "thread_ts": self.thread_ts}

    @classmethod
    def from_reply_to(cls, reply_to: dict[str, Any]) -> Thread:
        return cls(
            team_id=reply_to["team_id"],
            channel_id=reply_to["channel"],
            thread_ts=reply_to.get("thread_ts"),
        )


def slack_requester(
    *, team_id: str, team_name: str, user_id: str, user_name: str, is_admin: bool = False
) -> Requester:
    return Requester(
        platform="slack",
        user_id=user_id,
        display_name=user_name or user_id,
        community=CommunityRef(platform="slack", id=team_id, name=team_name or team_id),
        is_admin=is_admin,
    )


class SlackDreams:
    """Starts dreams and follows them to their thread; one instance serves every workspace."""

    def __init__(
        self,
        service: DreamService,
        fetcher: ImageFetcher,
        config: SlackConfig,
        *,
        bot_token: TokenLookup,
        memory: SlackMemory,
        progress_interval: float = 3.0,
    ) -> None:
        self.service = service
        self.fetcher = fetcher
        self.config = config
        self.memory = memory
        self._bot_token = bot_token
        self.progress_interval = progress_interval
        self._followers: set[asyncio.Task[None]] = set()
        self._closed = False
        self.following: set[int] = set()
        """Jobs whose status message this process keeps up to date."""

    async def close(self) -> None:
        """Stop following dreams; they keep running, and are delivered after a restart.

        A dream whose status message is being posted as the adapter closes is not followed
        either; it too is answered after the restart.
        """
        self._closed = True
        for task in list(self._followers):
            task.cancel()
        await asyncio.gather(*self._followers, return_exceptions=True)

    async def start(
        self,
        client: AsyncWebClient,
        *,
        requester: Requester,
        thread: Thread,
        image: ImageRef | None,
        options: DreamOptions,
        whisper: Whisper,
        share_original: bool = False,
    ) -> int | None:
        """Download ``image``, queue its dream and follow it; the job id, or ``None`` if refused.

        ``share_original`` is the author's consent to show ``image`` beside the dream in the
        gallery.
        """
        reply_to = _reply_to(thread, share_original=share_original)
        try:
            data = await self.download(image, team_id=thread.team_id) if image else None
            submitted = await self.service.submit(
                requester, options, input_bytes=data, reply_to=reply_to
            )
        except BadInput as exc:
            _log.debug("refused a dream for %s: %s", requester.user_id, exc)
            await whisper(str(exc))
            return None

        await self.follow(client, submitted.job_id, thread=thread, place=submitted.place)
        return submitted.job_id

    async def resubmit(
        self,
        client: AsyncWebClient,
        job: JobView,
        *,
        requester: Requester,
        options: DreamOptions,
        thread: Thread,
        whisper: Whisper,
    ) -> int | None:
        """Dream ``job``'s picture again with other options, in ``thread``.

        The new dream shows the original picture in the gallery only when its author is the
        one who allowed it for ``job``.
        """
        data = await self.service.read_media(job.input_sha256) if job.input_sha256 else None
        shared = bool(job.reply_to.get(SHARE_ORIGINAL)) and _same_person(job.requester, requester)
        try:
            submitted = await self.service.submit(
                requester,
                options,
                input_bytes=data,
                reply_to=_reply_to(thread, share_original=shared),
            )
        except BadInput as exc:
            await whisper(str(exc))
            return None

        await self.follow(client, submitted.job_id, thread=thread, place=submitted.place)
        return submitted.job_id

    async def download(self, image: ImageRef, *, team_id: str) -> bytes:
        """The bytes of ``image``; a Slack file is read with the workspace's bot token."""
        token = await self._file_token(team_id) if image.private else None
        try:
            fetched = await self.fetcher.fetch(image.url, token=token)
        except NotAnImageError as exc:
            if image.private and _is_web_page(exc.content_type):
                raise BadInput(messages.slack_file_needs_scope()) from exc
            raise
        return fetched.data

    async def follow(
        self, client: AsyncWebClient, job_id: int, *, thread: Thread, place: int
    ) -> None:
        """Post the status message and keep following the job in the background."""
        text = messages.queued(place)
        posted = await client.chat_postMessage(
            channel=thread.channel_id,
            thread_ts=thread.thread_ts,
            text=text,
            blocks=blocks.status_blocks(text, job_id=job_id, cancellable=True),
        )
        status_ts = str(posted["ts"])
        await self._remember(job_id, thread, status_ts, DreamMessageKind.STATUS)
        if self._closed:
            return
        if thread.thread_ts is None:
            thread = dataclasses.replace(thread, thread_ts=status_ts)
        task = asyncio.create_task(self._follow(client, job_id, thread, status_ts))
        self._followers.add(task)
        self.following.add(job_id)
        task.add_done_callback(self._followers.discard)
        task.add_done_callback(lambda _task: self.following.discard(job_id))

    async def deliver(
        self, client: AsyncWebClient, job: JobView, *, thread: Thread, status_ts: str | None
    ) -> None:
        """Answer a finished job in its thread: the picture and buttons, or why there is none.

        The job is first marked delivered, so that of two processes racing to deliver it only
        one posts; a post that then fails is logged, not retried.
        """
        if not await self.service.deliveries.mark_delivered(job.id):
            return
        if job.status is JobStatus.DONE and job.result_sha256:
            await self._upload_result(client, job, thread)
            text = _result_text(job)
            made = blocks.result_blocks(text, job_id=job.id)
        else:
            text = _ending_text(job)
            made = blocks.final_blocks(text)

        if status_ts is None:
            await client.chat_postMessage(
                channel=thread.channel_id, thread_ts=thread.thread_ts, text=text, blocks=made
            )
        else:
            await client.chat_update(
                channel=thread.channel_id, ts=status_ts, text=text, blocks=made
            )
        _log.debug("delivered dream %d to %s", job.id, thread.channel_id)

    async def deliver_late(self, client: AsyncWebClient, job: JobView) -> None:
        """Answer a finished job nobody followed, in its status message's thread if it has one."""
        thread = Thread.from_reply_to(job.reply_to)
        status = await self.memory.status_message(job.id)
        if status is None:
            await self.deliver(client, job, thread=thread, status_ts=None)
            return
        thread_ts = thread.thread_ts or status.message_ts
        thread = dataclasses.replace(thread, channel_id=status.channel_id, thread_ts=thread_ts)
        await self.deliver(client, job, thread=thread, status_ts=status.message_ts)

    async def _follow(
        self, client: AsyncWebClient, job_id: int, thread: Thread, status_ts: str
    ) -> None:
        try:
            job = await self._watch_progress(client, job_id, thread, status_ts)
            await self.deliver(client, job, thread=thread, status_ts=status_ts)
        except SlackApiError as exc:
            _log.warning("Slack refused an answer to dream %d: %s", job_id, exc.response["error"])

    async def _watch_progress(
        self, client: AsyncWebClient, job_id: int, thread: Thread, status_ts: str
    ) -> JobView:
        last_edit = 0.0
        last_text = ""
        async for job in self.service.watch(job_id):
            if job.is_final:
                return job
            if job.status is not JobStatus.RUNNING:
                continue
            text = messages.running(job.progress, octave=job.octave, octaves=job.octaves)
            if text == last_text or time.monotonic() - last_edit < self.progress_interval:
                continue
            last_edit, last_text = time.monotonic(), text
            with contextlib.suppress(SlackApiError):
                await client.chat_update(
                    channel=thread.channel_id,
                    ts=status_ts,
                    text=text,
                    blocks=blocks.status_blocks(text, job_id=job_id, cancellable=True),
                )
        return await self.service.get(job_id)

    async def _upload_result(self, client: AsyncWebClient, job: JobView, thread: Thread) -> None:
        data = await self.service.read_media(job.result_sha256 or "")
        if data is None:
            raise LookupError(f"The result of dream {job.id} is no longer stored.")
        extension = (job.result_media_type or "image/png").rsplit("/", 1)[-1]
        uploaded = await client.files_upload_v2(
            channel=thread.channel_id,
            thread_ts=thread.thread_ts,
            content=data,
            filename=f"dream-{job.id}.{extension}",
            title=f"Dream {job.id}",
        )
        file_id = str((uploaded.get("file") or {}).get("id") or "")
        message_ts = await self._message_sharing(client, file_id, thread.channel_id)
        if message_ts is not None:
            await self._remember(job.id, thread, message_ts, DreamMessageKind.RESULT)

    async def _message_sharing(
        self, client: AsyncWebClient, file_id: str, channel_id: str
    ) -> str | None:
        """The ts of the message that shows uploaded file ``file_id`` in ``channel_id``."""
        for attempt in range(SHARE_LOOKUPS):
            if attempt:
                await asyncio.sleep(SHARE_LOOKUP_PAUSE)
            try:
                info = await client.files_info(file=file_id)
            except SlackApiError as exc:
                _log.debug("files.info failed for %s: %s", file_id, exc.response.get("error"))
                return None
            message_ts = _share_ts(info.get("file") or {}, channel_id)
            if message_ts is not None:
                return message_ts
        _log.debug("Slack named no message sharing file %s in %s", file_id, channel_id)
        return None

    async def _remember(
        self, job_id: int, thread: Thread, message_ts: str, kind: DreamMessageKind
    ) -> None:
        message = DreamMessage(
            team_id=thread.team_id,
            channel_id=thread.channel_id,
            message_ts=message_ts,
            job_id=job_id,
            kind=kind,
        )
        await self.memory.remember_dream_message(message)

    async def _file_token(self, team_id: str) -> HostToken | None:
        token = await self._bot_token(team_id)
        if token is None:
            return None
        origin = self.config.file_hosts[0]
        return HostToken(origin=origin, authorization=f"Bearer {token}")


def _reply_to(thread: Thread, *, share_original: bool) -> dict[str, Any]:
    reply_to = thread.to_reply_to()
    if share_original:
        reply_to[SHARE_ORIGINAL] = True
    return reply_to


def _same_person(one: Requester, other: Requester) -> bool:
    return (one.platform, one.user_id) == (other.platform, other.user_id)


def _share_ts(file: Mapping[str, Any], channel_id: str) -> str | None:
    """The ts of the first message sharing ``file`` in ``channel_id``, from its ``shares``."""
    shares = file.get("shares") or {}
    for visibility in ("public", "private"):
        for share in (shares.get(visibility) or {}).get(channel_id) or ():
            if share.get("ts"):
                return str(share["ts"])
    return None


def _is_web_page(content_type: str | None) -> bool:
    return content_type is None or content_type.startswith(("text/html", "application/xhtml"))


def _result_text(job: JobView) -> str:
    if job.started_at is not None and job.finished_at is not None:
        return messages.finished((job.finished_at - job.started_at).total_seconds())
    return messages.finished(0.0)


def _ending_text(job: JobView) -> str:
    if job.status is JobStatus.CANCELLED:
        return messages.cancelled()
    if job.failure_kind == "bad_input" and job.error:
        return messages.failed_bad_input(job.error)
    return messages.failed_on_our_side()
