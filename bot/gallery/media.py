"""Pictures by content hash: results, thumbnails, previews and shared originals.

A media address is the SHA-256 of the file's bytes in lowercase hex and
nothing else, so no part of a request ever names a path on disk. The content
type is read from the bytes themselves, never from a name. The store makes the
WebP thumbnails when a dream finishes; they are media like any other.
"""

from __future__ import annotations

import re

from aiohttp import web

from bot.gallery.site import SERVICE

SHA256_PATTERN = "[0-9a-f]{64}"
_SHA256 = re.compile(SHA256_PATTERN)

CACHE_CONTROL = "public, max-age=86400"
"""A day: bytes under a hash never change, but a removed dream's must not live on for long."""

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


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get(f"/media/{{sha256:{SHA256_PATTERN}}}", serve_media)


async def serve_media(request: web.Request) -> web.Response:
    """The bytes stored under a hash, typed by their own first bytes."""
    sha256 = request.match_info["sha256"]
    data = await request.app[SERVICE].read_media(sha256)
    if data is None:
        raise web.HTTPNotFound(
            text="There is no picture at this address; it may have been removed."
        )
    content_type = media_type(data)
    if not content_type.startswith("image/"):
        raise web.HTTPNotFound(text="There is no picture at this address.")
    return web.Response(
        body=data,
        content_type=content_type,
        headers={"Cache-Control": CACHE_CONTROL, "ETag": f'"{sha256}"'},
    )
