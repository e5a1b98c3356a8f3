"""The try-it page in a real headless Chromium, dreaming with the real engine end to end."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext

from bot.store.jobsource import QueueJobSource
from bot.store.service import DreamService
from bot.store.views import CommunityRef
from engine.worker import Worker
from tests.gallery.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOCAL = CommunityRef(platform="local", id="local")
CAT = Path(__file__).resolve().parents[2] / "engine" / "samples" / "cat.jpg"

_RECORD_TIMELINE = """() => {
  window.timeline = [];
  const note = (what) => window.timeline.push(what);
  new MutationObserver(() => note("status")).observe(
    document.querySelector(".progress .status"),
    {childList: true, characterData: true, subtree: true});
  new MutationObserver(() => note("preview")).observe(
    document.querySelector(".previews"), {childList: true});
  new MutationObserver(() => {
    if (!document.querySelector("section.outcome").hidden) note("done");
  }).observe(document.querySelector("section.outcome"), {attributes: true});
}"""


@pytest.fixture
def engine(service: DreamService) -> Iterator[Worker]:
    """One real engine, dreaming on this machine's CPU in a thread, like a worker process."""
    source = QueueJobSource(service.queue)
    worker = Worker(source, device="cpu", recheck_seconds=0.5, progress_interval=0.05)
    thread = threading.Thread(target=worker.run, name="test-engine", daemon=True)
    thread.start()
    yield worker
    worker.stop()
    thread.join(timeout=60)
    source.close()


async def test_the_try_page_dreams_a_picture_and_shows_progress_first(
    site: str, service: DreamService, engine: Worker, context: BrowserContext
) -> None:
    page = await context.new_page()
    await page.goto(f"{site}/try")
    await page.evaluate(_RECORD_TIMELINE)

    await page.get_by_label("Picture (PNG").set_input_files(str(CAT))
    await page.get_by_label("Network").select_option("efficientnet_lite0")
    await page.get_by_label("Layer").select_option("blocks.3")
    await page.get_by_label("Longest side in pixels").fill("64")
    await page.get_by_label("Octaves").fill("2")
    await page.get_by_label("Steps per octave").fill("2")
    await page.get_by_role("button", name="Dream").click()

    outcome = page.locator("section.outcome img")
    await outcome.wait_for(state="visible", timeout=180_000)
    await page.wait_for_function("document.querySelector('section.outcome img').naturalWidth > 0")
    timeline: list[str] = await page.evaluate("window.timeline")
    assert "preview" in timeline
    assert "done" in timeline
    assert timeline.index("preview") < timeline.index("done")
    assert await page.locator(".previews img").count() >= 1
    alt = await page.locator(".previews img").first.get_attribute("alt")
    assert alt
    assert re.fullmatch(r"The dream after octave \d of \d", alt)
    assert await outcome.get_attribute("alt")
    await screenshot(page, "try-it-done")

    await page.get_by_role("link", name="Open its gallery page").click()
    assert "by operator" in await page.locator("h1").inner_text()
    assert "layer blocks.3" in await page.locator(".recipe").inner_text()
    original = page.locator(".original img")
    assert await original.count() == 1


async def test_the_try_page_refuses_a_file_that_is_not_a_picture(
    site: str, service: DreamService, context: BrowserContext, tmp_path: Path
) -> None:
    text = tmp_path / "notes.png"
    text.write_text("not a picture at all")
    page = await context.new_page()
    await page.goto(f"{site}/try")

    await page.get_by_label("Picture (PNG").set_input_files(str(text))
    await page.get_by_label("Longest side in pixels").fill("64")
    await page.get_by_role("button", name="Dream").click()

    status = page.locator(".progress .status.failed")
    await status.wait_for()
    assert "not" in (await status.inner_text()).lower()
    assert await service.count(LOCAL) == 0
