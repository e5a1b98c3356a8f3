"""The other two ways in: the "Dream this image" context menu and the reaction trigger."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from tests.discord.harness import RunningDiscord, png, running_discord


def _bot_reply_with_file(running: RunningDiscord, to_message: str) -> dict[str, Any] | None:
    fake = running.discord
    for message in fake.messages.values():
        reference = message.get("message_reference") or {}
        mine = message["author"]["id"] == fake.bot_user["id"]
        replied = to_message in (str(reference.get("message_id")), message["id"])
        if mine and replied and message["attachments"] and "Dreamt in" in message["content"]:
            return message
    return None


async def test_dream_this_image_dreams_the_first_attachment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        fake = running.discord
        photo = fake.add_message(
            author=fake.user("photographer"),
            content="look",
            attachments=[fake.add_file("cat.png", png(), "image/png")],
        )
        interaction = await fake.context_menu("Dream this image", photo)
        await fake.wait_until(
            lambda: "queue" in ((fake.original(interaction) or {}).get("content") or ""),
            what="the queued message",
        )

        await running.dream_next_job()
        final = await fake.wait_until(
            lambda: (fake.original(interaction) or {}).get("attachments"), what="the dream"
        )
        assert final[0]["filename"].endswith(".png")


async def test_dream_this_image_reads_an_embedded_image(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        fake = running.discord
        url = fake.cdn_url("linked.png", png(), "image/png")
        photo = fake.add_message(
            author=fake.user("linker"),
            content=url,
            embeds=[{"type": "image", "image": {"url": url}}],
        )
        interaction = await fake.context_menu("Dream this image", photo)
        await fake.wait_until(
            lambda: "queue" in ((fake.original(interaction) or {}).get("content") or ""),
            what="the queued message",
        )


async def test_dream_this_image_on_a_message_without_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        fake = running.discord
        words = fake.add_message(author=fake.user("talker"), content="no pictures here")
        interaction = await fake.context_menu("Dream this image", words)

        answer = await running.wait_for_private_answer(interaction)
        assert answer.startswith("That message holds no image to dream")


async def test_the_reaction_trigger_replies_to_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch, message_content=True) as running:
        fake = running.discord
        settings = await fake.slash_command("dream-settings", {"trigger_emoji": "🌀"}, admin=True)
        await running.wait_for_private_answer(settings)
        photo = fake.add_message(
            author=fake.user("photographer"),
            attachments=[fake.add_file("cat.png", png(), "image/png")],
        )

        await fake.react(photo, "👍")
        await fake.react(photo, "🌀")
        await fake.wait_until(
            lambda: any(
                str((m.get("message_reference") or {}).get("message_id")) == photo["id"]
                for m in fake.messages.values()
            ),
            what="the queued reply",
        )
        await running.dream_next_job()

        reply = await fake.wait_until(
            lambda: _bot_reply_with_file(running, photo["id"]), what="the dream"
        )
        assert reply["content"].startswith(f"<@{fake.owner['id']}> Dreamt in")
        assert not any("Dreaming" in m["content"] for m in fake.messages.values())
        assert len(await running.service.recent(_community(running))) == 1


async def test_without_the_intent_the_trigger_is_off_and_commands_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.discord.adapter")
    async with running_discord(
        tmp_path, monkeypatch, message_content=True, allow_message_content=False
    ) as running:
        fake = running.discord

        assert fake.closed_with == [4014]
        assert running.adapter.reaction_trigger is False
        assert "reaction trigger is off" in caplog.text
        interaction = await fake.slash_command("dream-quota")
        assert "dreams left today" in await running.wait_for_private_answer(interaction)


def _community(running: RunningDiscord) -> Any:
    from bot.store.views import CommunityRef

    return CommunityRef(platform="discord", id=running.discord.guild_id)
