"""Autocomplete of /dream's names, and /dream-settings for admins only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot import messages
from bot.store.views import CommunityRef, Requester
from engine.networks.registry import NETWORKS
from tests.discord.harness import RunningDiscord, png, running_discord

_AUTOCOMPLETE_CASES: list[tuple[str, str, dict[str, str], list[str]]] = [
    ("model", "eff", {}, ["efficientnet_lite0", "efficientnet_lite1", "efficientnet_lite2"]),
    ("model", "", {}, list(NETWORKS)),
    ("layer", "blocks.", {}, [f"blocks.{n}" for n in range(7)]),
    (
        "layer",
        "inception4",
        {"model": "googlenet"},
        ["inception4a", "inception4b", "inception4c", "inception4d", "inception4e"],
    ),
    ("layer", "", {"model": "no-such-network"}, []),
    ("dream_of", "zzzz", {}, []),
]


async def _choices(
    running: RunningDiscord, focused: str, typed: str, filled: dict[str, str]
) -> list[str]:
    fake = running.discord
    interaction = await fake.autocomplete("dream", focused, typed, filled=filled)
    answered = await fake.wait_until(
        lambda: fake.choices(interaction) is not None, what=f"choices for {focused}={typed!r}"
    )
    assert answered
    return [choice["value"] for choice in fake.choices(interaction) or []]


async def test_autocomplete_offers_what_matches_the_typed_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        for focused, typed, filled, expected in _AUTOCOMPLETE_CASES:
            assert await _choices(running, focused, typed, filled) == expected, (focused, typed)

        classes = await _choices(running, "dream_of", "ban", {})
        every_class = await _choices(running, "dream_of", "", {})

    assert "banana" in classes
    assert all("ban" in name.lower() for name in classes)
    starting = [name.lower().startswith("ban") for name in classes]
    assert starting == sorted(starting, reverse=True), "names that start with the text come first"
    assert len(every_class) == 25


async def test_an_admin_changes_the_server_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        fake = running.discord
        changes = {
            "trigger_emoji": "🌀",
            "user_daily": 3,
            "community_daily": 50,
            "allowed_channels": "here",
            "gallery_public": False,
        }
        saved = await _settings(running, changes, admin=True)
        community = await running.service.community_settings(_community(running))
        quota = await running.service.quota(_requester(running))

        assert saved.startswith("Saved: trigger_emoji = 🌀, user_daily = 3")
        assert community.settings["trigger_emoji"] == "🌀"
        assert community.settings["user_daily"] == 3
        assert community.settings["community_daily"] == 50
        assert community.settings["allowed_channels"] == [fake.channel_id]
        assert community.settings["gallery_public"] is False
        assert quota.user_daily.limit == 3

        await _settings(running, {"allowed_channels": "<#42>, <#43>"}, admin=True)
        elsewhere = await _dream(running)
        await _settings(running, {"allowed_channels": "all", "gallery_public": True}, admin=True)
        community = await running.service.community_settings(_community(running))

    assert elsewhere == messages.channel_not_allowed()
    assert community.settings["allowed_channels"] == []
    assert community.settings["gallery_public"] is True


async def test_a_channel_that_is_not_a_channel_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        refused = await _settings(running, {"allowed_channels": "#general"}, admin=True)
        community = await running.service.community_settings(_community(running))

    assert refused == "The channel must be a #channel, here or all, not '#general'."
    assert community.settings.get("allowed_channels") in (None, [])


async def test_a_member_who_is_not_an_admin_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        before = await running.service.community_settings(_community(running))
        refused = await _settings(running, {"trigger_emoji": "🌀", "user_daily": 1})
        after = await running.service.community_settings(_community(running))

    assert refused == messages.admins_only()
    assert after.settings == before.settings


async def _settings(
    running: RunningDiscord, options: dict[str, Any], *, admin: bool = False
) -> str:
    interaction = await running.discord.slash_command("dream-settings", options, admin=admin)
    return await running.wait_for_private_answer(interaction)


async def _dream(running: RunningDiscord) -> str:
    picture = running.discord.add_file("cat.png", png(), "image/png")
    interaction = await running.discord.slash_command("dream", {"image": picture})
    return await running.wait_for_private_answer(interaction)


def _community(running: RunningDiscord) -> CommunityRef:
    return CommunityRef(platform="discord", id=running.discord.guild_id)


def _requester(running: RunningDiscord) -> Requester:
    owner = running.discord.owner
    return Requester(
        platform="discord",
        user_id=owner["id"],
        display_name=owner["username"],
        community=_community(running),
    )
