"""Fixtures of the gallery tests: a real SQLite store, the site on a free port, Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext

from bot.gallery.serve import start
from bot.gallery.site import GalleryConfig
from bot.settings import Settings
from bot.store import migrate
from bot.store.service import DreamService
from tests.gallery.browser import chromium, chromium_missing_reason
from tests.gallery.dreams import PAGE_SIZE, SECRET


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'dreambot.sqlite3'}",
        media_dir=tmp_path / "media",
        web_secret=SECRET,
        recheck_seconds=0.5,
        lease_seconds=30.0,
    )


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[DreamService]:
    migrate.upgrade(settings.database_url)
    opened = DreamService.open(settings)
    yield opened
    await opened.close()


@pytest.fixture
def config() -> GalleryConfig:
    return GalleryConfig(secret=SECRET.encode(), page_size=PAGE_SIZE, likes_burst=3)


@pytest.fixture
async def site(
    settings: Settings, service: DreamService, config: GalleryConfig
) -> AsyncIterator[str]:
    """The address of the running site, such as ``http://127.0.0.1:40123``."""
    runner, address = await start(settings, service, config=config, port=0)
    yield address
    await runner.cleanup()


@pytest.fixture
def needs_chromium() -> None:
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)


@pytest.fixture
async def browser(needs_chromium: None) -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    opened = await browser.new_context(viewport={"width": 1100, "height": 900})
    yield opened
    await opened.close()


@pytest.fixture
async def browser_pair(browser: Browser) -> AsyncIterator[tuple[BrowserContext, BrowserContext]]:
    """Two separate browsers, as two people would have: no cookie is shared."""
    first = await browser.new_context()
    second = await browser.new_context()
    yield first, second
    await first.close()
    await second.close()
