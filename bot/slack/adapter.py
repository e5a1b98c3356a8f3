"""The whole Slack adapter: the Bolt app, its listeners, its transport, and late deliveries.

:class:`SlackAdapter` is what ``dreambot serve`` runs. It builds the Bolt app for the
configured workspaces, registers the listeners, serves them over HTTP or Socket Mode, and
answers jobs that finished while no listener was following them (after a restart).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from slack_bolt.async_app import AsyncApp

from bot.fetch import ImageFetcher
from bot.slack.app import SlackTransport, build_bolt_app
from bot.slack.client import web_client
from bot.slack.config import SlackConfig
from bot.slack.dreams import SlackDreams, Thread
from bot.slack.handlers import Listeners
from bot.slack.installs import DatabaseInstallationStore
from bot.slack.memory import SlackMemory
from bot.store.service import DreamService
from bot.store.views import JobView

_log = logging.getLogger(__name__)


class SlackAdapter:
    """dreambot in Slack; ``await start()``, and ``await close()`` when done."""

    def __init__(
        self,
        config: SlackConfig,
        service: DreamService,
        *,
        fetcher: ImageFetcher,
        progress_interval: float = 3.0,
        delivery_interval: float = 10.0,
    ) -> None:
        self.config = config
        self.service = service
        self.fetcher = fetcher
        self.delivery_interval = delivery_interval
        self.app: AsyncApp = build_bolt_app(config, engine=service.queue.database.engine)
        self.memory = SlackMemory(service.queue.database)
        self.dreams = SlackDreams(
            service,
            fetcher,
            config,
            bot_token=self.bot_token,
            memory=self.memory,
            progress_interval=progress_interval,
        )
        Listeners(self.dreams, self.memory).register(self.app)
        self.transport = SlackTransport(self.app, config)
        self._deliveries: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.transport.start()
        self._deliveries = asyncio.create_task(self._deliver_late_jobs())

    async def close(self) -> None:
        if self._deliveries is not None:
            self._deliveries.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._deliveries
        await self.dreams.close()
        await self.transport.close()

    async def bot_token(self, team_id: str) -> str | None:
        """The bot token of workspace ``team_id``: the one token, or its OAuth install's."""
        if not self.config.multi_workspace:
            return self.config.bot_token
        store = self.app.installation_store
        if not isinstance(store, DatabaseInstallationStore):
            return None
        bot = await store.async_find_bot(enterprise_id=None, team_id=team_id)
        return bot.bot_token if bot is not None else None

    async def deliver(self, job: JobView) -> None:
        """Answer a finished job nobody followed (it finished while the adapter was down)."""
        team_id = Thread.from_reply_to(job.reply_to).team_id
        token = await self.bot_token(team_id)
        if token is None:
            _log.warning("No bot token for Slack workspace %s; dream %d waits.", team_id, job.id)
            return
        client = web_client(self.config, token=token)
        await self.dreams.deliver_late(client, job)

    async def _deliver_late_jobs(self) -> None:
        while True:
            try:
                async for job in self.service.deliveries.stream("slack"):
                    if job.id not in self.dreams.following:
                        await self.deliver(job)
            except Exception:
                _log.exception("Delivering finished Slack dreams failed; trying again later.")
            await asyncio.sleep(self.delivery_interval)
