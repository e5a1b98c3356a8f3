"""A fake Discord on loopback: enough REST API, gateway and CDN for the real discord.py client.

The fake keeps one guild with one text channel and plays Discord's side of
everything the dreambot adapter does: command sync, interaction callbacks and
webhook edits (with the files they carry), channel messages, direct messages,
reactions and the CDN that serves attachments. Tests drive it from Discord's
side (a slash command, a button press, a reaction) and read what the bot did
from :attr:`FakeDiscord.messages` and :attr:`FakeDiscord.requests`.

Point discord.py at it with :meth:`FakeDiscord.patch_discord_py`. Rate limits are
played on demand (:meth:`FakeDiscord.rate_limit_next`), interaction tokens can be
made to expire (:meth:`FakeDiscord.expire_token`), and the message-content intent
can be refused (``allow_message_content=False``) as Discord refuses a privileged
intent the application has not enabled.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import itertools
import json
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import aiohttp
from aiohttp import web

BOT_TOKEN = "fake-bot-token.for-tests.only"
MESSAGE_CONTENT_INTENT = 1 << 15
ADMINISTRATOR = 1 << 3
EVERYONE_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 15) | (1 << 16) | (1 << 6) | (1 << 31)

Json = dict[str, Any]


@dataclasses.dataclass
class RecordedRequest:
    """One REST request the bot made."""

    method: str
    path: str
    payload: Json | list[Any] | None
    files: list[tuple[str, bytes]]
    at: float


@dataclasses.dataclass
class SentInteraction:
    """An interaction the fake sent, with what the bot answered to it."""

    id: str
    token: str
    payload: Json
    callbacks: list[Json] = dataclasses.field(default_factory=list)

    @property
    def original_key(self) -> str:
        return self.token


class FakeDiscord:
    """The fake server; use ``async with FakeDiscord() as discord:``."""

    def __init__(self, *, allow_message_content: bool = True) -> None:
        self.allow_message_content = allow_message_content
        self._ids = itertools.count(1_100_000_000_000_000_000)
        self.application_id = self.new_id()
        self.bot_user = self.user("dreambot", bot=True)
        self.guild_id = self.new_id()
        self.channel_id = self.new_id()
        self.owner = self.user("owner")
        self.requests: list[RecordedRequest] = []
        self.messages: dict[str, Json] = {}
        self.dm_messages: list[Json] = []
        self.originals: dict[str, Json] = {}
        self.interactions: dict[str, SentInteraction] = {}
        self.commands: dict[str, list[Json]] = {}
        self.identified_intents: list[int] = []
        self.closed_with: list[int] = []
        self._cdn: dict[str, tuple[bytes, str]] = {}
        self._rate_limits: dict[tuple[str, str], float] = {}
        self._expired_tokens: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        self._sequence = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/cdn/{name:.+}", self._cdn_file)
        app.router.add_route("*", "/api/v10/{path:.+}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def patch_discord_py(self, monkeypatch: Any) -> None:
        """Point discord.py's REST routes and gateway at this server for one test."""
        import discord.gateway
        import discord.http
        import yarl

        monkeypatch.setattr(discord.http.Route, "BASE", f"{self.origin}/api/v10")
        gateway = yarl.URL(f"ws://127.0.0.1:{self.port}/gateway")
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", gateway)

    # -- building Discord objects ------------------------------------------------------------

    def new_id(self) -> str:
        return str(next(self._ids))

    def user(self, name: str, *, bot: bool = False) -> Json:
        return {
            "id": self.new_id(),
            "username": name,
            "global_name": name,
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
        }

    def member(self, user: Json, *, admin: bool = False) -> Json:
        permissions = EVERYONE_PERMISSIONS | (ADMINISTRATOR if admin else 0)
        return {
            "user": user,
            "roles": [],
            "joined_at": _now(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": str(permissions),
        }

    def add_file(self, filename: str, data: bytes, content_type: str) -> Json:
        """An attachment served by the fake CDN."""
        attachment_id = self.new_id()
        name = f"{attachment_id}/{filename}"
        self._cdn[name] = (data, content_type)
        url = f"{self.origin}/cdn/{name}"
        return {
            "id": attachment_id,
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }

    def cdn_url(self, filename: str, data: bytes, content_type: str) -> str:
        return str(self.add_file(filename, data, content_type)["url"])

    def add_message(
        self,
        *,
        author: Json,
        content: str = "",
        attachments: Iterable[Json] = (),
        embeds: Iterable[Json] = (),
    ) -> Json:
        """A message already in the channel, as if a person had posted it."""
        message = self._message(
            author=author, content=content, attachments=list(attachments), embeds=list(embeds)
        )
        self.messages[message["id"]] = message
        return message

    def _message(
        self,
        *,
        author: Json,
        content: str,
        attachments: list[Json],
        embeds: list[Json],
        channel_id: str | None = None,
        components: list[Json] | None = None,
        reference: Json | None = None,
        flags: int = 0,
    ) -> Json:
        message = {
            "id": self.new_id(),
            "channel_id": channel_id or self.channel_id,
            "guild_id": self.guild_id,
            "type": 19 if reference else 0,
            "content": content,
            "author": author,
            "attachments": attachments,
            "embeds": embeds,
            "components": components or [],
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
            "flags": flags,
        }
        if reference is not None:
            message["message_reference"] = reference
        return message

    # -- driving the bot from Discord's side --------------------------------------------------

    async def slash_command(
        self,
        name: str,
        options: Mapping[str, object] | None = None,
        *,
        user: Json | None = None,
        admin: bool = False,
        attachment_size_limit: int = 10 * 1024 * 1024,
    ) -> SentInteraction:
        """Send ``/name`` with options; an attachment is given as an :meth:`add_file` dict."""
        command = self._command(name)
        command_options = []
        resolved: Json = {"attachments": {}}
        for option_name, value in (options or {}).items():
            if isinstance(value, dict):
                resolved["attachments"][value["id"]] = value
                command_options.append({"name": option_name, "type": 11, "value": value["id"]})
            elif isinstance(value, bool):
                command_options.append({"name": option_name, "type": 5, "value": value})
            elif isinstance(value, int):
                command_options.append({"name": option_name, "type": 4, "value": value})
            else:
                command_options.append({"name": option_name, "type": 3, "value": value})
        data = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": command_options,
            "resolved": resolved,
        }
        return await self._interact(
            2, data, user=user, admin=admin, attachment_size_limit=attachment_size_limit
        )

    async def autocomplete(
        self,
        name: str,
        focused: str,
        typed: str,
        *,
        filled: Mapping[str, str] | None = None,
        user: Json | None = None,
    ) -> SentInteraction:
        """Type ``typed`` into option ``focused`` of ``/name``, the ``filled`` options set."""
        command = self._command(name)
        options = [{"name": key, "type": 3, "value": text} for key, text in (filled or {}).items()]
        options.append({"name": focused, "type": 3, "value": typed, "focused": True})
        data = {"id": command["id"], "name": name, "type": 1, "options": options}
        return await self._interact(4, data, user=user)

    def choices(self, interaction: SentInteraction) -> list[Json] | None:
        """The choices the bot answered an autocomplete with, once it has answered."""
        for callback in interaction.callbacks:
            if callback["type"] == 8:
                return list((callback.get("data") or {}).get("choices") or [])
        return None

    async def context_menu(
        self, name: str, message: Json, *, user: Json | None = None
    ) -> SentInteraction:
        command = self._command(name)
        data = {
            "id": command["id"],
            "name": name,
            "type": 3,
            "target_id": message["id"],
            "resolved": {"messages": {message["id"]: message}},
        }
        return await self._interact(2, data, user=user)

    async def press_button(
        self, custom_id: str, message: Json, *, user: Json | None = None, admin: bool = False
    ) -> SentInteraction:
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interact(3, data, user=user, admin=admin, message=message)

    async def react(self, message: Json, emoji: str, *, user: Json | None = None) -> None:
        reactor = user or self.owner
        await self.dispatch(
            "MESSAGE_REACTION_ADD",
            {
                "user_id": reactor["id"],
                "channel_id": message["channel_id"],
                "message_id": message["id"],
                "message_author_id": message["author"]["id"],
                "guild_id": self.guild_id,
                "member": self.member(reactor),
                "emoji": {"id": None, "name": emoji},
                "type": 0,
                "burst": False,
            },
        )

    async def _interact(
        self,
        kind: int,
        data: Json,
        *,
        user: Json | None,
        admin: bool = False,
        message: Json | None = None,
        attachment_size_limit: int = 10 * 1024 * 1024,
    ) -> SentInteraction:
        interaction_id = self.new_id()
        token = f"interaction-token-{interaction_id}"
        member = self.member(user or self.owner, admin=admin)
        payload: Json = {
            "id": interaction_id,
            "application_id": self.application_id,
            "type": kind,
            "data": data,
            "guild_id": self.guild_id,
            "channel_id": self.channel_id,
            "channel": {
                "id": self.channel_id,
                "type": 0,
                "name": "dreams",
                "guild_id": self.guild_id,
            },
            "member": member,
            "token": token,
            "version": 1,
            "app_permissions": str(EVERYONE_PERMISSIONS),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": self.guild_id},
            "context": 0,
            "attachment_size_limit": attachment_size_limit,
        }
        if message is not None:
            payload["message"] = message
        sent = SentInteraction(interaction_id, token, payload)
        self.interactions[interaction_id] = sent
        await self.dispatch("INTERACTION_CREATE", payload)
        return sent

    def _command(self, name: str) -> Json:
        for commands in self.commands.values():
            for command in commands:
                if command["name"] == name:
                    return command
        raise LookupError(f"The bot has not synced a command named {name!r}.")

    # -- controls -----------------------------------------------------------------------------

    def rate_limit_next(self, method: str, path_prefix: str, retry_after: float) -> None:
        """Answer the next request matching ``method`` and ``path_prefix`` with a 429."""
        self._rate_limits[(method, path_prefix)] = retry_after

    def expire_token(self, interaction: SentInteraction) -> None:
        """Make the interaction's token invalid, as Discord does after 15 minutes."""
        self._expired_tokens.add(interaction.token)

    async def wait_until(
        self, condition: Callable[[], object], *, timeout: float = 20.0, what: str = "condition"
    ) -> Any:
        """Wait for ``condition()`` to return something true, checked after every request
        and every tenth of a second."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                while not (value := condition()):
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), 0.1)
                return value
        except TimeoutError:
            raise AssertionError(f"Timed out after {timeout:g} s waiting for {what}.") from None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def original(self, interaction: SentInteraction) -> Json | None:
        """The interaction's response message as it stands now."""
        return self.originals.get(interaction.token)

    def callback_types(self, interaction: SentInteraction) -> list[int]:
        return [callback["type"] for callback in interaction.callbacks]

    def requests_to(self, method: str, path_part: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and path_part in r.path]

    async def download(self, url: str) -> bytes:
        name = url.split("/cdn/", 1)[1]
        return self._cdn[name][0]

    # -- the gateway --------------------------------------------------------------------------

    async def dispatch(self, event: str, data: Json) -> None:
        frame = {"op": 0, "t": event, "s": next(self._sequence), "d": data}
        for socket in list(self._sockets):
            await socket.send_str(json.dumps(frame))

    async def wait_for_gateway(self, *, timeout: float = 30.0) -> None:
        await self.wait_until(lambda: self._sockets, timeout=timeout, what="a gateway connection")

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 45_000}})
        async for frame in socket:
            if frame.type != aiohttp.WSMsgType.TEXT:
                break
            message = json.loads(frame.data)
            if message["op"] == 1:
                await socket.send_json({"op": 11})
            elif message["op"] == 2:
                await self._identify(socket, message["d"])
            elif message["op"] == 6:
                await socket.send_json({"op": 9, "d": False})
        if socket in self._sockets:
            self._sockets.remove(socket)
        return socket

    async def _identify(self, socket: web.WebSocketResponse, identify: Json) -> None:
        intents = int(identify.get("intents", 0))
        self.identified_intents.append(intents)
        if intents & MESSAGE_CONTENT_INTENT and not self.allow_message_content:
            self.closed_with.append(4014)
            await socket.close(code=4014, message=b"Disallowed intent(s).")
            await self._notify()
            return

        shard = identify.get("shard", [0, 1])
        ready = {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": self.guild_id, "unavailable": True}],
            "session_id": f"session-{self.new_id()}",
            "resume_gateway_url": f"ws://127.0.0.1:{self.port}/gateway",
            "shard": shard,
            "application": {"id": self.application_id, "flags": 0},
        }
        await socket.send_json({"op": 0, "t": "READY", "s": next(self._sequence), "d": ready})
        guild = self._guild()
        await socket.send_json(
            {"op": 0, "t": "GUILD_CREATE", "s": next(self._sequence), "d": guild}
        )
        self._sockets.append(socket)
        await self._notify()

    def _guild(self) -> Json:
        return {
            "id": self.guild_id,
            "name": "Dream Lab",
            "icon": None,
            "owner_id": self.owner["id"],
            "unavailable": False,
            "member_count": 2,
            "large": False,
            "premium_tier": 0,
            "features": [],
            "roles": [
                {
                    "id": self.guild_id,
                    "name": "@everyone",
                    "permissions": str(EVERYONE_PERMISSIONS),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "channels": [
                {
                    "id": self.channel_id,
                    "type": 0,
                    "name": "dreams",
                    "position": 0,
                    "permission_overwrites": [],
                    "nsfw": False,
                    "parent_id": None,
                }
            ],
            "members": [self.member(self.bot_user)],
            "emojis": [],
            "stickers": [],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "mfa_level": 0,
            "verification_level": 0,
            "explicit_content_filter": 0,
            "default_message_notifications": 0,
            "nsfw_level": 0,
            "preferred_locale": "en-US",
            "joined_at": _now(),
        }

    # -- the CDN ------------------------------------------------------------------------------

    async def _cdn_file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self._cdn:
            raise web.HTTPNotFound()
        data, content_type = self._cdn[name]
        return web.Response(body=data, content_type=content_type)

    # -- the REST API -------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        payload, files = await _read_body(request)
        self.requests.append(
            RecordedRequest(request.method, path, payload, files, time.monotonic())
        )
        try:
            limited = self._rate_limited(request.method, path)
            if limited is not None:
                return limited
            return await self._route(request.method, path, payload, files)
        finally:
            await self._notify()

    def _rate_limited(self, method: str, path: str) -> web.Response | None:
        for key, retry_after in list(self._rate_limits.items()):
            if key[0] == method and path.startswith(key[1]):
                del self._rate_limits[key]
                body = {"message": "You are being rate limited.", "retry_after": retry_after}
                body["global"] = False
                headers = {
                    "Retry-After": f"{retry_after}",
                    "X-RateLimit-Scope": "user",
                    "X-RateLimit-Bucket": "fake",
                    "Via": "1.1 google",
                }
                return _json(body, status=429, headers=headers)
        return None

    async def _route(  # noqa: PLR0911, PLR0912 - the route table reads best as one match
        self, method: str, path: str, payload: Any, files: list[tuple[str, bytes]]
    ) -> web.StreamResponse:
        parts = path.strip("/").split("/")
        match method, parts:
            case "GET", ["users", "@me"]:
                return _json(self.bot_user)
            case "GET", ["gateway", "bot"]:
                return _json(self._gateway_info())
            case "GET", ["gateway"]:
                return _json({"url": f"ws://127.0.0.1:{self.port}/gateway"})
            case "GET", ["oauth2", "applications", "@me"] | ["applications", "@me"]:
                return _json(self._application())
            case "PUT", ["applications", _, "commands"]:
                return _json(self._sync("global", payload))
            case "PUT", ["applications", _, "guilds", guild_id, "commands"]:
                return _json(self._sync(guild_id, payload))
            case "POST", ["interactions", interaction_id, token, "callback"]:
                return self._callback(interaction_id, token, payload, files)
            case "PATCH", ["webhooks", _, token, "messages", "@original"]:
                return self._edit_original(token, payload, files)
            case "GET", ["webhooks", _, token, "messages", "@original"]:
                return self._get_original(token)
            case "POST", ["webhooks", _, token]:
                return self._followup(token, payload, files)
            case "GET", ["channels", _, "messages", message_id]:
                return self._get_message(message_id)
            case "POST", ["channels", channel_id, "messages"]:
                return self._post_message(channel_id, payload, files)
            case "PATCH", ["channels", _, "messages", message_id]:
                return self._edit_message(message_id, payload, files)
            case "DELETE", ["channels", _, "messages", message_id]:
                self.messages.pop(message_id, None)
                return web.Response(status=204)
            case "POST", ["users", "@me", "channels"]:
                return _json(self._dm_channel(payload))
            case "PUT", ["channels", _, "messages", _, "reactions", *_]:
                return web.Response(status=204)
        return _json({"message": f"Unknown route {method} {path}", "code": 0}, status=404)

    def _gateway_info(self) -> Json:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        url = f"ws://127.0.0.1:{self.port}/gateway"
        return {"url": url, "shards": 1, "session_start_limit": limit}

    def _application(self) -> Json:
        return {
            "id": self.application_id,
            "name": "dreambot",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": self.owner,
        }

    def _sync(self, scope: str, payload: Any) -> list[Json]:
        synced = []
        for command in payload or []:
            synced.append(
                {
                    "description": "",
                    "options": [],
                    **command,
                    "id": self.new_id(),
                    "application_id": self.application_id,
                    "version": self.new_id(),
                    "guild_id": None if scope == "global" else scope,
                }
            )
        self.commands[scope] = synced
        return synced

    def _callback(
        self, interaction_id: str, token: str, payload: Json, files: list[tuple[str, bytes]]
    ) -> web.Response:
        sent = self.interactions.get(interaction_id)
        if sent is None or sent.token != token or token in self._expired_tokens:
            return _discord_error(404, 10062, "Unknown interaction")
        if sent.callbacks and payload.get("type") != 8:
            return _discord_error(400, 40060, "Interaction has already been acknowledged.")
        sent.callbacks.append(payload)

        data = payload.get("data") or {}
        message = None
        if payload.get("type") in (4, 5):
            message = self.originals[token] = self._message(
                author=self.bot_user,
                content=data.get("content") or "",
                attachments=self._store_files(files, data),
                embeds=data.get("embeds") or [],
                components=data.get("components"),
                flags=int(data.get("flags") or 0),
            )
        elif payload.get("type") in (6, 7) and sent.payload.get("message"):
            message = sent.payload["message"]
            self.originals[token] = message
            if payload.get("type") == 7:
                self._apply_edit(message, data, files)

        response: Json = {
            "interaction": {
                "id": interaction_id,
                "type": sent.payload["type"],
                "response_message_id": message["id"] if message else None,
                "response_message_loading": payload.get("type") == 5,
                "response_message_ephemeral": bool(int(data.get("flags") or 0) & 64),
            },
            "resource": {"type": payload.get("type")},
        }
        if message is not None:
            response["resource"]["message"] = message
        return _json(response)

    def _edit_original(
        self, token: str, payload: Json, files: list[tuple[str, bytes]]
    ) -> web.Response:
        if token in self._expired_tokens:
            return _discord_error(401, 50027, "Invalid Webhook Token")
        original = self.originals.get(token)
        if original is None:
            return _discord_error(404, 10008, "Unknown Message")
        self._apply_edit(original, payload, files)
        return _json(original)

    def _get_original(self, token: str) -> web.Response:
        if token in self._expired_tokens:
            return _discord_error(401, 50027, "Invalid Webhook Token")
        original = self.originals.get(token)
        if original is None:
            return _discord_error(404, 10008, "Unknown Message")
        return _json(original)

    def _followup(self, token: str, payload: Json, files: list[tuple[str, bytes]]) -> web.Response:
        if token in self._expired_tokens:
            return _discord_error(401, 50027, "Invalid Webhook Token")
        message = self._message(
            author=self.bot_user,
            content=payload.get("content") or "",
            attachments=self._store_files(files, payload),
            embeds=payload.get("embeds") or [],
            components=payload.get("components"),
            flags=int(payload.get("flags") or 0),
        )
        self.messages[message["id"]] = message
        return _json(message)

    def _get_message(self, message_id: str) -> web.Response:
        message = self.messages.get(message_id)
        if message is None:
            return _discord_error(404, 10008, "Unknown Message")
        if not self.allow_message_content and message["author"]["id"] != self.bot_user["id"]:
            message = {**message, "content": "", "attachments": [], "embeds": []}
        return _json(message)

    def _post_message(
        self, channel_id: str, payload: Json, files: list[tuple[str, bytes]]
    ) -> web.Response:
        message = self._message(
            author=self.bot_user,
            content=payload.get("content") or "",
            attachments=self._store_files(files, payload),
            embeds=payload.get("embeds") or [],
            channel_id=channel_id,
            components=payload.get("components"),
            reference=payload.get("message_reference"),
        )
        if channel_id == self.channel_id:
            self.messages[message["id"]] = message
        else:
            self.dm_messages.append(message)
        return _json(message)

    def _edit_message(
        self, message_id: str, payload: Json, files: list[tuple[str, bytes]]
    ) -> web.Response:
        message = self.messages.get(message_id)
        if message is None:
            return _discord_error(404, 10008, "Unknown Message")
        self._apply_edit(message, payload, files)
        return _json(message)

    def _dm_channel(self, payload: Json) -> Json:
        recipient = {"id": payload["recipient_id"], "username": "someone", "discriminator": "0"}
        recipient["avatar"] = None
        return {"id": self.new_id(), "type": 1, "recipients": [recipient], "last_message_id": None}

    def _apply_edit(self, message: Json, payload: Json, files: list[tuple[str, bytes]]) -> None:
        for key in ("content", "embeds", "components"):
            if key in payload:
                message[key] = payload[key] if payload[key] is not None else _empty(key)
        if "attachments" in payload or files:
            message["attachments"] = self._store_files(files, payload)
        message["edited_timestamp"] = _now()
        message.setdefault("edits", 0)
        message["edits"] += 1

    def _store_files(self, files: list[tuple[str, bytes]], payload: Json) -> list[Json]:
        stored = []
        for (filename, data), declared in itertools.zip_longest(
            files, payload.get("attachments") or []
        ):
            if filename is None:
                continue
            name = (declared or {}).get("filename") or filename
            stored.append(self.add_file(name, data, _guess_type(name)))
        return stored


async def _read_body(request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        files = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, aiohttp.BodyPartReader):
                continue
            if part.name == "payload_json":
                payload = json.loads(await part.text())
            else:
                files.append((part.filename or "file", bytes(await part.read())))
        return payload, files
    if request.can_read_body:
        text = await request.text()
        return (json.loads(text) if text else None), []
    return None, []


def _json(
    body: object, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """A JSON answer with the bare content type, which discord.py compares exactly."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=json.dumps(body).encode(), status=status, headers=all_headers)


def _discord_error(status: int, code: int, message: str) -> web.Response:
    return _json({"message": message, "code": code}, status=status)


def _guess_type(filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower()
    return {
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "webp": "image/webp",
        "gif": "image/gif",
    }.get(extension, "application/octet-stream")


def _empty(key: str) -> Any:
    return "" if key == "content" else []


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()
