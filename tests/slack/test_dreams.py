"""A whole dream in Slack: asked for, dreamt by a real engine, delivered in its thread, and
remade or removed with its buttons."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bot import messages
from bot.fetch import looks_like_image
from bot.store.jobsource import QueueJobSource
from bot.store.models import JobStatus
from engine.worker import Worker
from tests.fakes.slack_server import Message
from tests.slack.harness import RunningSlack, png, running_slack

TINY = "size=64 octaves=1 steps=1"


async def _dream_next_job(running: RunningSlack) -> None:
    source = QueueJobSource(running.service.queue)
    try:
        worker = Worker(source, device="cpu", recheck_seconds=0.2, progress_interval=0.0)
        await asyncio.to_thread(worker.run, max_jobs=1)
    finally:
        source.close()


def _press(status: Message, action_id: str, *, user: str) -> dict[str, Any]:
    buttons = [
        b for block in status.blocks if block["type"] == "actions" for b in block["elements"]
    ]
    button = next(b for b in buttons if b["action_id"] == action_id)
    return {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "dream-team"},
        "user": {"id": user, "name": user.lower()},
        "channel": {"id": "C1"},
        "container": {"type": "message", "channel_id": "C1", "message_ts": status.ts},
        "actions": [button],
    }


async def test_a_dream_arrives_in_its_thread_with_buttons_that_work(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as running:
        slack = running.slack
        link = slack.add_public_file("cat.png", png(96))
        await running.command(f"{TINY} seed=3 {link}")
        status = (await slack.wait_for(lambda: slack.messages))[0]

        await _dream_next_job(running)
        uploads = await slack.wait_for(slack.completed_uploads)
        await slack.wait_for(lambda: status.text.startswith("Dreamt in"))
        first = await running.service.get(1)

        await running.interaction(_press(status, "dream.again", user="U1"))
        await slack.wait_for(lambda: len(slack.messages) == 2)
        await _dream_next_job(running)
        await slack.wait_for(lambda: len(slack.completed_uploads()) == 2)
        again = await running.service.get(2)

        await running.interaction(_press(status, "dream.remove", user="U9"))
        refusal = await running.whisper_to("U9")
        await running.interaction(_press(status, "dream.remove", user="U1"))
        await slack.wait_for(lambda: status.text == messages.removed_from_gallery())
        removed = await running.service.get(1)

    assert first.status is JobStatus.DONE
    assert looks_like_image(uploads[0].data)
    assert uploads[0].channel == "C1"
    assert uploads[0].thread_ts == status.ts
    assert again.status is JobStatus.DONE
    assert again.options.seed != first.options.seed
    assert again.input_sha256 == first.input_sha256
    assert again.reply_to["thread_ts"] == status.ts
    assert slack.completed_uploads()[1].thread_ts == status.ts
    assert refusal == messages.not_yours_to_remove()
    assert removed.removed_at is not None
