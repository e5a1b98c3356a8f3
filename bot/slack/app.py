"""The slack-bolt app and the two ways Slack reaches it: HTTP on our port, or Socket Mode.

:func:`build_bolt_app` chooses how requests are authorised: one workspace's bot token, or the
OAuth install flow for many workspaces with the installs kept in the database.
:class:`SlackTransport` then serves the app: an aiohttp server answering signed requests at
``/slack/events`` (Bolt refuses a bad signature and a timestamp more than five minutes old),
and, with an app-level token, a Socket Mode connection instead of (or, for the OAuth pages,
beside) it.
"""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from sqlalchemy import Engine

from bot.slack.client import web_client
from bot.slack.config import BOT_SCOPES, EVENTS_PATH, SlackConfig, Transport
from bot.slack.installs import DatabaseInstallationStore, DatabaseOAuthStateStore

_log = logging.getLogger(__name__)


def build_bolt_app(config: SlackConfig, *, engine: Engine | None = None) -> AsyncApp:
    """A Bolt app for ``config``; multi-workspace installs need the database ``engine``."""
    config.check()
    client = web_client(config, token=None if config.multi_workspace else config.bot_token)
    signing_secret = config.signing_secret or ""
    if not config.multi_workspace:
        return AsyncApp(
            name="dreambot",
            client=client,
            signing_secret=signing_secret,
            request_verification_enabled=config.transport is Transport.HTTP,
            logger=logging.getLogger("bot.slack.bolt"),
        )

    if engine is None:
        raise ValueError("Multi-workspace installs keep their tokens in the database; pass engine.")
    oauth = AsyncOAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=DatabaseInstallationStore(engine, client_id=config.client_id or ""),
        state_store=DatabaseOAuthStateStore(engine),
    )
    return AsyncApp(
        name="dreambot",
        client=client,
        signing_secret=signing_secret,
        oauth_settings=oauth,
        request_verification_enabled=config.transport is Transport.HTTP,
        logger=logging.getLogger("bot.slack.bolt"),
    )


class SlackTransport:
    """Serves one Bolt app over HTTP, Socket Mode, or both; ``start`` then ``close``."""

    def __init__(self, app: AsyncApp, config: SlackConfig) -> None:
        self.app = app
        self.config = config
        self.port: int | None = None
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None

    @property
    def serves_http(self) -> bool:
        """HTTP mode, or Socket Mode with OAuth pages to serve."""
        return self.config.transport is Transport.HTTP or self.config.multi_workspace

    async def start(self) -> None:
        if self.serves_http:
            await self._start_http()
        if self.config.transport is Transport.SOCKET:
            self._socket = AsyncSocketModeHandler(self.app, app_token=self.config.app_token)
            await self._socket.connect_async()
            _log.info("Slack adapter connected over Socket Mode.")

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _start_http(self) -> None:
        application = self.app.web_app(path=EVENTS_PATH, port=self.config.port)
        self._runner = web.AppRunner(application, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        _log.info("Slack adapter listening on port %d at %s.", self.port, EVENTS_PATH)
