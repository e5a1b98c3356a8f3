"""Debian's headless Chromium driven by Playwright, and the artifacts the browser tests keep.

The browser is the system's ``/usr/bin/chromium``; no browser is ever downloaded. Tests that need
it are skipped, with the reason, on a machine without it.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright

CHROMIUM = Path(os.environ.get("DREAMBOT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or ``None`` when they can."""
    if not CHROMIUM.exists():
        return f"Debian's Chromium is not installed at {CHROMIUM}."
    return None


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            await browser.close()


async def screenshot(page: Page, name: str) -> Path:
    """Save the whole page under ``test-artifacts/gallery/`` and return the file."""
    folder = ARTIFACTS / "gallery"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + ".png")
    await page.screenshot(path=str(target), full_page=True)
    return target
