"""Reactions on a posted dream are likes in the gallery, and the author chooses whether the
gallery shows the original picture."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.gallery.cards import SHARE_ORIGINAL, card
from bot.gallery.places import Place
from bot.store.views import CommunityRef, Requester
from tests.discord.harness import RunningDiscord, custom_ids, running_discord


async def _posted_dream(running: RunningDiscord, **options: object) -> tuple[dict[str, Any], int]:
    """A dream asked for with /dream, dreamt, and posted: its message and its job id."""
    posted = await running.posted_dream(**options)
    job_id = int(custom_ids(posted)[0].rsplit(":", 1)[1])
    await _recorded(running, posted, job_id)
    return posted, job_id


async def _recorded(running: RunningDiscord, posted: dict[str, Any], job_id: int) -> None:
    """Wait until the adapter has recorded ``posted`` as showing dream ``job_id``: it does so
    just after Discord accepted the message, so a reaction sent sooner would race it."""
    async with asyncio.timeout(20):
        while await running.adapter.results.job_of(int(posted["id"])) != job_id:
            await asyncio.sleep(0.05)


async def _gallery_likes(running: RunningDiscord, job_id: int) -> int:
    """The like count the gallery shows for dream ``job_id``."""
    listed = {job.id: job.likes for job in await running.service.recent(_community(running))}
    return listed[job_id]


async def _handled_reactions(
    running: RunningDiscord, caplog: pytest.LogCaptureFixture, count: int
) -> None:
    """Wait until the adapter has counted ``count`` reactions as likes."""
    await running.discord.wait_until(
        lambda: sum("liked by" in r.getMessage() for r in caplog.records) >= count,
        what=f"{count} reaction(s) counted",
    )


@pytest.fixture
def likes_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="bot.discord.adapter")
    return caplog


async def test_a_reaction_on_a_dream_is_one_like_per_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, likes_log: pytest.LogCaptureFixture
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        fake = running.discord
        posted, job_id = await _posted_dream(running)
        fan = fake.user("fan")
        assert await _gallery_likes(running, job_id) == 0

        await fake.react(posted, "❤️", user=fan)
        await _handled_reactions(running, likes_log, 1)
        assert await _gallery_likes(running, job_id) == 1

        await fake.react(posted, "🔥", user=fan)
        await _handled_reactions(running, likes_log, 2)
        assert await _gallery_likes(running, job_id) == 1

        await fake.react(posted, "🔥")
        await _handled_reactions(running, likes_log, 3)
        assert await _gallery_likes(running, job_id) == 2


async def test_the_trigger_emoji_on_a_dream_is_a_like_not_a_new_dream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, likes_log: pytest.LogCaptureFixture
) -> None:
    async with running_discord(tmp_path, monkeypatch, message_content=True) as running:
        fake = running.discord
        settings = await fake.slash_command("dream-settings", {"trigger_emoji": "🌀"}, admin=True)
        await running.wait_for_private_answer(settings)
        posted, job_id = await _posted_dream(running)
        fan = fake.user("fan")

        await fake.react(posted, "🌀", user=fan)
        await _handled_reactions(running, likes_log, 1)

        assert await _gallery_likes(running, job_id) == 1
        fans_quota = await running.service.quota(_requester(running, fan))
        assert fans_quota.user_daily.used == 0
        replies = [m for m in fake.messages.values() if m.get("message_reference")]
        assert replies == []


async def test_a_dream_posted_in_the_channel_is_liked_after_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, likes_log: pytest.LogCaptureFixture
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        fake = running.discord
        interaction = await running.dream_with_attachment()
        fake.expire_token(interaction)
        await running.dream_next_job()
        posted = await fake.wait_until(
            lambda: next((m for m in fake.messages.values() if m["attachments"]), None),
            what="the dream posted in the channel",
        )
        job_id = int(custom_ids(posted)[0].rsplit(":", 1)[1])
        await _recorded(running, posted, job_id)

        await running.restart()
        await fake.react(posted, "👍", user=fake.user("fan"))
        await _handled_reactions(running, likes_log, 1)

        assert await _gallery_likes(running, job_id) == 1


async def test_the_author_chooses_to_share_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        _, shared_id = await _posted_dream(running, share_original=True)
        _, kept_id = await _posted_dream(running)
        shared = await running.service.get(shared_id)
        kept = await running.service.get(kept_id)
        community = await running.service.community_settings(_community(running))

    assert shared.reply_to[SHARE_ORIGINAL] is True
    assert SHARE_ORIGINAL not in kept.reply_to
    place = Place(community=community, key=community.id)
    assert card(place, shared).original_url == f"/media/{shared.input_sha256}"
    assert card(place, kept).original_url is None


def _community(running: RunningDiscord) -> CommunityRef:
    return CommunityRef(platform="discord", id=running.discord.guild_id)


def _requester(running: RunningDiscord, user: dict[str, Any]) -> Requester:
    return Requester(
        platform="discord",
        user_id=user["id"],
        display_name=user["username"],
        community=_community(running),
    )
