"""Zoom animations: dream a frame, zoom into it a little, dream again, and loop.

Each frame is the previous one enlarged about its centre and dreamt for a few
steps, so the dream seems to fall forever into its own details. The frames are
encoded as an animated WebP or GIF no larger than a byte cap, shrinking the
frames until the animation fits a chat upload.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from PIL import Image

from engine.errors import BadInput
from engine.images import animation_metadata

_log = logging.getLogger(__name__)

ZOOM_PER_FRAME = 1.05
FRAME_MILLISECONDS = 80
SMALLEST_FRAME_SIDE = 64


def zoom_in(picture: Image.Image, *, factor: float = ZOOM_PER_FRAME) -> Image.Image:
    """``picture`` enlarged by ``factor`` about its centre, cropped back to its size."""
    width, height = picture.size
    crop_width, crop_height = width / factor, height / factor
    left, top = (width - crop_width) / 2, (height - crop_height) / 2
    box = (left, top, left + crop_width, top + crop_height)
    return picture.resize(picture.size, Image.Resampling.BICUBIC, box=box)


def encode_animation(
    frames: list[Image.Image],
    *,
    image_format: str,
    max_bytes: int,
    metadata: dict[str, Any],
) -> bytes:
    """Encode ``frames`` as a looping animation of at most ``max_bytes``, carrying ``metadata``.

    The quality is lowered first, then the frames are shrunk by a quarter at a
    time; an animation that does not fit even at the smallest size is refused.
    """
    extra = animation_metadata(image_format, metadata)
    scale = 1.0
    while True:
        sized = _scaled(frames, scale)
        for quality in (80, 60, 40):
            data = _encode(
                sized,
                image_format=image_format,
                quality=quality,
                extra=extra,
            )
            if len(data) <= max_bytes:
                _log.debug(
                    "Zoom animation: %d bytes at scale %.2f, quality %d", len(data), scale, quality
                )
                return data
        scale *= 0.75
        if min(sized[0].size) * 0.75 < SMALLEST_FRAME_SIDE:
            raise BadInput(
                f"The animation cannot be made smaller than {max_bytes} bytes; "
                "ask for fewer frames or a larger byte limit."
            )


def _scaled(frames: list[Image.Image], scale: float) -> list[Image.Image]:
    if scale == 1.0:
        return frames
    size = (round(frames[0].width * scale), round(frames[0].height * scale))
    return [frame.resize(size, Image.Resampling.LANCZOS) for frame in frames]


def _encode(
    frames: list[Image.Image], *, image_format: str, quality: int, extra: dict[str, bytes]
) -> bytes:
    buffer = io.BytesIO()
    if image_format == "gif":
        palette_frames = [frame.convert("P", palette=Image.Palette.ADAPTIVE) for frame in frames]
        palette_frames[0].save(
            buffer,
            format="GIF",
            save_all=True,
            append_images=palette_frames[1:],
            duration=FRAME_MILLISECONDS,
            loop=0,
            optimize=quality < 80,
            **extra,
        )
    else:
        frames[0].save(
            buffer,
            format="WEBP",
            save_all=True,
            append_images=frames[1:],
            duration=FRAME_MILLISECONDS,
            loop=0,
            quality=quality,
            method=4,
            **extra,
        )
    return buffer.getvalue()
