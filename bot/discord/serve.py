"""What ``dreambot serve`` runs for Discord: the adapter, when a token is configured."""

from __future__ import annotations

import logging

from bot.discord.adapter import DiscordAdapter
from bot.discord.config import DiscordConfig
from bot.fetch import ImageFetcher
from bot.settings import Settings
from bot.store.service import DreamService

_log = logging.getLogger(__name__)


async def run(settings: Settings, service: DreamService) -> None:
    """Run the Discord adapter until cancelled; returns at once when no token is set."""
    config = DiscordConfig.from_settings(settings)
    if not config.enabled:
        _log.debug("Discord is off: no DISCORD_TOKEN or DISCORD_TOKEN_FILE.")
        return

    async with ImageFetcher(allow_from=settings.allow_fetch_from) as fetcher:
        adapter = DiscordAdapter(config, service, fetcher=fetcher)
        await adapter.start()
        try:
            await adapter.run_until_closed()
        finally:
            await adapter.close()
