"""The three ways to ask for a dream, and the Cancel button, through the real Bolt app.

These tests stop at the queue: each checks the dream was queued for the right picture and that
its status message opened the right thread. Slack's retries and rate limits are exercised too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from bot import messages
from bot.store.models import JobStatus
from tests.slack.harness import RunningSlack, png, running_slack

IMAGE_TS = "1700000000.000100"


async def _post_image(
    running: RunningSlack, data: bytes, *, event_id: str = "EvPost"
) -> dict[str, Any]:
    file = running.slack.add_private_file(data)
    message = {
        "type": "message",
        "subtype": "file_share",
        "user": "U1",
        "channel": "C1",
        "ts": IMAGE_TS,
        "files": [file],
    }
    assert await running.event(message, event_id=event_id) == 200
    return file


async def test_dream_with_a_link_queues_it_and_opens_a_thread(tmp_path: Path) -> None:
    picture = png()
    async with running_slack(tmp_path) as running:
        link = running.slack.add_public_file("cat.png", picture)
        await running.command(f"gentle seed=7 {link}")
        posted = await running.slack.wait_for(lambda: running.slack.messages)
        job = await running.service.get(1)

    assert posted[0].thread_ts is None
    assert posted[0].text == messages.queued(1)
    assert job.options.seed == 7
    assert job.options.steps == 5
    assert job.input_sha256 == hashlib.sha256(picture).hexdigest()
    assert job.reply_to["channel"] == "C1"


async def test_dream_alone_uses_the_last_image_posted_here(tmp_path: Path) -> None:
    picture = png(colour=(200, 30, 30))
    async with running_slack(tmp_path) as running:
        await _post_image(running, picture)
        await running.command("")
        posted = await running.slack.wait_for(lambda: running.slack.messages)
        job = await running.service.get(1)

    assert posted[0].thread_ts == IMAGE_TS
    assert job.input_sha256 == hashlib.sha256(picture).hexdigest()
    token = running.slack.workspaces[0].bot_token
    assert {owner for _file, owner in running.slack.file_downloads} == {token}


async def test_the_shortcut_dreams_the_message_image_in_its_thread(tmp_path: Path) -> None:
    picture = png(colour=(10, 200, 10))
    async with running_slack(tmp_path) as running:
        file = running.slack.add_private_file(picture)
        payload = {
            "type": "message_action",
            "callback_id": "dream_this_image",
            "trigger_id": "trigger",
            "response_url": running.slack.response_url(),
            "team": {"id": "T1", "domain": "dream-team"},
            "channel": {"id": "C1", "name": "general"},
            "user": {"id": "U2", "name": "u2"},
            "message": {"type": "message", "user": "U1", "ts": IMAGE_TS, "files": [file]},
        }
        assert await running.interaction(payload) == 200
        posted = await running.slack.wait_for(lambda: running.slack.thread("C1", IMAGE_TS))
        job = await running.service.get(1)

    assert len(posted) == 1
    assert job.requester.user_id == "U2"
    assert job.input_sha256 == hashlib.sha256(picture).hexdigest()


async def test_a_reaction_dreams_once_however_often_slack_retries(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as running:
        await _post_image(running, png())
        reaction = {
            "type": "reaction_added",
            "user": "U3",
            "reaction": "art",
            "item": {"type": "message", "channel": "C1", "ts": IMAGE_TS},
        }
        for retry in (None, 1, 2, 3):
            assert await running.event(reaction, event_id="EvReact", retry=retry) == 200
        await running.slack.wait_for(lambda: running.slack.thread("C1", IMAGE_TS))
        other = {**reaction, "reaction": "thumbsup"}
        assert await running.event(other, event_id="EvOther") == 200
        await running.slack.wait_for(lambda: len(running.slack.calls_of("users.info")) >= 1)
        job = await running.service.get(1)

    assert len(running.slack.thread("C1", IMAGE_TS)) == 1
    assert job.requester.user_id == "U3"
    assert len(running.slack.calls_of("chat.postMessage")) == 1


async def test_a_rate_limited_post_waits_for_retry_after(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as running:
        running.slack.rate_limit("chat.postMessage", retry_after=1)
        link = running.slack.add_public_file("cat.png", png())
        await running.command(link)
        await running.slack.wait_for(lambda: running.slack.messages)

    first, second = running.slack.calls_of("chat.postMessage")
    assert second.at - first.at >= 1.0
    assert len(running.slack.messages) == 1


async def test_cancel_stops_a_queued_dream_and_says_so_in_the_thread(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as running:
        link = running.slack.add_public_file("cat.png", png())
        await running.command(link)
        status = (await running.slack.wait_for(lambda: running.slack.messages))[0]
        button = status.blocks[1]["elements"][0]
        payload = {
            "type": "block_actions",
            "team": {"id": "T1", "domain": "dream-team"},
            "user": {"id": "U1", "name": "u1"},
            "channel": {"id": "C1"},
            "container": {"type": "message", "channel_id": "C1", "message_ts": status.ts},
            "message": {"ts": status.ts},
            "response_url": running.slack.response_url(),
            "trigger_id": "trigger",
            "actions": [button],
        }
        assert await running.interaction(payload) == 200
        await running.slack.wait_for(lambda: status.text == messages.cancelled())
        job = await running.service.get(1)

    assert button["action_id"] == "dream.cancel"
    assert job.status is JobStatus.CANCELLED
    assert status.blocks == [status.blocks[0]]


async def test_someone_else_cannot_cancel_a_dream(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as running:
        link = running.slack.add_public_file("cat.png", png())
        await running.command(link)
        status = (await running.slack.wait_for(lambda: running.slack.messages))[0]
        payload = {
            "type": "block_actions",
            "team": {"id": "T1", "domain": "dream-team"},
            "user": {"id": "U9", "name": "u9"},
            "channel": {"id": "C1"},
            "container": {"type": "message", "channel_id": "C1", "message_ts": status.ts},
            "actions": [status.blocks[1]["elements"][0]],
        }
        assert await running.interaction(payload) == 200
        reply = await running.whisper_to("U9")
        job = await running.service.get(1)

    assert reply == messages.not_yours_to_cancel()
    assert job.status is JobStatus.QUEUED
