"""The Discord adapter: the client, the paths into the queue, progress and delivery.

A dream reaches the queue by one of three paths, each ending in :meth:`DiscordAdapter.submit`:
the ``/dream`` command and the "Dream this image" context menu (both interactions, answered
within Discord's three seconds by a deferral), and the reaction trigger (a reply to the
reacted message). While a dream is queued or running, its reply is edited with its place
and progress, at most once every ``progress_interval`` seconds, with the preview of each
finished octave. Finished dreams are taken from the store's delivery stream, so each is
posted exactly once, also by a process that restarted or shares the database with others;
a dream that outlives its interaction's token is posted as an ordinary reply in its channel.

The message that shows a finished dream is recorded (:class:`ResultMessages`), and a reaction
on it, with any emoji, is a like of that dream in the gallery, one per person; that needs only
the reactions intent, which is among the defaults.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import logging
import time
from typing import Any

import discord
from discord import app_commands
from sqlalchemy.exc import SQLAlchemyError

from bot import grammar, messages
from bot.discord import buttons, commands
from bot.discord.buttons import Action
from bot.discord.config import DiscordConfig
from bot.discord.results import ResultMessages
from bot.discord.uploads import fit_upload
from bot.fetch import ImageFetcher, looks_like_image
from bot.gallery.cards import SHARE_ORIGINAL
from bot.store.errors import JobNotFound, NotAllowed, QuotaExceeded
from bot.store.models import JobStatus
from bot.store.service import DreamService
from bot.store.views import CommunityRef, CommunityView, JobView, Requester
from engine.errors import BadInput
from engine.options import DreamOptions, Mode

_log = logging.getLogger(__name__)

PLATFORM = "discord"
INTERACTION_LIFETIME = 14 * 60.0
"""Discord accepts edits with an interaction's token for 15 minutes; this keeps a margin."""

_IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff")
_TOKEN_GONE_CODES = frozenset({10008, 10015, 10062, 50027})
_DEFAULT_FILESIZE_LIMIT = 10 * 1024 * 1024


class Refusal(Exception):
    """A request turned down with one sentence for the person who made it."""


@dataclasses.dataclass
class LiveReply:
    """Where a dream's progress is shown while this process follows it."""

    interaction: discord.Interaction[Any] | None = None
    message: discord.Message | None = None
    filesize_limit: int = _DEFAULT_FILESIZE_LIMIT
    started: float = dataclasses.field(default_factory=time.monotonic)
    last_edit: float = 0.0
    preview_sha256: str | None = None

    @property
    def token_fresh(self) -> bool:
        return self.interaction is not None and (
            time.monotonic() - self.started < INTERACTION_LIFETIME
        )


class DreamClient(discord.AutoShardedClient):
    """The discord.py client with dreambot's commands, buttons and reaction listener."""

    def __init__(self, adapter: DiscordAdapter, *, intents: discord.Intents) -> None:
        super().__init__(intents=intents, guild_ready_timeout=adapter.config.guild_ready_timeout)
        self.adapter = adapter
        self.tree: app_commands.CommandTree[DreamClient] = app_commands.CommandTree(self)
        self.button_handler = adapter.press

    async def setup_hook(self) -> None:
        self.add_dynamic_items(buttons.DreamButton)
        commands.install(self.tree, self.adapter)
        guild = self.adapter.config.sync_guild
        if guild is not None:
            self.tree.copy_global_to(guild=discord.Object(guild))
        synced = await self.tree.sync(guild=discord.Object(guild) if guild else None)
        where = f"to server {guild}" if guild else "globally"
        _log.info("Synced %d Discord commands %s.", len(synced), where)

    async def on_ready(self) -> None:
        _log.info("Discord is ready as %s in %d server(s).", self.user, len(self.guilds))
        self.adapter.ready.set()

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self.adapter.on_reaction(payload)


