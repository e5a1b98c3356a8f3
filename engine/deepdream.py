"""The DeepDream optimiser: gradient ascent on a picture, octave by octave.

Each octave dreams the picture at one scale, smallest first. A step rolls the
picture by a random jitter, follows the objective's gradient with a step
normalised by the gradient's mean magnitude, rolls back and clips to the valid
range. The detail an octave adds is carried, enlarged, into the next one.
Large pictures have their gradient computed tile by tile, so memory stays
bounded whatever the size.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import math

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from engine.objectives import Objective
from engine.progress import StepCounter

_log = logging.getLogger(__name__)

SMALLEST_OCTAVE = 48
"""Octaves whose shorter side would fall below this many pixels are skipped."""

DEFAULT_TILE = 512
"""The largest square whose gradient is computed in one pass."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class OctaveSchedule:
    """The numbers of one DeepDream run."""

    octaves: int
    octave_scale: float
    steps: int
    step_size: float
    """In 0-255 pixel units, as in the original method."""

    jitter: int
    tile: int = DEFAULT_TILE


def octave_sizes(height: int, width: int, schedule: OctaveSchedule) -> list[tuple[int, int]]:
    """The picture's size at each octave, smallest first; too small octaves are left out."""
    sizes: list[tuple[int, int]] = []
    for level in range(schedule.octaves):
        factor = schedule.octave_scale**level
        size = (round(height / factor), round(width / factor))
        if min(size) < SMALLEST_OCTAVE and sizes:
            break
        sizes.append(size)
    return sizes[::-1]


def deepdream(
    pixels: torch.Tensor,
    objective: Objective,
    schedule: OctaveSchedule,
    *,
    generator: torch.Generator,
    counter: StepCounter,
) -> torch.Tensor:
    """Dream ``pixels`` (1, 3, H, W in [0, 1]) and return the dreamt picture, same shape."""
    sizes = octave_sizes(pixels.shape[2], pixels.shape[3], schedule)
    detail = torch.zeros(1, 3, *sizes[0], device=pixels.device)

    for octave, size in enumerate(sizes, start=1):
        base = resize(pixels, size)
        detail = resize(detail, size)
        dreamt = base + detail
        for step in range(schedule.steps):
            dreamt = gradient_step(dreamt, objective, schedule, generator=generator)
            last = step == schedule.steps - 1
            counter.step(
                octave=octave, octaves=len(sizes), preview=to_picture(dreamt) if last else None
            )
        detail = dreamt - base
    return dreamt


def gradient_step(
    pixels: torch.Tensor,
    objective: Objective,
    schedule: OctaveSchedule,
    *,
    generator: torch.Generator,
) -> torch.Tensor:
    """One jittered, normalised gradient ascent step, clipped to [0, 1]."""
    down, across = _random_shift(schedule.jitter, generator)
    rolled = torch.roll(pixels, shifts=(down, across), dims=(2, 3))

    gradient = tiled_gradient(rolled, objective, tile=schedule.tile)
    scale = (schedule.step_size / 255) / (gradient.abs().mean() + 1e-8)
    rolled = rolled + scale * gradient

    restored = torch.roll(rolled, shifts=(-down, -across), dims=(2, 3))
    return restored.clamp(0, 1)


def _random_shift(jitter: int, generator: torch.Generator) -> tuple[int, int]:
    """A roll of up to ``jitter`` pixels down and across, either way."""
    if not jitter:
        return 0, 0
    down, across = torch.randint(-jitter, jitter + 1, (2,), generator=generator).tolist()
    return down, across


def tiled_gradient(pixels: torch.Tensor, objective: Objective, *, tile: int) -> torch.Tensor:
    """The objective's gradient with respect to ``pixels``, in tiles of at most ``tile`` pixels."""
    height, width = pixels.shape[2], pixels.shape[3]
    rows = _spans(height, tile)
    columns = _spans(width, tile)
    if len(rows) == 1 and len(columns) == 1:
        return _gradient(pixels, objective)

    gradient = torch.empty_like(pixels)
    for top, bottom in rows:
        for left, right in columns:
            gradient[:, :, top:bottom, left:right] = _gradient(
                pixels[:, :, top:bottom, left:right], objective
            )
    return gradient


def _gradient(pixels: torch.Tensor, objective: Objective) -> torch.Tensor:
    variable = pixels.detach().requires_grad_(True)
    value = objective(variable)
    (gradient,) = torch.autograd.grad(value, variable)
    return gradient


def _spans(length: int, tile: int) -> list[tuple[int, int]]:
    """Split ``length`` into near-equal spans of at most ``tile`` (no sliver at the end)."""
    count = math.ceil(length / tile)
    edges = [round(index * length / count) for index in range(count + 1)]
    return list(itertools.pairwise(edges))


def resize(pixels: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """``pixels`` resized to ``size`` (height, width), smoothly in both directions."""
    if tuple(pixels.shape[2:]) == size:
        return pixels
    shrinking = size[0] < pixels.shape[2]
    return F.interpolate(
        pixels, size=size, mode="bilinear", align_corners=False, antialias=shrinking
    )


def to_picture(pixels: torch.Tensor) -> Image.Image:
    """A (1, 3, H, W) tensor in [0, 1] as an RGB picture."""
    array = (pixels[0].detach().clamp(0, 1) * 255).round().byte().permute(1, 2, 0).cpu().numpy()
    return Image.fromarray(array)


def to_pixels(picture: Image.Image, device: torch.device) -> torch.Tensor:
    """An RGB picture as a (1, 3, H, W) tensor in [0, 1] on ``device``."""
    array = np.asarray(picture.convert("RGB"), dtype=np.float32) / 255
    return torch.from_numpy(array).permute(2, 0, 1).unsqueeze(0).contiguous().to(device)
