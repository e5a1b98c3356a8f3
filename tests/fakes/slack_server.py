"""A fake of the Slack platform on loopback, for end-to-end tests of the Slack adapter.

:class:`FakeSlack` serves, on one aiohttp server:

* the Web API under ``/api/<method>`` with the methods the adapter calls (``auth.test``,
  ``chat.postMessage``, ``chat.update``, ``chat.postEphemeral``, the three steps of
  ``files_upload_v2``, ``files.info``, ``oauth.v2.access``, ``apps.connections.open``), each
  checking the bearer token and recording the call; a file uploaded to a channel is shown
  there in a message of its own, whose ts ``files.info`` names among the file's shares;
* ``response_url`` endpoints (``/response/<id>``) that record what the app posts to them;
* private files (``url_private``) that answer the bot token with the bytes and anything else
  with an HTML sign-in page, as Slack does; a file can also be marked as needing the
  ``files:read`` scope, which the bot then lacks;
* a Socket Mode websocket that :meth:`FakeSlack.send_envelope` pushes envelopes through and
  whose acknowledgements it returns.

A test makes any method answer ``429`` with ``Retry-After`` for its next calls with
:meth:`FakeSlack.rate_limit`. Nothing here talks to the real Slack.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSMsgType, web

LOGIN_PAGE = b"<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in</body></html>"

Handler = Callable[["ApiCall"], Awaitable[dict[str, Any]]]


@dataclasses.dataclass
class Workspace:
    """One workspace of the fake: its team id and the bot user installed in it."""

    team_id: str
    bot_token: str
    bot_user_id: str = "UBOT"
    bot_id: str = "BBOT"
    team_name: str = "Dream Team"
    admins: frozenset[str] = frozenset()


@dataclasses.dataclass
class ApiCall:
    """One call to the fake Web API, as the fake understood it."""

    method: str
    params: dict[str, Any]
    token: str | None
    at: float


@dataclasses.dataclass
class Message:
    """A message the app posted (or updated), kept by channel and timestamp."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None
    updates: int = 0


@dataclasses.dataclass
class UploadedFile:
    """A file the app uploaded through the three steps of ``files_upload_v2``."""

    file_id: str
    data: bytes
    filename: str
    title: str | None = None
    channel: str | None = None
    thread_ts: str | None = None
    initial_comment: str | None = None
    completed: bool = False
    message_ts: str | None = None
    """The message that shows the file in its channel, once the upload is complete."""


@dataclasses.dataclass
class PrivateFile:
    data: bytes
    media_type: str
    needs_scope: bool = False


@dataclasses.dataclass
class _RateLimit:
    remaining: int
    retry_after: int


