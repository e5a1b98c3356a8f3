"""Runs one dream of any mode: loads the network, dreams, and encodes the result."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any

import torch
from PIL import Image

from engine.api import DreamResult
from engine.deepdream import OctaveSchedule, deepdream, octave_sizes, to_picture, to_pixels
from engine.errors import BadInput
from engine.images import encode_png
from engine.networks import LoadedNetwork, load_network, with_network_defaults
from engine.objectives import Objective, parse_objective
from engine.options import DreamOptions, Mode
from engine.progress import CancelCheck, ProgressCallback, StepCounter
from engine.sweep import contact_sheet, sweep_layers
from engine.visualise import NoiseSchedule, dream_from_noise
from engine.zoom import encode_animation, zoom_in

_log = logging.getLogger(__name__)

ENGINE_VERSION = 1
"""Written into every dream's metadata; raised whenever the same options would dream differently."""

GUIDE_SIDE = 384
"""Guide pictures are looked at no larger than this."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Dreaming:
    """Everything one dream of any mode works with."""

    image: Image.Image | None
    guide: Image.Image | None
    options: DreamOptions
    network: LoadedNetwork
    counter: StepCounter

    @property
    def picture(self) -> Image.Image:
        """The input picture at the size asked for; refused when there is none."""
        return fit_exactly(_required(self.image), self.options.size)

    def generator(self) -> torch.Generator:
        """A fresh random source from the dream's seed."""
        return torch.Generator().manual_seed(self.options.seed)


@dataclasses.dataclass(frozen=True)
class _Encoded:
    width: int
    height: int
    data: bytes
    media_type: str


def run(
    image: Image.Image | None,
    options: DreamOptions,
    *,
    guide: Image.Image | None,
    progress: ProgressCallback | None,
    should_cancel: CancelCheck | None,
    device: str | None,
) -> DreamResult:
    """Dream as :func:`engine.api.dream` describes."""
    started = time.perf_counter()
    options = with_network_defaults(options)
    network = load_network(options.model, device=device)
    total = _total_steps(options, image, network)
    counter = StepCounter(total, progress=progress, should_cancel=should_cancel)

    counter.check()
    dreaming = _Dreaming(
        image=image, guide=guide, options=options, network=network, counter=counter
    )
    encoded = _MODES[options.mode](dreaming)

    seconds = time.perf_counter() - started
    _log.info(
        "Dreamt %s %dx%d with %s in %.1f s",
        options.mode.value,
        encoded.width,
        encoded.height,
        network.spec.name,
        seconds,
    )
    return DreamResult(
        data=encoded.data,
        media_type=encoded.media_type,
        width=encoded.width,
        height=encoded.height,
        options=options,
        seconds=seconds,
    )


def _dream_still(dreaming: _Dreaming) -> _Encoded:
    pixels = to_pixels(dreaming.picture, dreaming.network.device)
    dreamt = deepdream(
        pixels,
        _objective(dreaming),
        _schedule(dreaming.options, dreaming.network),
        generator=dreaming.generator(),
        counter=dreaming.counter,
    )
    return _png(to_picture(dreamt), dreaming.options)


def _dream_noise(dreaming: _Dreaming) -> _Encoded:
    options = dreaming.options
    pixels = dream_from_noise(
        options.size,
        options.size,
        _objective(dreaming),
        NoiseSchedule(stages=options.octaves, steps=options.steps),
        generator=dreaming.generator(),
        counter=dreaming.counter,
        device=dreaming.network.device,
    )
    return _png(to_picture(pixels), options)


def _dream_sweep(dreaming: _Dreaming) -> _Encoded:
    pixels = to_pixels(dreaming.picture, dreaming.network.device)
    tiles = []
    for layer in sweep_layers(dreaming.network.spec):
        dreamt = deepdream(
            pixels,
            parse_objective(layer.name, dreaming.network),
            _schedule(dreaming.options, dreaming.network),
            generator=dreaming.generator(),  # every layer sees the same jitter
            counter=dreaming.counter,
        )
        tiles.append((layer.name, to_picture(dreamt)))
    return _png(contact_sheet(tiles), dreaming.options)


def _dream_zoom(dreaming: _Dreaming) -> _Encoded:
    options = dreaming.options
    objective = _objective(dreaming)
    schedule = _schedule(options.replace(octaves=1), dreaming.network)
    generator = dreaming.generator()

    frame = dreaming.picture
    frames = []
    for _ in range(options.zoom_frames):
        pixels = to_pixels(frame, dreaming.network.device)
        dreamt = to_picture(
            deepdream(pixels, objective, schedule, generator=generator, counter=dreaming.counter)
        )
        frames.append(dreamt)
        frame = zoom_in(dreamt)

    data = encode_animation(
        frames,
        image_format=options.animation_format,
        max_bytes=options.max_bytes,
        metadata=_metadata(options),
    )
    return _Encoded(frames[0].width, frames[0].height, data, f"image/{options.animation_format}")


_MODES: dict[Mode, Callable[[_Dreaming], _Encoded]] = {
    Mode.DREAM: _dream_still,
    Mode.NOISE: _dream_noise,
    Mode.SWEEP: _dream_sweep,
    Mode.ZOOM: _dream_zoom,
}


def _objective(dreaming: _Dreaming) -> Objective:
    network = dreaming.network
    expression = dreaming.options.objective_expression(network.spec.default_layer)
    objective = parse_objective(expression, network)
    if objective.needs_guide:
        if dreaming.guide is None:
            raise BadInput("A guided dream needs a guide picture; send one with the dream.")
        objective.set_guide(to_pixels(fit_exactly(dreaming.guide, GUIDE_SIDE), network.device))
    return objective


def _schedule(options: DreamOptions, network: LoadedNetwork) -> OctaveSchedule:
    step_size = options.step_size if options.step_size is not None else network.spec.step_size
    return OctaveSchedule(
        octaves=options.octaves,
        octave_scale=options.octave_scale,
        steps=options.steps,
        step_size=step_size,
        jitter=options.jitter,
    )


def _total_steps(options: DreamOptions, image: Image.Image | None, network: LoadedNetwork) -> int:
    if options.mode is Mode.NOISE:
        return options.octaves * options.steps
    if options.mode is Mode.ZOOM:
        return options.zoom_frames * options.steps

    width, height = fit_size(_required(image).size, options.size)
    octaves = len(octave_sizes(height, width, _schedule(options, network)))
    if options.mode is Mode.SWEEP:
        return len(sweep_layers(network.spec)) * octaves * options.steps
    return octaves * options.steps


def _required(image: Image.Image | None) -> Image.Image:
    if image is None:
        raise BadInput("A picture is needed to dream; send one, or dream from noise instead.")
    return image


def fit_size(size: tuple[int, int], longest_side: int) -> tuple[int, int]:
    """``size`` (width, height) scaled so its longest side is ``longest_side``."""
    scale = longest_side / max(size)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def fit_exactly(picture: Image.Image, longest_side: int) -> Image.Image:
    """``picture`` scaled up or down so its longest side is ``longest_side``."""
    size = fit_size(picture.size, longest_side)
    if size == picture.size:
        return picture
    return picture.resize(size, Image.Resampling.LANCZOS)


def _metadata(options: DreamOptions) -> dict[str, Any]:
    return {"engine_version": ENGINE_VERSION, "options": options.to_dict()}


def _png(picture: Image.Image, options: DreamOptions) -> _Encoded:
    metadata = _metadata(options)
    return _Encoded(
        picture.width, picture.height, encode_png(picture, metadata=metadata), "image/png"
    )
