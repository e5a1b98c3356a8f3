"""The asyncio facade the adapters and the gallery use: watch, deliveries, gallery, settings."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image

from bot.store.errors import JobNotFound, NotAllowed
from bot.store.models import FailureKind, JobStatus
from bot.store.service import DreamService
from bot.store.views import CommunityRef, JobView, Requester
from engine.errors import BadInput
from engine.options import DreamOptions

GUILD = CommunityRef(platform="discord", id="guild", name="Guild")
TINY = DreamOptions(size=64, octaves=2, steps=1)


def person(name: str, *, admin: bool = False, platform: str = "discord") -> Requester:
    return Requester(
        platform=platform, user_id=name, display_name=name, community=GUILD, is_admin=admin
    )


async def dreamt(service: DreamService, png: bytes, *, by: str = "alice") -> int:
    """A job submitted and finished by a stand-in engine that writes the picture back."""
    job_id = (await service.submit(person(by), TINY, input_bytes=png)).job_id
    claimed = await asyncio.to_thread(service.queue.claim, "engine")
    assert claimed is not None
    await asyncio.to_thread(
        service.queue.finish,
        job_id,
        "engine",
        data=_flipped(png),
        media_type="image/png",
        width=96,
        height=72,
    )
    return job_id


def _flipped(png: bytes) -> bytes:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(png)).transpose(Image.Transpose.FLIP_TOP_BOTTOM).save(buffer, "PNG")
    return buffer.getvalue()


async def test_watch_follows_a_job_from_queued_to_done(service: DreamService, png_bytes: bytes):
    submitted = await service.submit(
        person("alice"), TINY, input_bytes=png_bytes, reply_to={"c": 7}
    )
    seen: list[tuple[str, int]] = []

    async def follow() -> None:
        async for view in service.watch(submitted.job_id, recheck=30):
            seen.append((view.status, view.octave))

    follower = asyncio.create_task(follow())
    await asyncio.sleep(0.3)
    queue = service.queue
    await asyncio.to_thread(queue.claim, "engine")
    await asyncio.sleep(0.3)
    await asyncio.to_thread(
        queue.progress, submitted.job_id, "engine", fraction=0.5, octave=1, octaves=2
    )
    await asyncio.sleep(0.3)
    await asyncio.to_thread(
        queue.finish,
        submitted.job_id,
        "engine",
        data=png_bytes,
        media_type="image/png",
        width=96,
        height=72,
    )
    await asyncio.wait_for(follower, timeout=10)

    assert seen[0] == ("queued", 0)
    assert ("running", 1) in seen
    assert seen[-1] == ("done", 2)
    assert (await service.get(submitted.job_id)).reply_to == {"c": 7}


async def test_each_final_job_is_delivered_once_to_its_own_platform(
    service: DreamService, png_bytes: bytes
) -> None:
    done = await dreamt(service, png_bytes)
    slack_job = await service.submit(person("sam", platform="slack"), TINY, input_bytes=png_bytes)
    await service.cancel(slack_job.job_id, by=None)

    pending = await service.deliveries.pending("discord")
    marks = await asyncio.gather(*[service.deliveries.mark_delivered(done) for _ in range(5)])

    assert [view.id for view in pending] == [done]
    assert marks.count(True) == 1
    assert await service.deliveries.pending("discord") == []
    assert [view.id for view in await service.deliveries.pending("slack")] == [slack_job.job_id]


async def test_the_delivery_stream_yields_a_job_as_it_finishes(
    service: DreamService, png_bytes: bytes
) -> None:
    stream = service.deliveries.stream("discord", recheck=30)

    async def next_delivery() -> JobView:
        return await anext(stream)

    first = asyncio.create_task(next_delivery())
    await asyncio.sleep(0.3)

    job_id = await dreamt(service, png_bytes)

    view = await asyncio.wait_for(first, timeout=10)
    assert view.id == job_id
    assert view.status == JobStatus.DONE
    await stream.aclose()


async def test_likes_count_once_per_voter_and_order_the_gallery(
    service: DreamService, png_bytes: bytes, make_picture
) -> None:
    older = await dreamt(service, png_bytes)
    newer = await dreamt(service, make_picture(color="red"), by="bob")

    assert await service.like(older, "discord:bob") == 1
    assert await service.like(older, "discord:bob") == 1
    assert await service.like(older, "browser:xyz") == 2

    assert [v.id for v in await service.recent(GUILD)] == [newer, older]
    assert [v.id for v in await service.recent(GUILD, order="likes")] == [older, newer]
    assert [v.id for v in await service.recent(GUILD, author="bob")] == [newer]
    assert [v.id for v in await service.recent(GUILD, limit=1, offset=1)] == [older]
    assert await service.count(GUILD) == 2


async def test_removal_deletes_the_files_but_keeps_shared_ones(
    service: DreamService, png_bytes: bytes, make_picture
) -> None:
    removed = await dreamt(service, make_picture(color="red"))
    kept = await dreamt(service, png_bytes, by="bob")
    shared_input = (await service.get(kept)).input_sha256
    view = await service.get(removed)
    other = await service.submit(person("alice"), TINY, input_bytes=make_picture(color="red"))

    with pytest.raises(NotAllowed):
        await service.remove(removed, by=person("bob"))
    await service.remove(removed, by=person("alice"))

    assert view.result_sha256 is not None
    assert await service.read_media(view.result_sha256) is None
    assert await service.read_media(view.input_sha256 or "") is not None  # the waiting job's
    assert (await service.get(other.job_id)).input_sha256 == view.input_sha256
    assert await service.read_media(shared_input or "") is not None
    assert [v.id for v in await service.recent(GUILD)] == [kept]
    with pytest.raises(JobNotFound):
        await service.like(removed, "x")


async def test_community_settings_are_checked_and_the_gallery_link_rotates(
    service: DreamService,
) -> None:
    first = await service.community_settings(GUILD)
    changed = await service.update_community_settings(
        GUILD, {"gallery_public": True, "allowed_channels": ["1", "2"], "trigger_emoji": "🌀"}
    )
    rotated = await service.rotate_gallery_token(GUILD)

    assert first.settings["gallery_public"] is False
    assert changed.settings["gallery_public"] is True
    assert changed.settings["allowed_channels"] == ["1", "2"]
    assert len(first.gallery_token) >= 32
    assert rotated.gallery_token != first.gallery_token
    assert await service.community_by_token(first.gallery_token) is None
    assert (await service.community_by_token(rotated.gallery_token)) == rotated
    with pytest.raises(BadInput, match="There is no community setting 'colour'"):
        await service.update_community_settings(GUILD, {"colour": "red"})
    with pytest.raises(BadInput, match="user_daily must be a whole number"):
        await service.update_community_settings(GUILD, {"user_daily": -1})


async def test_a_failure_reaches_the_watcher_with_its_reason(
    service: DreamService, png_bytes: bytes
) -> None:
    job_id = (await service.submit(person("alice"), TINY, input_bytes=png_bytes)).job_id
    await asyncio.to_thread(service.queue.claim, "engine")
    await asyncio.to_thread(
        service.queue.fail, job_id, "engine", reason="Not a picture.", kind=FailureKind.BAD_INPUT
    )

    views = [view async for view in service.watch(job_id)]

    assert views[-1].status == JobStatus.FAILED
    assert views[-1].error == "Not a picture."
    assert (await service.quota(person("alice"))).user_daily.used == 0
