"""Decoding what people send: every odd but valid picture works, every bad file is one sentence."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from engine.errors import BadInput
from engine.images import decode_image, encode_png, read_metadata


def _encoded(picture: Image.Image, image_format: str, **save: object) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format=image_format, **save)
    return buffer.getvalue()


def _red_square() -> Image.Image:
    return Image.new("RGB", (40, 30), (220, 20, 20))


def test_an_exif_rotated_photo_is_turned_the_right_way_up() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was held rotated: display 90 degrees clockwise
    data = _encoded(_red_square(), "JPEG", exif=exif.tobytes())

    picture = decode_image(data)

    assert picture.size == (30, 40)


def test_a_cmyk_jpeg_becomes_rgb() -> None:
    cmyk = Image.new("CMYK", (20, 20), (0, 255, 255, 0))  # pure red in ink

    picture = decode_image(_encoded(cmyk, "JPEG"))

    red, green, blue = picture.getpixel((10, 10))  # type: ignore[misc]
    assert picture.mode == "RGB"
    assert red > 200 and green < 60 and blue < 60


def test_a_sixteen_bit_png_is_scaled_not_clipped() -> None:
    ramp = np.tile(np.linspace(0, 65535, 64, dtype=np.uint16), (8, 1))
    data = _encoded(Image.fromarray(ramp), "PNG")

    picture = decode_image(data)

    values = np.asarray(picture)[0, :, 0]
    assert values[0] < 5 and values[-1] > 250
    assert len(set(values.tolist())) > 50


def test_a_transparent_png_is_laid_over_white() -> None:
    clear = Image.new("RGBA", (10, 10), (0, 0, 0, 0))

    picture = decode_image(_encoded(clear, "PNG"))

    assert picture.getpixel((5, 5)) == (255, 255, 255)


def test_a_palette_png_with_transparency_works() -> None:
    palette = Image.new("P", (10, 10), 1)
    palette.putpalette([0, 0, 0, 10, 200, 10] + [0] * 762)

    picture = decode_image(_encoded(palette, "PNG", transparency=0))

    assert picture.getpixel((5, 5)) == (10, 200, 10)


def test_a_greyscale_picture_gets_three_channels() -> None:
    picture = decode_image(_encoded(Image.new("L", (12, 12), 90), "PNG"))

    assert picture.mode == "RGB"
    assert picture.getpixel((1, 1)) == (90, 90, 90)


def test_an_animated_gif_gives_its_first_frame() -> None:
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("blue", "yellow", "green")]
    data = _encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50)

    picture = decode_image(data)

    red, green, blue = picture.getpixel((8, 8))  # type: ignore[misc]
    assert blue > 200 and red < 50 and green < 50


def test_a_webp_picture_works() -> None:
    picture = decode_image(_encoded(_red_square(), "WEBP"))

    assert picture.size == (40, 30)


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"%PDF-1.4 not a picture at all", "not a picture"),
        (_encoded(Image.new("RGB", (200, 200), "red"), "PNG")[:300], "damaged"),
        (_png_declaring(100_000, 100_000), "refused unread"),
        (_png_declaring(9_000, 6_000), "larger than the 40 megapixels"),
    ],
    ids=["zero bytes", "not an image", "truncated", "decompression bomb", "absurd dimensions"],
)
def test_a_bad_file_is_one_sentence(data: bytes, words: str) -> None:
    with pytest.raises(BadInput) as raised:
        decode_image(data)

    message = str(raised.value)
    assert words in message
    assert "\n" not in message and message.endswith(".")


def test_the_pixel_limit_is_a_setting() -> None:
    data = _encoded(Image.new("RGB", (100, 100)), "PNG")

    with pytest.raises(BadInput, match=r"larger than the 0\.005 megapixels"):
        decode_image(data, max_pixels=5_000)


def test_metadata_round_trips_through_png() -> None:
    written = {"options": {"seed": 3, "model": "efficientnet_lite0"}, "engine_version": 1}

    data = encode_png(_red_square(), metadata=written)

    assert read_metadata(data) == written
    assert read_metadata(_encoded(_red_square(), "PNG")) is None
