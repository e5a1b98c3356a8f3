"""The gallery over plain HTTP: addresses, headers, the JSON API, likes and refusals."""

from __future__ import annotations

import aiohttp
import pytest

from bot.gallery import links
from bot.settings import Settings
from bot.store.service import DreamService
from bot.store.views import CommunityRef, Requester
from tests.gallery.dreams import ADA, BOB, LAB, PAGE_SIZE, SECRET, finished_dream


async def _public_lab(service: DreamService) -> str:
    await service.update_community_settings(LAB, {"gallery_public": True})
    return links.public_key("discord", LAB.id)


async def test_pages_carry_the_security_headers(site: str, service: DreamService) -> None:
    key = await _public_lab(service)
    await finished_dream(service, ADA, shade=1)

    async with aiohttp.ClientSession() as http:
        for path in ("/", f"/g/{key}", f"/api/g/{key}", "/g/nobody-0", "/try"):
            async with http.get(site + path) as response:
                policy = response.headers["Content-Security-Policy"]
                assert "script-src 'self'" in policy
                assert "default-src 'none'" in policy
                assert response.headers["X-Content-Type-Options"] == "nosniff"
                assert response.headers["Referrer-Policy"] == "no-referrer"
                assert "Cache-Control" in response.headers


async def test_media_is_served_by_hash_with_its_own_type(site: str, service: DreamService) -> None:
    dream = await finished_dream(service, ADA, shade=2)

    async with aiohttp.ClientSession() as http:
        async with http.get(f"{site}/media/{dream.result_sha256}") as response:
            assert response.status == 200
            assert response.content_type == "image/png"
            assert "max-age" in response.headers["Cache-Control"]
        async with http.get(f"{site}/media/{dream.thumbnail_sha256}") as response:
            assert response.content_type == "image/webp"
        for probe in ("../../etc/passwd", "%2e%2e%2fsettings.py", "ABCDEF" * 10 + "abcd", "0" * 63):
            async with http.get(f"{site}/media/{probe}") as response:
                assert response.status == 404, probe
        async with http.get(f"{site}/media/{'0' * 64}") as response:
            assert response.status == 404


async def test_a_private_gallery_opens_only_through_its_current_link(
    site: str, service: DreamService
) -> None:
    await finished_dream(service, ADA, shade=3)
    community = await service.community_settings(LAB)
    readable = links.public_key("discord", LAB.id)

    async with aiohttp.ClientSession() as http:
        for path in (f"/g/{readable}", f"/api/g/{readable}", f"/g/{readable}/people/501"):
            async with http.get(site + path) as response:
                assert response.status == 404, path
                assert "private gallery" in await response.text()
        async with http.get(f"{site}/g/{community.gallery_token}") as response:
            assert response.status == 200
            assert response.headers["Cache-Control"].startswith("private")

        rotated = await service.rotate_gallery_token(LAB)
        async with http.get(f"{site}/g/{community.gallery_token}") as response:
            assert response.status == 404
        async with http.get(f"{site}/g/{rotated.gallery_token}") as response:
            assert response.status == 200


async def test_a_dream_is_reachable_only_in_its_own_gallery(
    site: str, service: DreamService
) -> None:
    key = await _public_lab(service)
    other = CommunityRef(platform="slack", id="T9", name="Elsewhere")
    stranger = Requester(platform="slack", user_id="U1", display_name="Cy", community=other)
    hidden = await finished_dream(service, stranger, shade=4)

    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{site}/g/{key}/dreams/{hidden.id}") as response,
    ):
        assert response.status == 404


