"""Fitting a dream under Discord's per-file upload limit, which is read at run time."""

from __future__ import annotations

import dataclasses
import io

from PIL import Image

_SHRINK = 0.75
_JPEG_QUALITY = 88


@dataclasses.dataclass(frozen=True)
class Upload:
    """A file ready to attach: its bytes, name, and whether it was re-encoded to fit."""

    data: bytes
    filename: str
    reencoded: bool = False


def fit_upload(data: bytes, *, stem: str, extension: str, limit: int) -> Upload:
    """``data`` as is when it fits ``limit`` bytes; else a JPEG, shrunk until it fits.

    An animation that does not fit becomes a still JPEG of its first frame.
    """
    if len(data) <= limit:
        return Upload(data, f"{stem}.{extension}")

    with Image.open(io.BytesIO(data)) as opened:
        picture = opened.convert("RGB")
    while True:
        encoded = _jpeg(picture)
        if len(encoded) <= limit or min(picture.size) <= 16:
            return Upload(encoded, f"{stem}.jpg", reencoded=True)
        width, height = picture.size
        picture = picture.resize((max(1, int(width * _SHRINK)), max(1, int(height * _SHRINK))))


def _jpeg(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=_JPEG_QUALITY, optimize=True)
    return buffer.getvalue()
