"""The gallery in a real headless Chromium: pictures, order, pages, likes, removal, keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Page

from bot.gallery import links
from bot.settings import Settings
from bot.store.service import DreamService
from bot.store.views import JobView
from tests.gallery.browser import screenshot
from tests.gallery.dreams import ADA, BOB, LAB, LAB_ADMIN, PAGE_SIZE, finished_dream, picture

pytestmark = pytest.mark.browser


async def _public_lab(service: DreamService) -> str:
    await service.update_community_settings(LAB, {"gallery_public": True})
    return links.public_key("discord", LAB.id)


async def _tile_sources(page: Page) -> list[str]:
    return await page.locator(".grid img").evaluate_all(
        "images => images.map(i => i.getAttribute('src'))"
    )


async def _all_images_loaded(page: Page) -> bool:
    script = "images => images.every(i => i.complete && i.naturalWidth > 0)"
    await page.locator("img").last.scroll_into_view_if_needed()
    return bool(await page.locator("img").evaluate_all(script))


async def test_a_gallery_shows_its_dreams_with_alt_text_and_a_link_card(
    site: str, service: DreamService, context: BrowserContext
) -> None:
    key = await _public_lab(service)
    made = [await finished_dream(service, ADA, shade=30 + n) for n in range(3)]
    page = await context.new_page()

    response = await page.goto(f"{site}/g/{key}")

    assert response is not None
    assert response.status == 200
    assert await page.locator("h1").inner_text() == "Dreams of Dream Lab"
    expected = [f"/media/{dream.thumbnail_sha256}" for dream in reversed(made)]
    assert await _tile_sources(page) == expected
    for image in await page.locator(".grid img").all():
        assert "banana" in (await image.get_attribute("alt") or "")
        assert await image.get_attribute("loading") == "lazy"
    assert await _all_images_loaded(page)
    og_image = await page.locator('meta[property="og:image"]').get_attribute("content")
    assert og_image == f"{site}/media/{made[-1].thumbnail_sha256}"
    assert await page.locator('meta[name="twitter:card"]').get_attribute("content") == (
        "summary_large_image"
    )
    await screenshot(page, "gallery-newest")


async def test_a_dream_page_tells_how_to_remake_it(
    site: str, service: DreamService, context: BrowserContext
) -> None:
    key = await _public_lab(service)
    dream = await finished_dream(
        service, ADA, shade=40, input_bytes=picture(41), reply_to={"share_original": True}
    )
    page = await context.new_page()

    await page.goto(f"{site}/g/{key}/dreams/{dream.id}")

    assert await page.locator(".result img").get_attribute("src") == f"/media/{dream.result_sha256}"
    assert (
        await page.locator(".original img").get_attribute("src") == f"/media/{dream.input_sha256}"
    )
    command = await page.locator("pre.command").inner_text()
    assert command.startswith("/dream ")
    assert f"seed={dream.options.seed}" in command
    assert "Ada" in await page.locator("figcaption").first.inner_text()
    assert await _all_images_loaded(page)
    og_image = await page.locator('meta[property="og:image"]').get_attribute("content")
    assert og_image == f"{site}/media/{dream.result_sha256}"
    await screenshot(page, "dream-page")


async def test_an_original_is_shown_only_when_its_author_allows(
    site: str, service: DreamService, context: BrowserContext
) -> None:
    key = await _public_lab(service)
    dream = await finished_dream(service, ADA, shade=42, input_bytes=picture(43))
    page = await context.new_page()

    await page.goto(f"{site}/g/{key}/dreams/{dream.id}")

    assert await page.locator(".original").count() == 0
    assert str(dream.input_sha256) not in await page.content()


async def test_pages_and_orders(site: str, service: DreamService, context: BrowserContext) -> None:
    key = await _public_lab(service)
    made = [await finished_dream(service, ADA if n % 2 else BOB, shade=50 + n) for n in range(6)]
    favourite, runner_up = made[1], made[3]
    for voter in ("discord:1", "discord:2", "discord:3"):
        await service.like(favourite.id, voter)
    await service.like(runner_up.id, "discord:1")
    page = await context.new_page()

    await page.goto(f"{site}/g/{key}")
    newest = list(reversed(made))
    assert await _tile_sources(page) == _thumbs(newest[:PAGE_SIZE])
    await page.get_by_role("link", name="Next page").click()
    assert await _tile_sources(page) == _thumbs(newest[PAGE_SIZE:])
    assert await page.get_by_role("link", name="Next page").count() == 0
    await page.get_by_role("link", name="Previous page").click()
    assert await _tile_sources(page) == _thumbs(newest[:PAGE_SIZE])

    await page.get_by_role("link", name="Most liked").click()
    assert await page.get_by_role("link", name="Most liked").get_attribute("aria-current") == "page"
    shown = await _tile_sources(page)
    assert shown[:2] == _thumbs([favourite, runner_up])
    assert "♥ 3" in await page.locator(".tile").first.inner_text()
    await screenshot(page, "gallery-most-liked")

    await page.locator(".tile .meta a", has_text="Bob").first.click()
    assert await page.locator("h1").inner_text() == "Dreams by Bob"
    bobs = [dream for dream in reversed(made) if dream.requester.user_id == BOB.user_id]
    assert await _tile_sources(page) == _thumbs(bobs)


def _thumbs(dreams: list[JobView]) -> list[str]:
    return [f"/media/{dream.thumbnail_sha256}" for dream in dreams]


async def test_the_like_button_counts_one_like_per_browser(
    site: str, service: DreamService, browser_pair: tuple[BrowserContext, BrowserContext]
) -> None:
    key = await _public_lab(service)
    dream = await finished_dream(service, ADA, shade=60)
    first, second = browser_pair
    url = f"{site}/g/{key}/dreams/{dream.id}"

    page = await first.new_page()
    await page.goto(url)
    await page.get_by_role("button", name="Like").focus()
    await page.keyboard.press("Enter")
    await page.locator(".like-label", has_text="Liked").wait_for()
    assert await page.locator(".like-count .count").inner_text() == "1"
    await page.reload()
    await page.get_by_role("button", name="Like").click()
    await page.locator(".like-label", has_text="Liked").wait_for()
    assert await page.locator(".like-count .count").inner_text() == "1"

    other = await second.new_page()
    await other.goto(url)
    await other.get_by_role("button", name="Like").click()
    await other.locator(".like-label", has_text="Liked").wait_for()
    assert await other.locator(".like-count .count").inner_text() == "2"
    assert (await service.get(dream.id)).likes == 2
    await screenshot(other, "dream-liked")


async def test_removal_through_a_signed_link(
    site: str, service: DreamService, settings: Settings, context: BrowserContext
) -> None:
    key = await _public_lab(service)
    dream = await finished_dream(service, ADA, shade=70)
    kept = await finished_dream(service, BOB, shade=71)
    page = await context.new_page()
    removal_url = links.removal_link(settings, dream.id, LAB_ADMIN).replace(
        links.base_url(settings), site
    )

    await page.goto(removal_url)
    assert (await service.get(dream.id)).removed_at is None, "opening the link removes nothing"
    await screenshot(page, "remove-confirm")
    await page.get_by_role("button", name="Remove the dream").click()
    assert await page.locator("h1").inner_text() == "Removed"

    response = await page.goto(f"{site}/g/{key}/dreams/{dream.id}")
    assert response is not None
    assert response.status == 410
    assert "removed" in await page.locator("p.message").inner_text()
    media = await page.request.get(f"{site}/media/{dream.result_sha256}")
    assert media.status == 404
    assert not list(Path(settings.media_dir).rglob(str(dream.result_sha256)))
    await page.goto(f"{site}/g/{key}")
    assert await _tile_sources(page) == _thumbs([kept])


async def test_a_removal_link_of_someone_else_is_refused(
    site: str, service: DreamService, settings: Settings, context: BrowserContext
) -> None:
    dream = await finished_dream(service, ADA, shade=72)
    page = await context.new_page()
    token = links.removal_token(settings, dream.id, BOB)

    await page.goto(f"{site}/remove/{token}")
    await page.get_by_role("button", name="Remove the dream").click()

    assert "Only the person who asked" in await page.locator("p.message").inner_text()
    assert (await service.get(dream.id)).removed_at is None
    forged = await page.goto(f"{site}/remove/{token[:-4]}AAAA")
    assert forged is not None
    assert forged.status == 403


async def test_a_private_gallery_is_refused_without_its_link(
    site: str, service: DreamService, context: BrowserContext
) -> None:
    dream = await finished_dream(service, ADA, shade=80)
    community = await service.community_settings(LAB)
    page = await context.new_page()

    response = await page.goto(f"{site}/g/{links.public_key('discord', LAB.id)}")
    assert response is not None
    assert response.status == 404
    assert await page.locator(".grid img").count() == 0
    await screenshot(page, "private-refused")

    response = await page.goto(f"{site}/g/{community.gallery_token}")
    assert response is not None
    assert response.status == 200
    assert await _tile_sources(page) == _thumbs([dream])
    robots = await page.locator('meta[name="robots"]').get_attribute("content")
    assert robots == "noindex, nofollow"


async def test_the_gallery_works_from_the_keyboard(
    site: str, service: DreamService, context: BrowserContext
) -> None:
    key = await _public_lab(service)
    dream = await finished_dream(service, ADA, shade=90)
    page = await context.new_page()
    await page.goto(f"{site}/g/{key}")

    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Skip to content"
    await page.keyboard.press("Enter")
    focused_tile = False
    for _ in range(8):
        await page.keyboard.press("Tab")
        href = await page.evaluate("document.activeElement.getAttribute('href')")
        if href == links.dream_path(key, dream.id):
            focused_tile = True
            break
    assert focused_tile, "a dream's tile is reachable with Tab"
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**{links.dream_path(key, dream.id)}")
    assert await page.locator("h1").inner_text() == "Noise dream of “banana” by Ada"