class DiscordAdapter:
    """Discord in front of a :class:`DreamService`; :meth:`start` it, then :meth:`close` it."""

    def __init__(
        self,
        config: DiscordConfig,
        service: DreamService,
        *,
        fetcher: ImageFetcher,
        base_options: DreamOptions | None = None,
        delivery_recheck: float | None = None,
    ) -> None:
        self.config = config
        self.service = service
        self.fetcher = fetcher
        self.base_options = base_options or DreamOptions()
        self.reaction_trigger = config.message_content
        self.results = ResultMessages(service.queue.database)
        self.ready = asyncio.Event()
        self.client: DreamClient | None = None
        self._delivery_recheck = delivery_recheck
        self._live: dict[int, LiveReply] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._connection: asyncio.Task[None] | None = None
        self._delivery: asyncio.Task[None] | None = None

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Log in, connect (in the background) and start delivering finished dreams."""
        if not self.config.token:
            raise ValueError("The Discord adapter needs a token; set DISCORD_TOKEN.")
        if not self.reaction_trigger:
            _log.info(
                "The reaction trigger is off: set DREAMBOT_DISCORD_MESSAGE_CONTENT=1 and enable "
                "the message-content intent in the Developer Portal to turn it on."
            )
        self._connection = asyncio.create_task(self._stay_connected(), name="discord-gateway")
        self._connection.add_done_callback(_log_failure)
        self._delivery = asyncio.create_task(self._deliver_forever(), name="discord-delivery")

    async def close(self) -> None:
        for task in (self._delivery, *self._tasks):
            if task is not None:
                task.cancel()
        if self.client is not None:
            await self.client.close()
        if self._connection is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._connection
        await asyncio.gather(
            *(t for t in (self._delivery, *self._tasks) if t), return_exceptions=True
        )

    async def run_until_closed(self) -> None:
        """Wait while connected; returns when the gateway connection ends for good."""
        if self._connection is not None:
            await self._connection

    async def _stay_connected(self) -> None:
        intents = discord.Intents.default()
        intents.message_content = self.reaction_trigger
        while True:
            self.client = DreamClient(self, intents=intents)
            await self.client.login(self.config.token or "")
            try:
                await self.client.connect()
                return
            except discord.PrivilegedIntentsRequired:
                _log.warning(
                    "Discord refused the message-content intent, so the reaction trigger is "
                    "off; enable it under Bot > Privileged Gateway Intents in the Developer "
                    "Portal. Everything else keeps working."
                )
                await self.client.close()
                intents.message_content = False
                self.reaction_trigger = False

    # -- the paths into the queue -----------------------------------------------------------

    async def dream_command(
        self,
        interaction: discord.Interaction[Any],
        *,
        image: discord.Attachment | None,
        url: str | None,
        fields: dict[str, Any],
        share_original: bool = False,
    ) -> None:
        """``/dream``: check what is cheap to check, defer, fetch the picture, submit.

        ``share_original`` is the author's consent to show the picture beside the dream in the
        gallery.
        """
        try:
            requester = requester_of(interaction)
            community = await self._community(requester)
            self._check_channel(community, interaction.channel_id)
            options = grammar.options_from_fields(
                base=self._base(community), max_size=self._max_size(community), **fields
            )
            if image is None and url is None and options.mode is not Mode.NOISE:
                raise Refusal(messages.no_image())
        except (Refusal, BadInput) as exc:
            await interaction.response.send_message(str(exc), ephemeral=True)
            return

        await interaction.response.defer(thinking=True)
        await self._fetch_and_submit(
            interaction, requester, options, image=image, url=url, share_original=share_original
        )

    async def dream_message(
        self, interaction: discord.Interaction[Any], message: discord.Message
    ) -> None:
        """ "Dream this image": the first image of ``message``, with the community's defaults."""
        try:
            requester = requester_of(interaction)
            community = await self._community(requester)
            self._check_channel(community, interaction.channel_id)
            image, url = first_image(message)
            if image is None and url is None:
                raise Refusal(messages.message_has_no_image())
            options = grammar.options_from_fields(
                base=self._base(community), max_size=self._max_size(community)
            )
        except (Refusal, BadInput) as exc:
            await interaction.response.send_message(str(exc), ephemeral=True)
            return

        await interaction.response.defer(thinking=True)
        await self._fetch_and_submit(interaction, requester, options, image=image, url=url)

    async def on_reaction(self, payload: discord.RawReactionActionEvent) -> None:
        """A person's reaction: a like on a message that shows a dream; else, with the
        community's emoji on a message with an image, the reaction trigger."""
        client = self.client
        if client is None or payload.guild_id is None or _by_a_bot(payload, client):
            return
        if await self._like_if_result(payload, client):
            return
        if self.reaction_trigger:
            await self._dream_reacted(payload, client, payload.guild_id)

    async def _like_if_result(
        self, payload: discord.RawReactionActionEvent, client: DreamClient
    ) -> bool:
        """Count the reaction as a like when its message shows a dream; says whether it did."""
        bot_id = client.user.id if client.user is not None else None
        if payload.message_author_id is not None and payload.message_author_id != bot_id:
            return False
        job_id = await self.results.job_of(payload.message_id)
        if job_id is None:
            return False

        try:
            likes = await self.service.like(job_id, f"{PLATFORM}:{payload.user_id}")
        except JobNotFound:
            _log.debug("Reaction on dream %d, which is no longer in the gallery.", job_id)
        else:
            _log.debug("Dream %d liked by %d; %d like(s) now.", job_id, payload.user_id, likes)
        return True

    async def _dream_reacted(
        self, payload: discord.RawReactionActionEvent, client: DreamClient, guild_id: int
    ) -> None:
        """The reaction trigger: the community's emoji on a message with an image dreams it."""
        requester = _requester_from_member(payload.member, payload.user_id, guild_id)
        community = await self._community(requester)
        trigger = community.settings.get("trigger_emoji")
        if not trigger or str(payload.emoji) != trigger:
            return

        channel = client.get_partial_messageable(payload.channel_id, guild_id=guild_id)
        try:
            self._check_channel(community, payload.channel_id)
            message = await channel.fetch_message(payload.message_id)
            image, url = first_image(message)
            if image is None and url is None:
                _log.debug("Reaction on message %d without an image ignored.", message.id)
                return
            options = grammar.options_from_fields(
                base=self._base(community), max_size=self._max_size(community)
            )
            data = await self._read_picture(image, url)
            reply_to = _reply_to(payload.channel_id, message.id)
            submitted = await self._submit(requester, options, data, reply_to)
        except (Refusal, BadInput) as exc:
            await self._tell_privately(payload.user_id, str(exc))
            return

        status = await message.reply(
            messages.queued(submitted.place), view=buttons.waiting_view(submitted.job_id)
        )
        self._follow(submitted.job_id, LiveReply(message=status, filesize_limit=_limit_of(status)))

    async def _fetch_and_submit(
        self,
        interaction: discord.Interaction[Any],
        requester: Requester,
        options: DreamOptions,
        *,
        image: discord.Attachment | None,
        url: str | None,
        share_original: bool = False,
    ) -> None:
        try:
            data = await self._read_picture(image, url) if (image or url) else None
        except (Refusal, BadInput) as exc:
            await self._refuse_after_deferral(interaction, str(exc))
            return
        await self._submit_deferred(
            interaction, requester, options, data, share_original=share_original
        )

    async def _submit_deferred(
        self,
        interaction: discord.Interaction[Any],
        requester: Requester,
        options: DreamOptions,
        picture: bytes | None,
        *,
        share_original: bool,
    ) -> None:
        """Queue a dream for a deferred interaction, then follow it in the interaction's reply."""
        try:
            original = await interaction.original_response()
            reply_to = _reply_to(interaction.channel_id, original.id, share_original=share_original)
            submitted = await self._submit(requester, options, picture, reply_to)
        except (Refusal, BadInput) as exc:
            await self._refuse_after_deferral(interaction, str(exc))
            return

        await interaction.edit_original_response(
            content=messages.queued(submitted.place), view=buttons.waiting_view(submitted.job_id)
        )
        live = LiveReply(interaction=interaction, filesize_limit=interaction.filesize_limit)
        self._follow(submitted.job_id, live)

    async def _submit(
        self,
        requester: Requester,
        options: DreamOptions,
        data: bytes | None,
        reply_to: dict[str, Any],
    ) -> Any:
        try:
            submitted = await self.service.submit(
                requester, options, input_bytes=data, reply_to=reply_to
            )
        except QuotaExceeded as exc:
            if exc.limit_name in ("user_daily", "community_daily") and exc.resets_at:
                raise Refusal(messages.quota_exhausted(exc.limit, exc.resets_at)) from exc
            raise Refusal(str(exc)) from exc
        _log.info(
            "Discord dream %d queued for %s (place %d).",
            submitted.job_id,
            requester.user_id,
            submitted.place,
        )
        return submitted

    async def _read_picture(self, image: discord.Attachment | None, url: str | None) -> bytes:
        limit = self.fetcher.limits.max_bytes
        if image is not None:
            if image.content_type and not image.content_type.startswith("image/"):
                raise Refusal(messages.not_an_image(image.content_type))
            if image.size > limit:
                raise Refusal(messages.file_too_large(limit, image.size))
            data = await image.read()
            if not looks_like_image(data):
                raise Refusal(messages.not_an_image(image.content_type))
            return data
        if url is None:
            raise Refusal(messages.no_image())
        return (await self.fetcher.fetch(url)).data

    # -- buttons ----------------------------------------------------------------------------

    async def press(
        self, interaction: discord.Interaction[Any], action: Action, job_id: int
    ) -> None:
        """A button under a dream, pressed now or long before a restart."""
        requester = requester_of(interaction)
        try:
            job = await self.service.get(job_id)
            if action is Action.CANCEL:
                await self._cancel(interaction, job, requester)
            elif action is Action.REMOVE:
                await self.service.remove(job_id, by=requester)
                await interaction.response.edit_message(
                    content=messages.removed_from_gallery(), attachments=[], view=None
                )
            else:
                await self._remake(interaction, job, requester, action)
        except JobNotFound:
            await _answer_privately(interaction, messages.job_not_found())
        except NotAllowed:
            wording = messages.not_yours_to_cancel if action is Action.CANCEL else None
            await _answer_privately(interaction, (wording or messages.not_yours_to_remove)())

    async def _cancel(
        self, interaction: discord.Interaction[Any], job: JobView, requester: Requester
    ) -> None:
        if job.is_final:
            await _answer_privately(interaction, messages.already_finished())
            return
        await self.service.cancel(job.id, by=requester)
        await interaction.response.send_message(messages.cancelled(), ephemeral=True)

    async def _remake(
        self,
        interaction: discord.Interaction[Any],
        job: JobView,
        requester: Requester,
        action: Action,
    ) -> None:
        options = {
            Action.AGAIN: grammar.with_new_seed,
            Action.DEEPER: grammar.deeper,
            Action.GENTLER: grammar.gentler,
            Action.ZOOM: lambda o: o.replace(mode=Mode.ZOOM),
        }[action](job.options)
        picture = await self.service.read_media(job.input_sha256) if job.input_sha256 else None
        if job.input_sha256 and picture is None:
            await _answer_privately(interaction, messages.job_not_found())
            return
        shared = bool(job.reply_to.get(SHARE_ORIGINAL)) and _same_person(job.requester, requester)
        await interaction.response.defer(thinking=True)
        await self._submit_deferred(interaction, requester, options, picture, share_original=shared)

    # -- progress ---------------------------------------------------------------------------

    def _follow(self, job_id: int, live: LiveReply) -> None:
        self._live[job_id] = live
        task = asyncio.create_task(self._show_progress(job_id, live), name=f"discord-job-{job_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _show_progress(self, job_id: int, live: LiveReply) -> None:
        try:
            async for view in self.service.watch(job_id, recheck=self._delivery_recheck):
                if view.is_final or view.status is not JobStatus.RUNNING:
                    continue
                now = time.monotonic()
                if now - live.last_edit < self.config.progress_interval:
                    continue
                live.last_edit = now
                await self._edit_progress(view, live)
        except discord.HTTPException as exc:
            _log.debug("Progress of dream %d not shown: %s", job_id, exc)

    async def _edit_progress(self, view: JobView, live: LiveReply) -> None:
        text = messages.running(view.progress, octave=view.octave, octaves=view.octaves)
        changes: dict[str, Any] = {"content": text}
        if view.preview_sha256 and view.preview_sha256 != live.preview_sha256:
            preview = await self.service.read_media(view.preview_sha256)
            if preview is not None:
                live.preview_sha256 = view.preview_sha256
                changes["attachments"] = [discord.File(io.BytesIO(preview), "preview.png")]
        if live.token_fresh and live.interaction is not None:
            await live.interaction.edit_original_response(**changes)
        elif live.message is not None:
            live.message = await live.message.edit(**changes)

    # -- delivery ---------------------------------------------------------------------------

    async def _deliver_forever(self) -> None:
        await self.ready.wait()
        stream = self.service.deliveries.stream(PLATFORM, recheck=self._delivery_recheck)
        async for view in stream:
            if not await self.service.deliveries.mark_delivered(view.id):
                continue
            try:
                await self._deliver(view)
            except discord.HTTPException:
                _log.exception("Dream %d could not be delivered to Discord.", view.id)

    async def _deliver(self, view: JobView) -> None:
        live = self._live.pop(view.id, None) or LiveReply()
        content, upload_bytes = await self._final_content(view)
        result_view = buttons.result_view(view.id) if view.status is JobStatus.DONE else None

        if live.token_fresh and live.interaction is not None:
            files, content = self._files(view, upload_bytes, content, live.filesize_limit)
            try:
                posted = await live.interaction.edit_original_response(
                    content=content, attachments=files, view=result_view
                )
                _log.info("Dream %d delivered to Discord.", view.id)
                await self._remember_result(view, posted)
                return
            except discord.HTTPException as exc:
                if exc.code not in _TOKEN_GONE_CODES and exc.status not in (401, 404):
                    raise
                _log.debug("Interaction of dream %d expired; replying in the channel.", view.id)

        if live.message is not None:
            with contextlib.suppress(discord.HTTPException):
                await live.message.delete()
        await self._deliver_in_channel(view, content, upload_bytes, result_view)

    async def _deliver_in_channel(
        self,
        view: JobView,
        content: str,
        upload_bytes: bytes | None,
        result_view: discord.ui.View | None,
    ) -> None:
        if self.client is None:
            return
        channel_id = int(view.reply_to["channel_id"])
        guild_id = int(view.community.id) if view.community else None
        channel = self.client.get_partial_messageable(channel_id, guild_id=guild_id)
        guild = self.client.get_guild(guild_id) if guild_id else None
        limit = guild.filesize_limit if guild else _DEFAULT_FILESIZE_LIMIT
        files, content = self._files(view, upload_bytes, content, limit)
        reference = None
        if "message_id" in view.reply_to:
            reference = discord.MessageReference(
                message_id=int(view.reply_to["message_id"]),
                channel_id=channel_id,
                fail_if_not_exists=False,
            )
        posted = await channel.send(
            f"<@{view.requester.user_id}> {content}",
            files=files,
            view=result_view or discord.utils.MISSING,
            reference=reference or discord.utils.MISSING,
            allowed_mentions=discord.AllowedMentions(users=True, replied_user=False),
        )
        _log.info("Dream %d delivered to Discord channel %d.", view.id, channel_id)
        await self._remember_result(view, posted)

    async def _remember_result(self, view: JobView, message: discord.Message) -> None:
        """Record the message that shows a finished dream, so reactions on it are likes."""
        if view.status is not JobStatus.DONE:
            return
        try:
            await self.results.remember(message.id, view.id)
        except SQLAlchemyError:
            _log.exception("Reactions on dream %d will not count as likes.", view.id)

    async def _final_content(self, view: JobView) -> tuple[str, bytes | None]:
        if view.status is JobStatus.CANCELLED:
            return messages.cancelled(), None
        if view.status is JobStatus.FAILED:
            if view.failure_kind == "bad_input" and view.error:
                return messages.failed_bad_input(view.error), None
            return messages.failed_on_our_side(), None

        seconds = 0.0
        if view.started_at and view.finished_at:
            seconds = (view.finished_at - view.started_at).total_seconds()
        words = grammar.to_words(view.options, base=self.base_options)
        content = f"{messages.finished(seconds)} `{words}`"
        data = await self.service.read_media(view.result_sha256) if view.result_sha256 else None
        return content, data

    def _files(
        self, view: JobView, data: bytes | None, content: str, limit: int
    ) -> tuple[list[discord.File], str]:
        if data is None:
            return [], content
        extension = (view.result_media_type or "image/png").rsplit("/", 1)[1]
        upload = fit_upload(data, stem=f"dream-{view.id}", extension=extension, limit=limit)
        if upload.reencoded:
            content = f"{content} {messages.shrunk_to_fit(limit)}"
        return [discord.File(io.BytesIO(upload.data), upload.filename)], content

    # -- small helpers ----------------------------------------------------------------------

    async def _community(self, requester: Requester) -> CommunityView:
        if requester.community is None:
            raise Refusal(messages.channel_not_allowed())
        return await self.service.community_settings(requester.community)

    def _check_channel(self, community: CommunityView, channel_id: int | None) -> None:
        allowed = community.settings.get("allowed_channels") or []
        if allowed and str(channel_id) not in allowed:
            raise Refusal(messages.channel_not_allowed())

    def _base(self, community: CommunityView) -> DreamOptions:
        changes = {}
        if community.settings.get("default_model"):
            changes["model"] = community.settings["default_model"]
        if community.settings.get("default_layer"):
            changes["layer"] = community.settings["default_layer"]
        return self.base_options.replace(**changes) if changes else self.base_options

    def _max_size(self, community: CommunityView) -> int:
        configured: int = self.service.settings.quotas.max_size
        return int(community.settings.get("max_size") or configured)

    async def _refuse_after_deferral(
        self, interaction: discord.Interaction[Any], text: str
    ) -> None:
        with contextlib.suppress(discord.HTTPException):
            await interaction.delete_original_response()
        await interaction.followup.send(text, ephemeral=True)

    async def _tell_privately(self, user_id: int, text: str) -> None:
        if self.client is None:
            return
        try:
            user = await self.client.fetch_user(user_id)
            await user.send(text)
        except discord.HTTPException as exc:
            _log.debug("Could not tell user %d privately: %s", user_id, exc)


def requester_of(interaction: discord.Interaction[Any]) -> Requester:
    """Who is asking, where, and whether they may manage the server."""
    community = None
    if interaction.guild_id is not None:
        guild = interaction.guild
        name = guild.name if guild is not None and guild.name else ""
        community = CommunityRef(platform=PLATFORM, id=str(interaction.guild_id), name=name)
    permissions = interaction.permissions
    return Requester(
        platform=PLATFORM,
        user_id=str(interaction.user.id),
        display_name=interaction.user.display_name,
        community=community,
        is_admin=permissions.administrator or permissions.manage_guild,
    )


def _by_a_bot(payload: discord.RawReactionActionEvent, client: discord.Client) -> bool:
    if client.user is not None and payload.user_id == client.user.id:
        return True
    return payload.member is not None and payload.member.bot


def _same_person(one: Requester, other: Requester) -> bool:
    return (one.platform, one.user_id) == (other.platform, other.user_id)


def _reply_to(
    channel_id: int | None, message_id: int, *, share_original: bool = False
) -> dict[str, Any]:
    """Where a dream is answered, and the author's consent to show the original picture."""
    reply_to: dict[str, Any] = {"channel_id": str(channel_id), "message_id": str(message_id)}
    if share_original:
        reply_to[SHARE_ORIGINAL] = True
    return reply_to


def _requester_from_member(member: discord.Member | None, user_id: int, guild_id: int) -> Requester:
    permissions = member.guild_permissions if member is not None else discord.Permissions.none()
    return Requester(
        platform=PLATFORM,
        user_id=str(user_id),
        display_name=member.display_name if member is not None else str(user_id),
        community=CommunityRef(platform=PLATFORM, id=str(guild_id)),
        is_admin=permissions.administrator or permissions.manage_guild,
    )


def first_image(message: discord.Message) -> tuple[discord.Attachment | None, str | None]:
    """The first picture of a message: an attachment, else an embed's image or thumbnail."""
    for attachment in message.attachments:
        content_type = attachment.content_type or ""
        if content_type.startswith("image/") or attachment.filename.lower().endswith(
            _IMAGE_EXTENSIONS
        ):
            return attachment, None
    for embed in message.embeds:
        for url in (embed.image.url, embed.thumbnail.url):
            if url:
                return None, url
    return None, None


def _limit_of(message: discord.Message) -> int:
    guild = message.guild
    return guild.filesize_limit if guild is not None else _DEFAULT_FILESIZE_LIMIT


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        _log.error("The Discord connection stopped.", exc_info=task.exception())


async def _answer_privately(interaction: discord.Interaction[Any], text: str) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)
