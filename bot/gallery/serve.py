"""Serving the web site: ``dreambot serve`` calls :func:`run`; tests call :func:`start`.

The site listens on ``DREAMBOT_WEB_HOST``:``DREAMBOT_WEB_PORT``, 127.0.0.1:8080 by default, so
a fresh machine shows its gallery and try-it page locally and to nobody else.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.gallery import links
from bot.gallery.app import create_app
from bot.gallery.site import GalleryConfig
from bot.settings import Settings
from bot.store.service import DreamService

_log = logging.getLogger(__name__)


def config_from(settings: Settings) -> GalleryConfig:
    """The web site's configuration from dreambot's settings."""
    return GalleryConfig(secret=links.signing_secret(settings), public_url=settings.public_url)


async def start(
    settings: Settings,
    service: DreamService,
    *,
    config: GalleryConfig | None = None,
    port: int | None = None,
) -> tuple[web.AppRunner, str]:
    """Start serving; returns the runner (to clean up) and the address it listens at.

    ``port`` overrides the configured one; 0 takes any free port.
    """
    app = create_app(service, config or config_from(settings))
    runner = web.AppRunner(app, access_log_format='%a "%r" %s %b', shutdown_timeout=5)
    await runner.setup()
    site = web.TCPSite(runner, settings.web_host, settings.web_port if port is None else port)
    await site.start()

    host, bound_port = runner.addresses[0][:2]
    address = f"http://{host}:{bound_port}" if ":" not in host else f"http://[{host}]:{bound_port}"
    _log.info("The gallery is at %s/ and the try-it page at %s/try.", address, address)
    return runner, address


async def run(settings: Settings, service: DreamService) -> None:
    """Serve the gallery and the try-it page until cancelled."""
    runner, _ = await start(settings, service)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
