"""``dreambot serve`` starts the Slack adapter through :func:`run` when Slack is configured."""

from __future__ import annotations

import asyncio
import logging

from bot.fetch import ImageFetcher
from bot.settings import Settings
from bot.slack.adapter import SlackAdapter
from bot.slack.config import SlackConfig
from bot.store.service import DreamService

_log = logging.getLogger(__name__)


async def run(settings: Settings, service: DreamService) -> None:
    """Run the Slack adapter until cancelled; return at once when no ``SLACK_*`` is set."""
    config = SlackConfig.from_settings(settings)
    if not config.enabled:
        _log.debug("Slack is off: no SLACK_* variable is set.")
        return

    async with ImageFetcher(allow_from=settings.allow_fetch_from) as fetcher:
        adapter = SlackAdapter(config, service, fetcher=fetcher)
        await adapter.start()
        try:
            await asyncio.Event().wait()
        finally:
            await adapter.close()