class FakeSlack:
    """The fake Slack platform; start it with ``async with FakeSlack(...) as slack``."""

    def __init__(
        self,
        workspaces: list[Workspace] | None = None,
        *,
        app_token: str = "xapp-1-test",
        client_id: str = "111.222",
        client_secret: str = "fake-client-secret",
    ) -> None:
        self.workspaces = workspaces or [Workspace(team_id="T1", bot_token="xoxb-test-1")]
        self.app_token = app_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.oauth_codes: dict[str, Workspace] = {}

        self.calls: list[ApiCall] = []
        self.messages: list[Message] = []
        self.ephemerals: list[dict[str, Any]] = []
        self.uploads: dict[str, UploadedFile] = {}
        self.responses: dict[str, list[dict[str, Any]]] = {}
        self.file_downloads: list[tuple[str, str | None]] = []

        self._private_files: dict[str, PrivateFile] = {}
        self._public_files: dict[str, PrivateFile] = {}
        self._endless_files: set[str] = set()
        self._rate_limits: dict[str, _RateLimit] = {}
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._socket: web.WebSocketResponse | None = None
        self._socket_connected = asyncio.Event()
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # -- lifecycle --------------------------------------------------------------------------

    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{response_id}", self._response)
        app.router.add_get("/files-pri/{file_key}/{name}", self._private_file)
        app.router.add_get("/socket-mode", self._socket_mode)
        app.router.add_get("/web/{name}", self._public_file)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        """What ``AsyncWebClient(base_url=...)`` takes."""
        return f"{self.base_url}/api/"

    @property
    def origin(self) -> str:
        return self.base_url

    # -- what tests arrange -----------------------------------------------------------------

    def add_private_file(
        self, data: bytes, *, name: str = "photo.png", media_type: str = "image/png", **flags: bool
    ) -> dict[str, Any]:
        """Serve ``data`` as a private file and return its Slack file object."""
        file_id = f"F{next(self._ids):05d}"
        self._private_files[file_id] = PrivateFile(data, media_type, **flags)
        return {
            "id": file_id,
            "name": name,
            "mimetype": media_type,
            "filetype": name.rsplit(".", 1)[-1],
            "size": len(data),
            "url_private": f"{self.base_url}/files-pri/{file_id}/{name}",
            "url_private_download": f"{self.base_url}/files-pri/{file_id}/{name}",
        }

    def add_public_file(self, name: str, data: bytes, *, media_type: str = "image/png") -> str:
        """Serve ``data`` to anyone at a plain web address, as an image host on the internet."""
        self._public_files[name] = PrivateFile(data, media_type)
        return f"{self.base_url}/web/{name}"

    def add_endless_file(self, name: str) -> str:
        """An address whose answer starts and never ends, a byte at a time."""
        self._endless_files.add(name)
        return f"{self.base_url}/web/{name}"

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and ``Retry-After``."""
        self._rate_limits[method] = _RateLimit(times, retry_after)

    def response_url(self) -> str:
        response_id = str(next(self._ids))
        self.responses[response_id] = []
        return f"{self.base_url}/response/{response_id}"

    def workspace(self, team_id: str) -> Workspace:
        return next(space for space in self.workspaces if space.team_id == team_id)

    def issue_oauth_code(self, workspace: Workspace) -> str:
        """A code that ``oauth.v2.access`` exchanges for an install of ``workspace``."""
        code = f"code-{next(self._ids)}"
        self.oauth_codes[code] = workspace
        return code

    # -- what tests observe -----------------------------------------------------------------

    def calls_of(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        return [
            message
            for message in self.messages
            if message.channel == channel and message.thread_ts == thread_ts
        ]

    def completed_uploads(self) -> list[UploadedFile]:
        return [upload for upload in self.uploads.values() if upload.completed]

    async def wait_for(self, condition: Callable[[], Any], *, timeout: float = 30.0) -> Any:
        """Wait until ``condition()`` is truthy (checked after every request) and return it."""
        async with self._changed:
            result = condition()
            deadline = time.monotonic() + timeout
            while not result:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the fake Slack never saw what the test waited for")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)
                result = condition()
            return result

    # -- Socket Mode ------------------------------------------------------------------------

    async def wait_for_socket(self, *, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self._socket_connected.wait(), timeout)

    async def send_envelope(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        retry_attempt: int | None = None,
        envelope_id: str | None = None,
    ) -> str:
        """Push one Socket Mode envelope to the connected app and return its id."""
        if self._socket is None:
            raise RuntimeError("no app is connected to the fake Socket Mode endpoint")
        envelope_id = envelope_id or f"env-{next(self._ids)}"
        self._acks.setdefault(envelope_id, asyncio.get_running_loop().create_future())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        if retry_attempt is not None:
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = "timeout"
        await self._socket.send_str(json.dumps(envelope))
        return envelope_id

    async def acknowledgement(self, envelope_id: str, *, timeout: float = 3.0) -> dict[str, Any]:
        """The acknowledgement the app sent for an envelope; Slack wants it within 3 s."""
        future = self._acks.setdefault(envelope_id, asyncio.get_running_loop().create_future())
        return await asyncio.wait_for(asyncio.shield(future), timeout)

    async def _socket_mode(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._socket = socket
        self._socket_connected.set()
        await socket.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            ack = json.loads(message.data)
            future = self._acks.setdefault(
                ack["envelope_id"], asyncio.get_running_loop().create_future()
            )
            if not future.done():
                future.set_result(ack)
        return socket

    # -- the Web API ------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = ApiCall(method, await _params(request), _bearer(request), time.monotonic())
        self.calls.append(call)

        limit = self._rate_limits.get(method)
        if limit is not None and limit.remaining > 0:
            limit.remaining -= 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(limit.retry_after)},
            )

        handler = self._handlers().get(method)
        if handler is None:
            body: dict[str, Any] = {"ok": False, "error": "unknown_method"}
        elif method != "oauth.v2.access" and not self._token_valid(method, call.token):
            body = {"ok": False, "error": "invalid_auth"}
        else:
            body = await handler(call)
        await self._notify()
        return web.json_response(body)

    def _handlers(self) -> dict[str, Handler]:
        return {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "users.info": self._users_info,
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "files.info": self._file_info,
            "oauth.v2.access": self._oauth_access,
            "apps.connections.open": self._connections_open,
        }

    def _token_valid(self, method: str, token: str | None) -> bool:
        if method == "apps.connections.open":
            return token == self.app_token
        return any(space.bot_token == token for space in self.workspaces)

    def _workspace_of(self, token: str | None) -> Workspace:
        return next(space for space in self.workspaces if space.bot_token == token)

    async def _auth_test(self, call: ApiCall) -> dict[str, Any]:
        space = self._workspace_of(call.token)
        return {
            "ok": True,
            "url": "https://dream-team.example/",
            "team": space.team_name,
            "team_id": space.team_id,
            "user": "dreambot",
            "user_id": space.bot_user_id,
            "bot_id": space.bot_id,
            "is_enterprise_install": False,
        }

    async def _post_message(self, call: ApiCall) -> dict[str, Any]:
        message = Message(
            channel=call.params["channel"],
            ts=self._new_ts(),
            text=call.params.get("text", ""),
            blocks=_blocks(call.params.get("blocks")),
            thread_ts=call.params.get("thread_ts"),
        )
        self.messages.append(message)
        return {"ok": True, "channel": message.channel, "ts": message.ts}

    async def _update(self, call: ApiCall) -> dict[str, Any]:
        channel, ts = call.params["channel"], call.params["ts"]
        message = next((m for m in self.messages if m.channel == channel and m.ts == ts), None)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        message.text = call.params.get("text", message.text)
        if "blocks" in call.params:
            message.blocks = _blocks(call.params["blocks"])
        message.updates += 1
        return {"ok": True, "channel": channel, "ts": ts}

    async def _post_ephemeral(self, call: ApiCall) -> dict[str, Any]:
        self.ephemerals.append(dict(call.params))
        return {"ok": True, "message_ts": self._new_ts()}

    async def _users_info(self, call: ApiCall) -> dict[str, Any]:
        space = self._workspace_of(call.token)
        user_id = call.params["user"]
        person = {
            "id": user_id,
            "name": user_id.lower(),
            "real_name": f"Person {user_id}",
            "is_admin": user_id in space.admins,
            "is_owner": False,
        }
        return {"ok": True, "user": person}

    async def _get_upload_url(self, call: ApiCall) -> dict[str, Any]:
        file_id = f"F{next(self._ids):05d}"
        self.uploads[file_id] = UploadedFile(file_id, b"", call.params["filename"])
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}

    async def _complete_upload(self, call: ApiCall) -> dict[str, Any]:
        described = json.loads(call.params["files"])
        for item in described:
            upload = self.uploads.get(item["id"])
            if upload is None or not upload.data:
                return {"ok": False, "error": "file_not_found"}
            upload.title = item.get("title")
            upload.channel = call.params.get("channel_id")
            upload.thread_ts = call.params.get("thread_ts")
            upload.initial_comment = call.params.get("initial_comment")
            upload.message_ts = self._new_ts() if upload.channel else None
            upload.completed = True
        files = [{"id": item["id"], "title": item.get("title")} for item in described]
        return {"ok": True, "files": files}

    async def _file_info(self, call: ApiCall) -> dict[str, Any]:
        upload = self.uploads.get(call.params.get("file", ""))
        if upload is None:
            return {"ok": False, "error": "file_not_found"}
        shares: dict[str, Any] = {}
        if upload.channel and upload.message_ts:
            share = {"ts": upload.message_ts, "thread_ts": upload.thread_ts}
            shares = {"public": {upload.channel: [share]}}
        file = {"id": upload.file_id, "name": upload.filename, "shares": shares}
        return {"ok": True, "file": file}

    async def _oauth_access(self, call: ApiCall) -> dict[str, Any]:
        space = self.oauth_codes.pop(call.params.get("code", ""), None)
        if space is None:
            return {"ok": False, "error": "invalid_code"}
        return {
            "ok": True,
            "app_id": "A1",
            "authed_user": {"id": "UINSTALLER"},
            "scope": "commands,chat:write,files:read,files:write,reactions:read",
            "token_type": "bot",
            "access_token": space.bot_token,
            "bot_user_id": space.bot_user_id,
            "team": {"id": space.team_id, "name": space.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    async def _connections_open(self, call: ApiCall) -> dict[str, Any]:
        return {"ok": True, "url": self.base_url.replace("http", "ws", 1) + "/socket-mode"}

    # -- uploads, response URLs and private files -------------------------------------------

    async def _upload(self, request: web.Request) -> web.Response:
        upload = self.uploads.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="no such upload")
        upload.data = await request.read()
        return web.Response(text=f"OK - {len(upload.data)}")

    async def _response(self, request: web.Request) -> web.Response:
        posted = self.responses.setdefault(request.match_info["response_id"], [])
        posted.append(await request.json())
        await self._notify()
        return web.Response(text="ok")

    async def _private_file(self, request: web.Request) -> web.Response:
        token = _bearer(request)
        file_id = request.match_info["file_key"]
        self.file_downloads.append((file_id, token))
        served = self._private_files.get(file_id)
        known_token = any(space.bot_token == token for space in self.workspaces)
        if served is None:
            return web.Response(status=404, text="file not found")
        if not known_token or served.needs_scope:
            return web.Response(body=LOGIN_PAGE, content_type="text/html")
        return web.Response(body=served.data, content_type=served.media_type)

    async def _public_file(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name in self._endless_files:
            response = web.StreamResponse(headers={"Content-Type": "image/png"})
            await response.prepare(request)
            while True:
                await response.write(b"\x89")
                await asyncio.sleep(0.05)
        served = self._public_files.get(name)
        if served is None:
            return web.Response(status=404, text="not found")
        return web.Response(body=served.data, content_type=served.media_type)

    # -- helpers ----------------------------------------------------------------------------

    def _new_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ids):06d}"

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
    elif request.can_read_body:
        params.update(await request.post())
    return params


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ") if header.startswith("Bearer ") else None


def _blocks(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        value = json.loads(value)
    return list(value or [])
