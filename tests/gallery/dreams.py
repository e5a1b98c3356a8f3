"""Finished dreams made through the real queue, with small generated pictures as results.

The gallery tests need many finished dreams quickly; they go through the store's real
submit, claim and finish, with a plain coloured PNG standing in for the engine's result. The
try-it test dreams with the real engine instead.
"""

from __future__ import annotations

import asyncio
import io

from PIL import Image

from bot.store.service import DreamService
from bot.store.views import CommunityRef, JobView, Requester
from engine.options import DreamOptions, Mode

SECRET = "gallery-test-secret-never-shown"
"""The site's signing secret in tests; no page may ever show it."""

PAGE_SIZE = 4

LAB = CommunityRef(platform="discord", id="1001", name="Dream Lab")
ADA = Requester(platform="discord", user_id="501", display_name="Ada", community=LAB)
BOB = Requester(platform="discord", user_id="502", display_name="Bob", community=LAB)
LAB_ADMIN = Requester(
    platform="discord", user_id="900", display_name="Admin", community=LAB, is_admin=True
)


def picture(shade: int, *, size: tuple[int, int] = (96, 64)) -> bytes:
    """A PNG of one colour; different shades give different bytes, so different hashes."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (shade % 256, (shade * 7) % 256, (shade * 13) % 256)).save(
        buffer, format="PNG"
    )
    return buffer.getvalue()


async def finished_dream(
    service: DreamService,
    requester: Requester,
    *,
    shade: int,
    dream_class: str | None = "banana",
    reply_to: dict[str, object] | None = None,
    input_bytes: bytes | None = None,
) -> JobView:
    """Submit a dream as ``requester`` and finish it with a picture of ``shade``."""
    mode = Mode.DREAM if input_bytes is not None else Mode.NOISE
    options = DreamOptions(
        mode=mode, size=64, octaves=1, steps=1, step_size=1.5, seed=shade, dream_class=dream_class
    )
    submitted = await service.submit(
        requester, options, input_bytes=input_bytes, reply_to=reply_to or {}
    )
    await asyncio.to_thread(_finish, service, submitted.job_id, picture(shade))
    return await service.get(submitted.job_id)


def _finish(service: DreamService, job_id: int, data: bytes) -> None:
    claimed = service.queue.claim("gallery-test")
    if claimed is None or claimed.id != job_id:
        raise RuntimeError(f"Expected to claim job {job_id}, claimed {claimed}.")
    service.queue.finish(
        job_id, "gallery-test", data=data, media_type="image/png", width=96, height=64
    )
