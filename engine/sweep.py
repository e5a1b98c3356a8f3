"""Layer sweeps: one picture dreamt at several depths, laid out as one contact sheet.

Shallow layers add strokes and textures, middle ones patterns and eyes, deep
ones whole animals and objects; side by side they show how the network's
vision deepens.
"""

from __future__ import annotations

import math

from PIL import Image, ImageDraw

from engine.networks.spec import Layer, NetworkSpec

MAX_SWEEP_LAYERS = 6
COLUMNS = 3
LABEL_HEIGHT = 22


def sweep_layers(spec: NetworkSpec, *, count: int = MAX_SWEEP_LAYERS) -> list[Layer]:
    """Up to ``count`` layers spread evenly from shallow to deep, skipping the first and last."""
    inner = list(spec.layers[1:-1]) if len(spec.layers) > count + 2 else list(spec.layers)
    if len(inner) <= count:
        return inner
    picks = [round(index * (len(inner) - 1) / (count - 1)) for index in range(count)]
    return [inner[index] for index in picks]


def contact_sheet(tiles: list[tuple[str, Image.Image]], *, background: str = "#111") -> Image.Image:
    """Lay ``(label, picture)`` pairs out in a grid, each picture with its label beneath."""
    width = max(picture.width for _, picture in tiles)
    height = max(picture.height for _, picture in tiles)
    columns = min(COLUMNS, len(tiles))
    rows = math.ceil(len(tiles) / columns)
    sheet = Image.new("RGB", (columns * width, rows * (height + LABEL_HEIGHT)), background)
    pen = ImageDraw.Draw(sheet)

    for index, (label, picture) in enumerate(tiles):
        left = (index % columns) * width
        top = (index // columns) * (height + LABEL_HEIGHT)
        sheet.paste(picture, (left, top))
        pen.text((left + 6, top + height + 4), label, fill="#eee")
    return sheet
