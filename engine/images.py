"""Pictures in and out: decoding whatever people send, and encoding dreams.

Decoding turns any picture Pillow reads (EXIF-rotated JPEG, CMYK, 16-bit,
palette or transparent PNG, greyscale, animated GIF or WebP) into one RGB frame,
and turns every way a file can be unusable into one :class:`BadInput` sentence.
Encoding writes a PNG whose text chunks carry the options that made it.
"""

from __future__ import annotations

import io
import json
import logging
import warnings
import xml.sax.saxutils
from typing import Any
from xml.etree import ElementTree

from PIL import Image, ImageOps, PngImagePlugin, UnidentifiedImageError

from engine.errors import BadInput

_log = logging.getLogger(__name__)

DEFAULT_MAX_PIXELS = 40_000_000
"""The largest picture accepted by default: 40 megapixels, a large phone photo and then some."""

METADATA_KEY = "dreambot"
"""The PNG text chunk holding a dream's options as JSON."""

_ACCEPTED = "PNG, JPEG, WebP or GIF"
_XMP_NS = "urn:dreambot:metadata:1"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def decode_image(data: bytes, *, max_pixels: int | None = None) -> Image.Image:
    """Decode ``data`` into an RGB picture the right way up.

    Raises :class:`BadInput` with one sentence when ``data`` is empty, not a
    picture, truncated, or larger than ``max_pixels`` (default
    :data:`DEFAULT_MAX_PIXELS`), which also stops decompression bombs before
    their pixels are unpacked.
    """
    limit = DEFAULT_MAX_PIXELS if max_pixels is None else max_pixels
    if not data:
        raise BadInput(f"The file is empty; send a {_ACCEPTED} picture.")

    picture = _open(data)
    _check_size(picture.width, picture.height, limit)

    try:
        picture.load()
        oriented = ImageOps.exif_transpose(picture)
    except (OSError, ValueError, SyntaxError) as exc:
        raise BadInput(
            "The picture is damaged or cut short and cannot be read; "
            f"send a complete {_ACCEPTED} file."
        ) from exc
    return _to_rgb(oriented)


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(io.BytesIO(data))
        except UnidentifiedImageError as exc:
            raise BadInput(f"The file is not a picture; send a {_ACCEPTED} file.") from exc
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise BadInput(
                "The picture declares absurd dimensions and was refused unread; "
                "send a picture of at most 40 megapixels."
            ) from exc
        except (OSError, ValueError, SyntaxError) as exc:
            raise BadInput(
                f"The picture is damaged and cannot be read; send a complete {_ACCEPTED} file."
            ) from exc


def _check_size(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise BadInput(
            f"The picture is {width}x{height} pixels, larger than the "
            f"{max_pixels / 1e6:g} megapixels accepted; send a smaller one."
        )
    if min(width, height) < 1:
        raise BadInput("The picture has no pixels; send a real picture.")


def _to_rgb(picture: Image.Image) -> Image.Image:
    """One RGB frame: transparency over white, 16-bit and CMYK converted."""
    if picture.mode in {"I;16", "I;16B", "I;16L", "I"}:
        picture = _sixteen_bit_to_eight(picture)
    if picture.mode == "P":
        picture = picture.convert("RGBA")
    if picture.mode in {"RGBA", "LA", "PA"}:
        background = Image.new("RGBA", picture.size, (255, 255, 255, 255))
        picture = Image.alpha_composite(background, picture.convert("RGBA"))
    return picture.convert("RGB")


def _sixteen_bit_to_eight(picture: Image.Image) -> Image.Image:
    """Scale a 16-bit greyscale picture down to 8 bits instead of clipping it."""
    return picture.point(lambda value: value / 256).convert("L")


def fit_within(picture: Image.Image, longest_side: int) -> Image.Image:
    """``picture`` scaled so its longest side is at most ``longest_side``, ratio kept."""
    scale = longest_side / max(picture.size)
    if scale >= 1:
        return picture
    size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    return picture.resize(size, Image.Resampling.LANCZOS)


def encode_png(picture: Image.Image, *, metadata: dict[str, Any]) -> bytes:
    """``picture`` as PNG bytes, with ``metadata`` as JSON in a text chunk."""
    info = PngImagePlugin.PngInfo()
    info.add_text(METADATA_KEY, json.dumps(metadata, sort_keys=True))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", pnginfo=info, optimize=False)
    return buffer.getvalue()


def animation_metadata(image_format: str, metadata: dict[str, Any]) -> dict[str, bytes]:
    """Pillow save options that carry ``metadata``: a GIF comment, or an XMP packet in WebP."""
    text = json.dumps(metadata, sort_keys=True)
    if image_format == "gif":
        return {"comment": text.encode()}
    packet = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        f'<rdf:RDF xmlns:rdf="{_RDF}"><rdf:Description rdf:about="" xmlns:dreambot="{_XMP_NS}">'
        f"<dreambot:{METADATA_KEY}>{xml.sax.saxutils.escape(text)}</dreambot:{METADATA_KEY}>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    return {"xmp": packet.encode()}


def read_metadata(data: bytes) -> dict[str, Any] | None:
    """The metadata dreambot wrote into a PNG, WebP or GIF, or ``None`` if there is none."""
    with Image.open(io.BytesIO(data)) as picture:
        text = getattr(picture, "text", {}).get(METADATA_KEY)
        comment = picture.info.get("comment")
        xmp = picture.info.get("xmp")
    if text is None and comment is not None:
        text = comment.decode("utf-8", errors="replace")
    if text is None and xmp is not None:
        text = _from_xmp(xmp)
    if text is None:
        return None
    try:
        loaded: dict[str, Any] = json.loads(text)
    except json.JSONDecodeError:
        return None
    return loaded


def _from_xmp(packet: bytes) -> str | None:
    try:
        root = ElementTree.fromstring(packet)
    except ElementTree.ParseError:
        return None
    found = root.find(f".//{{{_XMP_NS}}}{METADATA_KEY}")
    return found.text if found is not None else None