async def test_the_json_api_mirrors_the_pages(site: str, service: DreamService) -> None:
    key = await _public_lab(service)
    made = [await finished_dream(service, ADA if n % 2 else BOB, shade=10 + n) for n in range(6)]

    async with aiohttp.ClientSession() as http:
        async with http.get(f"{site}/api/g/{key}") as response:
            first = await response.json()
        async with http.get(site + first["next"]) as response:
            second = await response.json()
        async with http.get(f"{site}/g/{key}") as response:
            page = await response.text()
        async with http.get(f"{site}/api/g/{key}/dreams/{made[0].id}") as response:
            one = (await response.json())["dream"]

    assert first["total"] == 6
    assert [d["id"] for d in first["dreams"]] == [d.id for d in reversed(made)][:PAGE_SIZE]
    assert [d["id"] for d in second["dreams"]] == [d.id for d in reversed(made)][PAGE_SIZE:]
    assert second["next"] is None
    for dream in first["dreams"]:
        assert dream["thumbnail_url"] in page
        assert dream["url"] in page
    assert one["command"].startswith("/dream ")
    assert "of=banana" in one["command"]
    assert one["options"]["size"] == 64
    assert one["options_in_words"]["Seed"] == str(made[0].options.seed)


async def test_bad_order_or_page_is_one_sentence(site: str, service: DreamService) -> None:
    key = await _public_lab(service)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{site}/api/g/{key}?order=oldest") as response:
            assert response.status == 400
            assert (await response.json())["error"] == (
                "The order must be newest or likes, not 'oldest'."
            )
        async with http.get(f"{site}/g/{key}?page=zero") as response:
            assert response.status == 400
            assert "The page must be a whole number" in await response.text()


async def test_likes_are_json_only_and_rate_limited(site: str, service: DreamService) -> None:
    key = await _public_lab(service)
    dream = await finished_dream(service, ADA, shade=20)
    like = f"{site}/api/g/{key}/dreams/{dream.id}/like"

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(like, data="x=1") as response:
            assert response.status == 415
        async with http.post(like, json={}, headers={"Origin": "https://evil.example"}) as response:
            assert response.status == 403
        counts = []
        for _ in range(3):
            async with http.post(like, json={}) as response:
                counts.append((await response.json())["likes"])
        async with http.post(like, json={}) as response:
            assert response.status == 429
            assert int(response.headers["Retry-After"]) >= 1

    assert counts == [1, 1, 1], "one browser (one cookie) likes a dream once"


async def test_large_bodies_are_refused_outside_the_upload(
    site: str, service: DreamService
) -> None:
    key = await _public_lab(service)
    dream = await finished_dream(service, ADA, shade=21)
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{site}/api/g/{key}/dreams/{dream.id}/like",
            data=b"{" + b" " * 40_000 + b"}",
            headers={"Content-Type": "application/json"},
        ) as response,
    ):
        assert response.status == 413


async def test_no_page_shows_a_secret(site: str, service: DreamService, settings: Settings) -> None:
    await finished_dream(service, ADA, shade=22)
    community = await service.community_settings(LAB)
    dream = await finished_dream(service, BOB, shade=23)
    removal = links.removal_token(settings, dream.id, BOB)

    async with aiohttp.ClientSession() as http:
        texts = []
        for path in (
            f"/g/{community.gallery_token}",
            f"/g/{community.gallery_token}/dreams/{dream.id}",
            f"/api/g/{community.gallery_token}/dreams/{dream.id}",
            f"/remove/{removal}",
            "/try",
            "/",
        ):
            async with http.get(site + path) as response:
                assert response.status == 200, path
                texts.append(await response.text())

    for text in texts:
        assert SECRET not in text
    assert all(community.gallery_token not in text for text in texts[-1:])


@pytest.mark.parametrize("header", ["X-Forwarded-For", "Forwarded"])
async def test_the_try_page_refuses_requests_through_a_proxy(site: str, header: str) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{site}/try", headers={header: "for=203.0.113.9"}) as response:
            assert response.status == 403
            assert "only on the machine" in await response.text()
        async with http.post(
            f"{site}/try/dreams", data={"source": "noise"}, headers={header: "203.0.113.9"}
        ) as response:
            assert response.status == 403
