"""Where the picture of a Slack message is: an uploaded file, an unfurled link, an image block.

Slack hands the adapter messages in several shapes (a ``message`` event, a shortcut's
``message``); :func:`image_in_message` reads them all and names the first picture, and
whether downloading it needs the bot token (an uploaded file's ``url_private`` does).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp")


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImageRef:
    """A picture somewhere in Slack or on the web."""

    url: str
    private: bool
    """Whether the URL is a Slack file that only the bot token may read."""

    name: str = ""
    size: int | None = None
    """The size Slack reports for an uploaded file, in bytes."""


def image_in_message(message: Mapping[str, Any]) -> ImageRef | None:
    """The first picture of ``message``, or ``None`` when it holds none."""
    return next(_images(message), None)


def message_mentions_file(message: Mapping[str, Any]) -> bool:
    """Whether ``message`` carries any file, picture or not (to tell "not an image" apart)."""
    return bool(message.get("files"))


def first_file_type(message: Mapping[str, Any]) -> str | None:
    """The media type of the first file of ``message``, when it has files."""
    for file in message.get("files") or ():
        return str(file.get("mimetype") or file.get("filetype") or "") or None
    return None


def _images(message: Mapping[str, Any]) -> Iterator[ImageRef]:
    for file in message.get("files") or ():
        url = file.get("url_private_download") or file.get("url_private")
        if url and str(file.get("mimetype", "")).startswith("image/"):
            yield ImageRef(url=url, private=True, name=file.get("name", ""), size=file.get("size"))

    for attachment in message.get("attachments") or ():
        url = attachment.get("image_url")
        if url:
            yield ImageRef(url=url, private=False, name=attachment.get("title", ""))

    for block in message.get("blocks") or ():
        if block.get("type") == "image" and block.get("image_url"):
            yield ImageRef(url=block["image_url"], private=False, name=block.get("alt_text", ""))
