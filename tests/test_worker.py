"""The worker loop fed by the real queue, dreaming with the real engine (tiny dreams)."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable

import pytest
from PIL import Image

from bot.store.models import FailureKind, JobStatus
from bot.store.queue import JobQueue
from bot.store.service import DreamService
from bot.store.views import Requester
from engine.options import DreamOptions
from engine.worker import Worker

TINY = DreamOptions(size=64, octaves=2, steps=1, jitter=4)


@pytest.fixture
def engine(service: DreamService, start_worker: Callable[[JobQueue], Worker]) -> Worker:
    return start_worker(service.queue)


async def wait_final(service: DreamService, job_id: int, timeout: float = 120.0) -> list[str]:
    seen = []
    async with asyncio.timeout(timeout):
        async for view in service.watch(job_id):
            seen.append(f"{view.status}:{view.octave}")
    return seen


async def test_a_dream_is_dreamt_stored_with_a_thumbnail_and_reported(
    service: DreamService, engine: Worker, png_bytes: bytes
) -> None:
    alice = Requester.local("alice")
    submitted = await service.submit(alice, TINY, input_bytes=png_bytes)

    seen = await wait_final(service, submitted.job_id)

    view = await service.get(submitted.job_id)
    assert view.status == JobStatus.DONE, view.error
    assert view.preview_sha256 is not None
    assert "running:1" in seen
    assert view.result_sha256 is not None
    assert view.thumbnail_sha256 is not None
    result = Image.open(io.BytesIO(await service.read_media(view.result_sha256) or b""))
    assert max(result.size) == 64
    thumbnail = Image.open(io.BytesIO(await service.read_media(view.thumbnail_sha256) or b""))
    assert thumbnail.format == "WEBP"
    assert (await service.quota(alice)).user_daily.used == 1


async def test_an_idle_engine_is_woken_without_waiting_for_its_recheck(
    service: DreamService, engine: Worker
) -> None:
    await asyncio.sleep(0.5)  # the engine is now blocked on its wake-up channel (recheck 30 s)
    submitted = await service.submit(Requester.local("bob"), TINY.replace(mode="noise"))

    async with asyncio.timeout(10):
        async for view in service.watch(submitted.job_id):
            if view.status != JobStatus.QUEUED:
                break

    view = await service.get(submitted.job_id)
    assert view.started_at is not None


async def test_a_corrupt_picture_fails_with_its_reason_untried_again_and_uncharged(
    service: DreamService, engine: Worker, png_bytes: bytes
) -> None:
    carol = Requester.local("carol")
    submitted = await service.submit(carol, TINY, input_bytes=png_bytes[: len(png_bytes) // 2])

    await wait_final(service, submitted.job_id)

    view = await service.get(submitted.job_id)
    assert view.status == JobStatus.FAILED
    assert view.failure_kind == FailureKind.BAD_INPUT
    assert view.attempts == 1
    assert view.error is not None
    assert "Traceback" not in view.error
    assert view.error.endswith(".")
    assert (await service.quota(carol)).user_daily.used == 0


async def test_a_picture_over_the_engines_pixel_limit_fails_as_bad_input(
    service: DreamService, start_worker: Callable[..., Worker], make_picture: Callable[..., bytes]
) -> None:
    start_worker(service.queue, max_input_pixels=50 * 50)
    erin = Requester.local("erin")
    submitted = await service.submit(erin, TINY, input_bytes=make_picture(96, 72))

    await wait_final(service, submitted.job_id)

    view = await service.get(submitted.job_id)
    assert view.status == JobStatus.FAILED
    assert view.failure_kind == FailureKind.BAD_INPUT
    assert "96x72 pixels, larger than the 0.0025 megapixels accepted" in (view.error or "")
    assert (await service.quota(erin)).user_daily.used == 0


async def test_cancelling_a_running_dream_stops_it_within_a_step(
    service: DreamService, engine: Worker, png_bytes: bytes
) -> None:
    long_dream = DreamOptions(size=64, octaves=1, steps=100, jitter=4)
    submitted = await service.submit(Requester.local("dave"), long_dream, input_bytes=png_bytes)
    async with asyncio.timeout(60):
        async for view in service.watch(submitted.job_id):
            if view.status == JobStatus.RUNNING and view.progress > 0:
                break

    asked = time.monotonic()
    await service.cancel(submitted.job_id, by=None)
    await wait_final(service, submitted.job_id, timeout=30)

    view = await service.get(submitted.job_id)
    assert view.status == JobStatus.CANCELLED
    assert view.progress < 1.0
    assert time.monotonic() - asked < 20
