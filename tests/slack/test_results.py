"""Around a finished dream: reactions on it are gallery likes, its author chooses whether the
gallery shows the original picture, and a dream that finished while the adapter was down is
answered in its thread after the restart."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.gallery.cards import SHARE_ORIGINAL, card
from bot.gallery.places import Place
from bot.store.errors import JobNotFound
from bot.store.models import JobStatus
from tests.slack.harness import (
    TINY,
    RunningSlack,
    button_press,
    dream_next_job,
    png,
    press,
    running_slack,
)

LIKED = "dream %d liked by %s:%s; %d likes now"
"""The adapter's log line for a counted reaction, which tells a test the event was handled."""


async def _eventually(
    condition: Callable[[], bool | Awaitable[bool]], *, timeout: float = 15.0
) -> None:
    """Wait until ``condition()`` holds; it may be a coroutine function."""
    deadline = time.monotonic() + timeout
    while not await _holds(condition):
        if time.monotonic() > deadline:
            raise TimeoutError("the condition never held")
        await asyncio.sleep(0.05)


async def _react(running: RunningSlack, message_ts: str, *, user: str, emoji: str) -> None:
    reaction = {
        "type": "reaction_added",
        "user": user,
        "reaction": emoji,
        "item_user": "UBOT",
        "item": {"type": "message", "channel": "C1", "ts": message_ts},
    }
    assert await running.event(reaction, event_id=f"Ev-{user}-{emoji}-{message_ts}") == 200


async def test_reactions_on_a_result_are_likes_one_per_person(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.slack.handlers")

    def handled_likes() -> int:
        return sum(record.msg == LIKED for record in caplog.records)

    async with running_slack(tmp_path) as running:
        status, upload = await running.dream_a_link()
        assert upload.message_ts is not None

        async def likes_are(count: int) -> bool:
            return (await running.service.get(1)).likes == count

        await _react(running, upload.message_ts, user="U2", emoji="heart")
        await _eventually(lambda: likes_are(1))
        await _react(running, status.ts, user="U2", emoji="art")
        await _eventually(lambda: handled_likes() == 2)
        after_second = (await running.service.get(1)).likes
        await _react(running, upload.message_ts, user="U3", emoji="art")
        await _eventually(lambda: likes_are(2))

        with pytest.raises(JobNotFound):
            await running.service.get(2)
        posted = list(running.slack.messages)

    assert after_second == 1
    assert posted == [status]


async def test_a_reaction_on_an_unfinished_dream_is_no_like(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.slack.handlers")
    async with running_slack(tmp_path) as running:
        link = running.slack.add_public_file("cat.png", png())
        await running.command(link)
        status = (await running.slack.wait_for(lambda: running.slack.messages))[0]

        async def status_is_recorded() -> bool:
            # The adapter records the status message just after Slack accepted it.
            return await running.adapter.memory.status_message(1) is not None

        await _eventually(status_is_recorded)
        await _react(running, status.ts, user="U2", emoji="heart")
        await _eventually(lambda: any("not in the gallery" in r.msg for r in caplog.records))
        job = await running.service.get(1)

    assert job.status is JobStatus.QUEUED
    assert job.likes == 0


async def test_share_lets_the_gallery_show_the_original(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as running:
        slack = running.slack
        await running.command(f"share {TINY} {slack.add_public_file('a.png', png())}")
        await slack.wait_for(lambda: len(slack.messages) == 1)
        await running.command(f"{TINY} {slack.add_public_file('b.png', png(80))}")
        await slack.wait_for(lambda: len(slack.messages) == 2)
        again = {"type": "button", "action_id": "dream.again", "value": "1"}
        await running.interaction(button_press(again, message_ts=slack.messages[0].ts, user="U1"))
        await slack.wait_for(lambda: len(slack.messages) == 3)
        await running.interaction(button_press(again, message_ts=slack.messages[0].ts, user="U2"))
        await slack.wait_for(lambda: len(slack.messages) == 4)
        shared, private, again_by_author, again_by_other = [
            await running.service.get(job_id) for job_id in (1, 2, 3, 4)
        ]
        assert shared.community is not None
        place = Place(await running.service.community_settings(shared.community), "key")

    assert shared.reply_to[SHARE_ORIGINAL] is True
    assert card(place, shared).original_url == f"/media/{shared.input_sha256}"
    assert SHARE_ORIGINAL not in private.reply_to
    assert card(place, private).original_url is None
    assert again_by_author.reply_to[SHARE_ORIGINAL] is True
    assert SHARE_ORIGINAL not in again_by_other.reply_to


async def test_a_dream_finished_while_the_adapter_was_down_arrives_in_its_thread(
    tmp_path: Path,
) -> None:
    async with running_slack(tmp_path) as running:
        slack = running.slack
        await running.command(f"{TINY} {slack.add_public_file('cat.png', png(96))}")
        status = (await slack.wait_for(lambda: slack.messages))[0]
        await running.stop()
        await dream_next_job(running.service)
        await running.start()
        uploads = await slack.wait_for(slack.completed_uploads)
        await slack.wait_for(lambda: status.text.startswith("Dreamt in"))
        await running.interaction(press(status, "dream.deeper", user="U1"))
        await slack.wait_for(lambda: len(slack.messages) == 2)
        deeper = await running.service.get(2)

    assert status.thread_ts is None
    assert uploads[0].thread_ts == status.ts
    assert slack.messages[1].thread_ts == status.ts
    assert deeper.reply_to["thread_ts"] == status.ts


async def _holds(condition: Callable[[], bool | Awaitable[bool]]) -> bool:
    result = condition()
    return await result if inspect.isawaitable(result) else result
