"""Pictures by content hash: the original bytes and small WebP thumbnails of them.

A media address is the SHA-256 of the file's bytes in lowercase hex and
nothing else, so no part of a request ever names a path on disk. The content
type is read from the bytes themselves, never from a name.
"""

from __future__ import annotations

import io
import re
from collections import OrderedDict

from PIL import Image

SHA256_PATTERN = "[0-9a-f]{64}"
_SHA256 = re.compile(SHA256_PATTERN)

THUMBNAIL_SIDE = 320
"""The longest side of a gallery thumbnail, in pixels."""

_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
)


def is_sha256(text: str) -> bool:
    return _SHA256.fullmatch(text) is not None


def media_type(data: bytes) -> str:
    """The image type the bytes start with; ``application/octet-stream`` for anything else."""
    for magic, offset, name in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            if name == "image/webp" and not data.startswith(b"RIFF"):
                continue
            return name
    return "application/octet-stream"


def make_thumbnail(data: bytes, *, side: int = THUMBNAIL_SIDE) -> bytes:
    """A WebP no larger than ``side`` pixels on its longest side, from the first frame."""
    with Image.open(io.BytesIO(data)) as picture:
        picture.seek(0)
        frame = picture.convert("RGB")
    frame.thumbnail((side, side), Image.Resampling.LANCZOS)

    output = io.BytesIO()
    frame.save(output, format="WEBP", quality=80, method=4)
    return output.getvalue()


class ThumbnailCache:
    """The most recently used thumbnails, in memory, keyed by their original's hash."""

    def __init__(self, capacity: int = 512) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, bytes] = OrderedDict()

    def get(self, sha256: str) -> bytes | None:
        thumbnail = self._entries.get(sha256)
        if thumbnail is not None:
            self._entries.move_to_end(sha256)
        return thumbnail

    def put(self, sha256: str, thumbnail: bytes) -> None:
        self._entries[sha256] = thumbnail
        self._entries.move_to_end(sha256)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)

    def forget(self, sha256: str) -> None:
        self._entries.pop(sha256, None)
