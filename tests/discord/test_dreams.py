"""A whole dream in Discord: asked for with /dream, dreamt by a real engine, delivered, and
remade with its buttons, also after the bot restarted."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.discord.harness import custom_ids, running_discord


async def test_a_dream_travels_through_the_queue_and_the_file_is_posted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        fake = running.discord
        interaction = await running.dream_with_attachment()
        queued = fake.original(interaction)

        assert queued is not None
        assert fake.callback_types(interaction)[0] == 5
        assert "next in the queue" in queued["content"]
        assert any(cid.startswith("dreambot:cancel:") for cid in custom_ids(queued))

        await running.dream_next_job()
        final = await running.original_saying(interaction, "Dreamt in", files=True)

        attachment = final["attachments"][0]
        assert attachment["filename"].endswith(".png")
        result = Image.open(io.BytesIO(await fake.download(attachment["url"])))
        assert max(result.size) == 64
        actions = {cid.split(":")[1] for cid in custom_ids(final)}
        assert actions == {"again", "deeper", "gentler", "zoom", "remove"}
        edits = fake.requests_to("PATCH", f"{interaction.token}/messages/@original")
        contents = [str(r.payload.get("content")) for r in edits if isinstance(r.payload, dict)]
        assert any("Dreaming" in content for content in contents), "no progress edit was seen"


async def test_buttons_still_work_after_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        fake = running.discord
        final = await running.posted_dream()
        deeper = next(cid for cid in custom_ids(final) if ":deeper:" in cid)

        await running.restart()
        pressed = await fake.press_button(deeper, final)
        await running.original_saying(pressed, "queue")
        await running.dream_next_job()
        remade = await running.original_saying(pressed, "Dreamt in", files=True)

        first_job = int(deeper.rsplit(":", 1)[1])
        second_job = int(custom_ids(remade)[0].rsplit(":", 1)[1])
        first = await running.service.get(first_job)
        second = await running.service.get(second_job)
        assert second.options.steps > first.options.steps
        assert second.input_sha256 == first.input_sha256


async def test_only_the_author_or_an_admin_may_remove(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        fake = running.discord
        final = await running.posted_dream()
        remove = next(cid for cid in custom_ids(final) if ":remove:" in cid)

        stranger = await fake.press_button(remove, final, user=fake.user("stranger"))
        answer = await running.wait_for_private_answer(stranger)
        assert answer == "Only the person who asked for this dream or an admin can remove it."

        await fake.press_button(remove, final)
        job = await running.service.get(int(remove.rsplit(":", 1)[1]))
        await fake.wait_until(lambda: "removed" in final["content"], what="the removal")
        assert (await running.service.get(job.id)).removed_at is not None


async def test_cancel_while_queued(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        fake = running.discord
        interaction = await running.dream_with_attachment()
        queued = fake.original(interaction)
        assert queued is not None
        cancel = custom_ids(queued)[0]

        await fake.press_button(cancel, queued)
        await running.original_saying(interaction, "cancelled")


async def test_a_dream_that_outlives_its_token_is_posted_in_the_channel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        fake = running.discord
        interaction = await running.dream_with_attachment()
        fake.expire_token(interaction)
        await running.dream_next_job()

        def channel_reply() -> dict[str, Any] | None:
            for message in fake.messages.values():
                if message["author"]["id"] == fake.bot_user["id"] and message["attachments"]:
                    return message
            return None

        reply = await fake.wait_until(channel_reply, what="a reply in the channel")
        assert "Dreamt in" in reply["content"]
        assert reply["content"].startswith(f"<@{fake.owner['id']}>")


async def test_a_rate_limit_is_obeyed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        fake = running.discord
        fake.rate_limit_next("PATCH", "/webhooks", 0.6)
        interaction = await running.dream_with_attachment()

        edits = fake.requests_to("PATCH", f"{interaction.token}/messages/@original")
        assert len(edits) >= 2
        assert edits[1].at - edits[0].at >= 0.6


async def test_the_gallery_command_lists_the_latest_dream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_discord(tmp_path, monkeypatch) as running:
        final = await running.posted_dream()
        job_id = custom_ids(final)[0].rsplit(":", 1)[1]

        asked = await running.discord.slash_command("dream-gallery")
        answer = await running.wait_for_private_answer(asked)

        assert answer.startswith("The gallery: http")
        assert f"/dreams/{job_id}" in answer
