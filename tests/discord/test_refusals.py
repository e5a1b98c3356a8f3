"""Every refusal of /dream is one private sentence, and nothing is queued or charged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.settings import QuotaLimits
from tests.discord.harness import RunningDiscord, png, running_discord
from tests.fakes.discord_server import FakeDiscord


async def _refusal(running: RunningDiscord, options: dict[str, Any]) -> str:
    interaction = await running.discord.slash_command("dream", options)
    return await running.wait_for_private_answer(interaction)


def _cases(fake: FakeDiscord) -> list[tuple[dict[str, Any], str]]:
    big = fake.add_file("huge.png", png() + b"\0" * 300_000, "image/png")
    text = fake.add_file("notes.txt", b"just some words", "text/plain")
    fake_png = fake.add_file("fake.png", b"not really a picture", "image/png")
    page = fake.cdn_url("page.html", b"<!doctype html><html>sign in</html>", "text/html")
    return [
        ({}, "Attach an image or give an http(s) link to one"),
        ({"image": text}, "That file is not an image (it is text/plain)"),
        ({"image": fake_png}, "That file is not an image"),
        ({"image": big}, "more than the 256 KiB this bot accepts"),
        ({"url": "ftp://example.com/cat.png"}, "Only http and https links can be dreamt"),
        ({"url": "http://127.0.0.1:9/cat.png"}, "private, loopback or link-local"),
        ({"url": "http://169.254.169.254/latest/"}, "private, loopback or link-local"),
        ({"url": "http://localhost/cat.png"}, "private, loopback or link-local"),
        ({"url": page}, "web page, not an image"),
        ({"url": f"{fake.origin}/cdn/missing.png"}, "status 404"),
        ({"image": fake.add_file("a.png", png(), "image/png"), "size": 4000}, "at most 1024"),
    ]


async def test_each_bad_input_gets_one_private_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        for options, expected in _cases(running.discord):
            answer = await _refusal(running, options)

            assert expected in answer, (options, answer)
            assert answer.count(". ") == 0 and answer.endswith("."), answer

        quota = await running.service.quota(_requester(running))
        assert quota.user_daily.used == 0


async def test_the_quota_refusal_names_the_reset_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch, quotas=QuotaLimits(user_daily=1)) as running:
        fake = running.discord
        first = await fake.slash_command(
            "dream", {"image": fake.add_file("a.png", png(), "image/png")}
        )
        await fake.wait_until(
            lambda: "queue" in ((fake.original(first) or {}).get("content") or "")
        )

        answer = await _refusal(running, {"image": fake.add_file("b.png", png(), "image/png")})

        assert answer.startswith(
            "You have used all 1 of today's dreams; the quota resets at 00:00 UTC"
        )


async def test_a_channel_where_dreaming_is_not_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        fake = running.discord
        settings = await fake.slash_command(
            "dream-settings", {"allowed_channels": "<#123456789>"}, admin=True
        )
        assert "Saved: allowed_channels" in await running.wait_for_private_answer(settings)

        answer = await _refusal(running, {"image": fake.add_file("a.png", png(), "image/png")})

        assert (
            answer
            == "Dreaming is not allowed in this channel; ask an admin which channels allow it."
        )


async def test_settings_are_for_admins_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        interaction = await running.discord.slash_command("dream-settings", {"user_daily": 3})

        assert await running.wait_for_private_answer(interaction) == (
            "Only server admins can change the dream settings."
        )


async def test_dream_quota_says_what_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch, quotas=QuotaLimits(user_daily=7)) as running:
        interaction = await running.discord.slash_command("dream-quota")

        answer = await running.wait_for_private_answer(interaction)
        assert answer.startswith("You have 7 of 7 dreams left today; the quota resets at 00:00 UTC")


def _requester(running: RunningDiscord) -> Any:
    from bot.store.views import CommunityRef, Requester

    fake = running.discord
    community = CommunityRef(platform="discord", id=fake.guild_id)
    return Requester(
        platform="discord", user_id=fake.owner["id"], display_name="owner", community=community
    )
