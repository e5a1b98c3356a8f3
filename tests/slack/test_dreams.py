"""A whole dream in Slack: asked for, dreamt by a real engine, delivered in its thread, and
remade or removed with its buttons."""

from __future__ import annotations

from pathlib import Path

from bot import messages
from bot.fetch import looks_like_image
from bot.store.models import JobStatus
from tests.slack.harness import dream_next_job, press, running_slack


async def test_a_dream_arrives_in_its_thread_with_buttons_that_work(tmp_path: Path) -> None:
    async with running_slack(tmp_path) as running:
        slack = running.slack
        status, upload = await running.dream_a_link("seed=3")
        first = await running.service.get(1)

        await running.interaction(press(status, "dream.again", user="U1"))
        await slack.wait_for(lambda: len(slack.messages) == 2)
        await dream_next_job(running.service)
        await slack.wait_for(lambda: len(slack.completed_uploads()) == 2)
        again = await running.service.get(2)

        await running.interaction(press(status, "dream.remove", user="U9"))
        refusal = await running.whisper_to("U9")
        await running.interaction(press(status, "dream.remove", user="U1"))
        await slack.wait_for(lambda: status.text == messages.removed_from_gallery())
        removed = await running.service.get(1)

    assert first.status is JobStatus.DONE
    assert looks_like_image(upload.data)
    assert upload.channel == "C1"
    assert upload.thread_ts == status.ts
    assert again.status is JobStatus.DONE
    assert again.options.seed != first.options.seed
    assert again.input_sha256 == first.input_sha256
    assert again.reply_to["thread_ts"] == status.ts
    assert slack.completed_uploads()[1].thread_ts == status.ts
    assert refusal == messages.not_yours_to_remove()
    assert removed.removed_at is not None
