"""Dreams from noise: a picture grown from nothing until the network sees the objective in it.

Plain gradient ascent from noise finds adversarial patterns that only the
dreaming network recognises. Priors keep the picture natural instead: the
picture is parameterised by its spectrum, scaled so coarse shapes move first
and colours are decorrelated as in natural photos, held at half size and
enlarged smoothly, and mildly penalised for jumps between neighbouring pixels;
and every step looks at randomly moved, scaled and rotated copies, so only
features that survive those changes grow. In this mode an "octave" is a stage
of the optimisation whose transforms are a little gentler than the stage before.
"""

from __future__ import annotations

import dataclasses
import math

import torch
import torch.nn.functional as F

from engine.deepdream import to_picture
from engine.objectives import Objective
from engine.progress import StepCounter

# Colour correlations of natural photographs (the square root of their covariance),
# used to move the optimised decorrelated channels back into RGB.
_COLOUR_CORRELATION = torch.tensor([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
_COLOUR_CORRELATION = _COLOUR_CORRELATION / _COLOUR_CORRELATION.norm(dim=0).max()


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoiseSchedule:
    """The numbers of one dream from noise."""

    stages: int
    steps: int
    learning_rate: float = 0.05
    copies: int = 4
    """How many transformed copies each step looks at."""

    jitter: int = 24
    max_rotation: float = 10.0
    """Degrees, either way."""

    scale_range: float = 0.25
    decay: float = 1.5
    """How much more the coarse frequencies move than the fine ones."""

    coarseness: int = 2
    """The picture is held at this fraction of its size and enlarged smoothly, so that the
    finest grain, which other networks do not share, has nowhere to grow."""

    smoothness: float = 3.0
    """The weight of a penalty on neighbouring pixels' differences (total variation)."""


class SpectralPicture(torch.nn.Module):
    """A picture held as decorrelated Fourier coefficients, scaled by frequency."""

    def __init__(
        self, height: int, width: int, *, generator: torch.Generator, decay: float = 1.0
    ) -> None:
        super().__init__()
        self.height = height
        self.width = width
        frequencies = _frequencies(height, width)
        # Lower frequencies get larger steps: the picture grows coarse shapes before detail.
        self.frequency_scale: torch.Tensor
        self.register_buffer(
            "frequency_scale", 1.0 / frequencies.clamp(min=1.0 / max(height, width)) ** decay
        )
        # (3, H, W//2+1, 2): real and imaginary parts of each channel's spectrum.
        shape = (3, *frequencies.shape, 2)
        self.spectrum = torch.nn.Parameter(0.01 * torch.randn(shape, generator=generator))

    def forward(self) -> torch.Tensor:
        coefficients = torch.view_as_complex(self.spectrum) * self.frequency_scale
        decorrelated = torch.fft.irfft2(coefficients, s=(self.height, self.width), norm="ortho")
        # (3, H, W) decorrelated -> (1, 3, H, W) RGB in [0, 1]
        rgb = torch.einsum("ij,jhw->ihw", _COLOUR_CORRELATION.to(decorrelated.device), decorrelated)
        return torch.sigmoid(rgb / 4).unsqueeze(0)


def dream_from_noise(
    height: int,
    width: int,
    objective: Objective,
    schedule: NoiseSchedule,
    *,
    generator: torch.Generator,
    counter: StepCounter,
    device: torch.device,
) -> torch.Tensor:
    """Grow a (1, 3, height, width) picture in [0, 1] that raises ``objective``."""
    picture = _SmoothlyEnlarged(
        SpectralPicture(
            height // schedule.coarseness,
            width // schedule.coarseness,
            generator=generator,
            decay=schedule.decay,
        ),
        size=(height, width),
    ).to(device)
    optimiser = torch.optim.Adam(picture.parameters(), lr=schedule.learning_rate)

    for stage in range(1, schedule.stages + 1):
        gentleness = 1 - 0.5 * (stage - 1) / max(1, schedule.stages - 1)
        for step in range(schedule.steps):
            optimiser.zero_grad()
            pixels = picture()
            views = _transformed_copies(pixels, schedule, strength=gentleness, generator=generator)
            loss = schedule.smoothness * _total_variation(pixels) - objective(views)
            loss.backward()
            optimiser.step()
            last = step == schedule.steps - 1
            counter.step(
                octave=stage,
                octaves=schedule.stages,
                preview=to_picture(picture()) if last else None,
            )

    with torch.no_grad():
        return picture()


class _SmoothlyEnlarged(torch.nn.Module):
    """A smaller picture enlarged bilinearly to ``size``."""

    def __init__(self, picture: torch.nn.Module, *, size: tuple[int, int]) -> None:
        super().__init__()
        self.picture = picture
        self.size = size

    def forward(self) -> torch.Tensor:
        small: torch.Tensor = self.picture()
        return F.interpolate(small, size=self.size, mode="bilinear", align_corners=False)


def _total_variation(pixels: torch.Tensor) -> torch.Tensor:
    """The mean absolute difference between neighbouring pixels, down and across."""
    down = (pixels[:, :, 1:, :] - pixels[:, :, :-1, :]).abs().mean()
    across = (pixels[:, :, :, 1:] - pixels[:, :, :, :-1]).abs().mean()
    return down + across


def _transformed_copies(
    pixels: torch.Tensor, schedule: NoiseSchedule, *, strength: float, generator: torch.Generator
) -> torch.Tensor:
    """``schedule.copies`` copies of ``pixels``, each moved, scaled and rotated at random."""
    copies = schedule.copies
    padding = schedule.jitter
    padded = F.pad(pixels, [padding] * 4, mode="reflect").expand(copies, -1, -1, -1)

    def uniform(low: float, high: float) -> torch.Tensor:
        return low + (high - low) * torch.rand(copies, generator=generator)

    angle = uniform(-1, 1) * math.radians(schedule.max_rotation) * strength
    scale = 1 + uniform(-1, 1) * schedule.scale_range * strength
    # Grid coordinates span [-1, 1], so a shift of p pixels is 2p / size.
    reach = 2 * padding / padded.shape[-1] * strength
    shift = torch.stack([uniform(-1, 1), uniform(-1, 1)], dim=1) * reach

    # (copies, 2, 3) affine matrices: rotate and scale about the centre, then shift.
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack(
        [torch.stack([cos, -sin, shift[:, 0]], dim=1), torch.stack([sin, cos, shift[:, 1]], dim=1)],
        dim=1,
    ).to(pixels.device)
    grid = F.affine_grid(theta, list(padded.shape), align_corners=False)
    moved = F.grid_sample(
        padded, grid, mode="bilinear", padding_mode="reflection", align_corners=False
    )
    return moved[:, :, padding:-padding, padding:-padding]


def _frequencies(height: int, width: int) -> torch.Tensor:
    """The spatial frequency of each coefficient of a real 2-D FFT of this size."""
    rows = torch.fft.fftfreq(height).unsqueeze(1)
    columns = torch.fft.rfftfreq(width).unsqueeze(0)
    return torch.sqrt(rows**2 + columns**2)
