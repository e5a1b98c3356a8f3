"""What the app listens to: ``/dream``, the shortcut, reactions, posted pictures and buttons.

Every listener acknowledges first (Slack wants an answer within 3 seconds), then does the slow
part. Events are let through once per ``event_id``, however often Slack delivers them.

A reaction, whatever its emoji, on a message the adapter posted for a dream (its status message
or the uploaded result) is a like of that dream in the gallery, one per person; the trigger
emoji on any other message dreams that message's picture.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import grammar, messages
from bot.slack import blocks
from bot.slack.blocks import Action
from bot.slack.dreams import SlackDreams, Thread, Whisper, slack_requester
from bot.slack.images import ImageRef, first_file_type, image_in_message, message_mentions_file
from bot.slack.memory import SlackMemory
from bot.store.errors import JobNotFound, NotAllowed
from bot.store.views import CommunityRef, JobView, Requester
from engine.errors import BadInput
from engine.options import DreamOptions, Mode

_log = logging.getLogger(__name__)

SHORTCUT_CALLBACK_ID = "dream_this_image"
DEFAULT_TRIGGER_EMOJI = "art"


class Listeners:
    """The adapter's listeners, bound to one :class:`SlackDreams` and the adapter's memory."""

    def __init__(self, dreams: SlackDreams, memory: SlackMemory) -> None:
        self.dreams = dreams
        self.memory = memory
        self.service = dreams.service

    def register(self, app: AsyncApp) -> None:
        app.middleware(self.skip_seen_events)
        app.command("/dream")(self.on_command)
        app.shortcut(SHORTCUT_CALLBACK_ID)(self.on_shortcut)
        app.event("reaction_added")(self.on_reaction)
        app.event("message")(self.on_message)
        app.action(blocks.ACTION_PATTERN)(self.on_button)

    # -- protocol hygiene -------------------------------------------------------------------

    async def skip_seen_events(
        self,
        body: dict[str, Any],
        next: Callable[[], Awaitable[None]],
    ) -> BoltResponse | None:
        """Let each event through once; a retry of a delivered event is acknowledged and dropped."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id is not None and not await self.memory.first_sighting(str(event_id)):
            _log.debug("dropped a retry of Slack event %s", event_id)
            return BoltResponse(status=200, body="")
        await next()
        return None

    # -- triggers -----------------------------------------------------------------------------

    async def on_command(
        self, ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        whisper = _responder(respond)
        text = command.get("text", "").strip()
        if text.lower() == "help":
            await whisper(messages.dream_words_help(_accepted_words()))
            return

        team_id, channel_id = command["team_id"], command["channel_id"]
        requester = await self._requester(
            client,
            team_id,
            command.get("team_domain", ""),
            command["user_id"],
            command.get("user_name", ""),
        )
        try:
            request = await self._parse(requester.community, text)
        except BadInput as exc:
            await whisper(str(exc))
            return
        if not await self._channel_allowed(requester.community, channel_id, whisper):
            return

        thread = Thread(team_id=team_id, channel_id=channel_id, thread_ts=None)
        image: ImageRef | None = None
        if request.url is not None:
            image = ImageRef(url=request.url, private=False)
        elif request.options.mode is not Mode.NOISE:
            post = await self.memory.latest_image(
                team_id=team_id, channel_id=channel_id, user_id=command["user_id"]
            )
            if post is None:
                await whisper(messages.no_recent_image())
                return
            image = post.image
            thread = Thread(team_id=team_id, channel_id=channel_id, thread_ts=post.message_ts)
        await self.dreams.start(
            client,
            requester=requester,
            thread=thread,
            image=image,
            options=request.options,
            whisper=whisper,
            share_original=request.share_original,
        )

    async def on_shortcut(
        self, ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        team, user = shortcut.get("team") or {}, shortcut["user"]
        channel_id = shortcut["channel"]["id"]
        whisper = _responder(respond)
        requester = await self._requester(
            client,
            team["id"],
            team.get("domain", ""),
            user["id"],
            user.get("name") or user.get("username", ""),
        )
        message = shortcut.get("message") or {}
        await self._dream_message(
            client, requester, channel_id=channel_id, message=message, whisper=whisper
        )

    async def on_reaction(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        item = event.get("item") or {}
        if item.get("type") != "message":
            return
        team_id, channel_id = body["team_id"], item["channel"]
        dream = await self.memory.dream_message(
            team_id=team_id, channel_id=channel_id, message_ts=item["ts"]
        )
        if dream is not None:
            await self._like(dream.job_id, team_id=team_id, user_id=event["user"])
            return

        community = CommunityRef(platform="slack", id=team_id, name=team_id)
        settings = (await self.service.community_settings(community)).settings
        trigger = str(settings.get("trigger_emoji") or DEFAULT_TRIGGER_EMOJI).strip(":")
        if event.get("reaction", "").split("::", 1)[0] != trigger:
            return

        whisper = _ephemeral(client, channel_id, event["user"])
        requester = await self._requester(client, team_id, "", event["user"], "")
        post = await self.memory.image_of_message(
            team_id=team_id, channel_id=channel_id, message_ts=item["ts"]
        )
        if post is None:
            await whisper(messages.message_has_no_image())
            return
        message = {"ts": post.message_ts, "image": post.image}
        await self._dream_message(
            client, requester, channel_id=channel_id, message=message, whisper=whisper
        )

    async def on_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        """Remember every picture posted, for ``/dream`` alone and for reactions."""
        image = image_in_message(event)
        user_id = event.get("user")
        if image is None or user_id is None:
            return
        await self.memory.remember_image(
            team_id=body.get("team_id") or event.get("team", ""),
            channel_id=event["channel"],
            user_id=user_id,
            message_ts=event["ts"],
            image=image,
        )

    async def _like(self, job_id: int, *, team_id: str, user_id: str) -> None:
        try:
            likes = await self.service.like(job_id, f"slack:{team_id}:{user_id}")
        except JobNotFound:
            _log.debug("no like for dream %d from %s: it is not in the gallery", job_id, user_id)
            return
        _log.debug("dream %d liked by %s:%s; %d likes now", job_id, team_id, user_id, likes)

    # -- buttons ------------------------------------------------------------------------------

    async def on_button(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        team, user = body.get("team") or {}, body["user"]
        channel_id = (body.get("channel") or {}).get("id") or body["container"]["channel_id"]
        whisper = _ephemeral(client, channel_id, user["id"])
        requester = await self._requester(
            client,
            team.get("id") or user.get("team_id", ""),
            team.get("domain", ""),
            user["id"],
            user.get("name") or user.get("username", ""),
        )
        try:
            job = await self.service.get(int(action["value"]))
        except (JobNotFound, ValueError):
            await whisper(messages.job_not_found())
            return

        pressed = Action(action["action_id"])
        try:
            if pressed is Action.CANCEL:
                await self._cancel(job, requester, whisper)
            elif pressed is Action.REMOVE:
                await self._remove(client, job, requester, body)
            else:
                container = body.get("container") or {}
                thread = Thread(
                    team_id=job.reply_to.get("team_id", ""),
                    channel_id=channel_id,
                    thread_ts=container.get("thread_ts") or container.get("message_ts"),
                )
                await self.dreams.resubmit(
                    client,
                    job,
                    requester=requester,
                    options=_variation(pressed, job.options),
                    thread=thread,
                    whisper=whisper,
                )
        except NotAllowed:
            sentence = (
                messages.not_yours_to_cancel()
                if pressed is Action.CANCEL
                else messages.not_yours_to_remove()
            )
            await whisper(sentence)
        except BadInput as exc:
            await whisper(str(exc))

    async def _cancel(self, job: JobView, requester: Requester, whisper: Whisper) -> None:
        if job.is_final:
            await whisper(messages.already_finished())
            return
        await self.service.cancel(job.id, by=requester)

    async def _remove(
        self, client: AsyncWebClient, job: JobView, requester: Requester, body: dict[str, Any]
    ) -> None:
        await self.service.remove(job.id, by=requester)
        container = body.get("container") or {}
        text = messages.removed_from_gallery()
        await client.chat_update(
            channel=container["channel_id"],
            ts=container["message_ts"],
            text=text,
            blocks=blocks.final_blocks(text),
        )

    # -- shared steps -------------------------------------------------------------------------

    async def _dream_message(
        self,
        client: AsyncWebClient,
        requester: Requester,
        *,
        channel_id: str,
        message: dict[str, Any],
        whisper: Whisper,
    ) -> None:
        image = message.get("image") or image_in_message(message)
        if image is None:
            sentence = (
                messages.not_an_image(first_file_type(message))
                if message_mentions_file(message)
                else messages.message_has_no_image()
            )
            await whisper(sentence)
            return
        if not await self._channel_allowed(requester.community, channel_id, whisper):
            return

        try:
            options = (await self._parse(requester.community, "")).options
        except BadInput as exc:
            await whisper(str(exc))
            return
        team_id = requester.community.id if requester.community else ""
        thread_ts = message.get("thread_ts") or message["ts"]
        thread = Thread(team_id=team_id, channel_id=channel_id, thread_ts=thread_ts)
        await self.dreams.start(
            client,
            requester=requester,
            thread=thread,
            image=image,
            options=options,
            whisper=whisper,
        )

    async def _parse(self, community: CommunityRef | None, text: str) -> grammar.DreamRequest:
        settings = await self._settings(community)
        base = DreamOptions()
        if settings.get("default_model"):
            base = base.replace(model=settings["default_model"])
        if settings.get("default_layer"):
            base = base.replace(layer=settings["default_layer"])
        return grammar.parse_words(text, base=base, max_size=settings.get("max_size"))

    async def _channel_allowed(
        self, community: CommunityRef | None, channel_id: str, whisper: Whisper
    ) -> bool:
        settings = await self._settings(community)
        allowed = settings.get("allowed_channels") or []
        if allowed and channel_id not in allowed:
            await whisper(messages.channel_not_allowed())
            return False
        return True

    async def _settings(self, community: CommunityRef | None) -> dict[str, Any]:
        if community is None:
            return {}
        return (await self.service.community_settings(community)).settings

    async def _requester(
        self, client: AsyncWebClient, team_id: str, team_name: str, user_id: str, user_name: str
    ) -> Requester:
        is_admin = False
        try:
            info = await client.users_info(user=user_id)
            person = info.get("user") or {}
            is_admin = bool(person.get("is_admin") or person.get("is_owner"))
            user_name = user_name or person.get("real_name") or person.get("name", "")
        except SlackApiError as exc:
            _log.debug("users.info failed for %s: %s", user_id, _error_of(exc))
        return slack_requester(
            team_id=team_id,
            team_name=team_name,
            user_id=user_id,
            user_name=user_name,
            is_admin=is_admin,
        )


def _variation(pressed: Action, options: DreamOptions) -> DreamOptions:
    if pressed is Action.DEEPER:
        return grammar.deeper(options)
    if pressed is Action.GENTLER:
        return grammar.gentler(options)
    if pressed is Action.ZOOM:
        return options.replace(mode=Mode.ZOOM)
    return grammar.with_new_seed(options)


def _responder(respond: AsyncRespond) -> Whisper:
    async def whisper(text: str) -> None:
        await respond(text=text, response_type="ephemeral", replace_original=False)

    return whisper


def _ephemeral(client: AsyncWebClient, channel_id: str, user_id: str) -> Whisper:
    async def whisper(text: str) -> None:
        try:
            await client.chat_postEphemeral(channel=channel_id, user=user_id, text=text)
        except SlackApiError as exc:
            _log.warning("could not tell %s privately: %s", user_id, _error_of(exc))

    return whisper


def _accepted_words() -> list[str]:
    words = [*grammar.STRENGTHS, "deeper", "gentler", *(mode.value for mode in Mode)]
    words += [f"{key}= ({meaning})" for key, meaning in grammar.KEYS.items()]
    words.append(f"{grammar.SHARE_WORD} (the gallery shows your original picture too)")
    return words


def _error_of(exc: SlackApiError) -> str:
    data = exc.response.data
    return (
        str(data.get("error")) if isinstance(data, dict) else f"status {exc.response.status_code}"
    )
