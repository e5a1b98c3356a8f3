"""Content-addressed media files: inputs, results, previews and the gallery's WebP thumbnails.

A file is named by the sha256 of its bytes, so the same picture is stored once and no name
taken from a request can reach the file system. :class:`MediaFiles` is the small interface
an object store could implement later; :class:`LocalMediaFiles` keeps files in a folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from PIL import Image

_log = logging.getLogger(__name__)

THUMBNAIL_SIDE = 384
_SHA256 = re.compile(r"[0-9a-f]{64}")


class MediaFiles(Protocol):
    """Where the bytes of media live, addressed only by their sha256."""

    def put(self, data: bytes) -> str:
        """Store ``data`` (once, whoever else stored it) and return its sha256."""

    def read(self, sha256: str) -> bytes:
        """The bytes stored under ``sha256``; :class:`FileNotFoundError` when there are none."""

    def path(self, sha256: str) -> Path | None:
        """A local file holding the bytes, for stores that have one."""

    def delete(self, sha256: str) -> None:
        """Forget the bytes; deleting what is not there is not an error."""


@dataclasses.dataclass(frozen=True)
class LocalMediaFiles:
    """Media in a folder, fanned out as ``ab/cd/abcd...`` and written atomically."""

    root: Path

    def put(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        target = self._file(sha256)
        if target.exists():
            return sha256

        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _log.debug("Stored %d bytes as %s.", len(data), sha256)
        return sha256

    def read(self, sha256: str) -> bytes:
        return self._file(sha256).read_bytes()

    def path(self, sha256: str) -> Path | None:
        target = self._file(sha256)
        return target if target.exists() else None

    def delete(self, sha256: str) -> None:
        self._file(sha256).unlink(missing_ok=True)

    def _file(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"A media name is 64 lower-case hex digits, not {sha256!r}.")
        return self.root / sha256[:2] / sha256[2:4] / sha256


@dataclasses.dataclass(frozen=True, kw_only=True)
class EncodedImage:
    data: bytes
    media_type: str
    width: int
    height: int


def thumbnail(data: bytes, *, side: int = THUMBNAIL_SIDE) -> EncodedImage:
    """A WebP no larger than ``side`` on its longest edge, from the first frame of ``data``."""
    with Image.open(io.BytesIO(data)) as picture:
        picture.seek(0)
        small = picture.convert("RGB")
    small.thumbnail((side, side), Image.Resampling.LANCZOS)
    return webp(small, quality=80)


def webp(picture: Image.Image, *, quality: int = 85) -> EncodedImage:
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, format="WEBP", quality=quality, method=4)
    return EncodedImage(
        data=buffer.getvalue(), media_type="image/webp", width=picture.width, height=picture.height
    )


def describe(data: bytes) -> EncodedImage | None:
    """The media type and size of an image, or ``None`` when Pillow cannot read its header."""
    try:
        with Image.open(io.BytesIO(data)) as picture:
            media_type = Image.MIME.get(picture.format or "", "application/octet-stream")
            return EncodedImage(
                data=data, media_type=media_type, width=picture.width, height=picture.height
            )
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
