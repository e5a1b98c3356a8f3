"""Runs one dream of any mode: loads the network, dreams, and encodes the result."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

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

    dream_mode = _MODES[options.mode]
    counter = StepCounter(
        _total_steps(options, image, network), progress=progress, should_cancel=should_cancel
    )
    counter.check()
    generator = torch.Generator().manual_seed(options.seed)
    result = dream_mode(image, options, network, guide=guide, generator=generator, counter=counter)

    width, height, data, media_type = result
    seconds = time.perf_counter() - started
    _log.info(
        "Dreamt %s %dx%d with %s in %.1f s",
        options.mode.value,
        width,
        height,
        network.spec.name,
        seconds,
    )
    return DreamResult(
        data=data,
        media_type=media_type,
        width=width,
        height=height,
        options=options,
        seconds=seconds,
    )


_Encoded = tuple[int, int, bytes, str]


def _dream_still(
    image: Image.Image | None,
    options: DreamOptions,
    network: LoadedNetwork,
    *,
    guide: Image.Image | None,
    generator: torch.Generator,
    counter: StepCounter,
) -> _Encoded:
    objective = _objective(options, network, guide)
    pixels = to_pixels(fit_exactly(_required(image), options.size), network.device)
    dreamt = deepdream(pixels, objective, _schedule(options), generator=generator, counter=counter)
    return _png(to_picture(dreamt), options)


def _dream_noise(
    image: Image.Image | None,
    options: DreamOptions,
    network: LoadedNetwork,
    *,
    guide: Image.Image | None,
    generator: torch.Generator,
    counter: StepCounter,
) -> _Encoded:
    objective = _objective(options, network, guide)
    schedule = NoiseSchedule(stages=options.octaves, steps=options.steps)
    pixels = dream_from_noise(
        options.size,
        options.size,
        objective,
        schedule,
        generator=generator,
        counter=counter,
        device=network.device,
    )
    return _png(to_picture(pixels), options)


def _dream_sweep(
    image: Image.Image | None,
    options: DreamOptions,
    network: LoadedNetwork,
    *,
    guide: Image.Image | None,
    generator: torch.Generator,
    counter: StepCounter,
) -> _Encoded:
    pixels = to_pixels(fit_exactly(_required(image), options.size), network.device)
    tiles = []
    for layer in sweep_layers(network.spec):
        objective = parse_objective(layer.name, network)
        layer_generator = torch.Generator().manual_seed(options.seed)
        dreamt = deepdream(
            pixels, objective, _schedule(options), generator=layer_generator, counter=counter
        )
        tiles.append((layer.name, to_picture(dreamt)))
    return _png(contact_sheet(tiles), options)


def _dream_zoom(
    image: Image.Image | None,
    options: DreamOptions,
    network: LoadedNetwork,
    *,
    guide: Image.Image | None,
    generator: torch.Generator,
    counter: StepCounter,
) -> _Encoded:
    objective = _objective(options, network, guide)
    schedule = _schedule(options.replace(octaves=1))
    frame = fit_exactly(_required(image), options.size)
    frames = []
    for _ in range(options.zoom_frames):
        pixels = deepdream(
            to_pixels(frame, network.device),
            objective,
            schedule,
            generator=generator,
            counter=counter,
        )
        dreamt = to_picture(pixels)
        frames.append(dreamt)
        frame = zoom_in(dreamt)

    data = encode_animation(
        frames, image_format=options.animation_format, max_bytes=options.max_bytes
    )
    return frames[0].width, frames[0].height, data, f"image/{options.animation_format}"


_MODES: dict[Mode, Callable[..., _Encoded]] = {
    Mode.DREAM: _dream_still,
    Mode.NOISE: _dream_noise,
    Mode.SWEEP: _dream_sweep,
    Mode.ZOOM: _dream_zoom,
}


def _objective(
    options: DreamOptions, network: LoadedNetwork, guide: Image.Image | None
) -> Objective:
    objective = parse_objective(options.objective_expression(network.spec.default_layer), network)
    if objective.needs_guide:
        if guide is None:
            raise BadInput("A guided dream needs a guide picture; send one with the dream.")
        objective.set_guide(to_pixels(fit_exactly(guide, GUIDE_SIDE), network.device))
    return objective


def _schedule(options: DreamOptions) -> OctaveSchedule:
    return OctaveSchedule(
        octaves=options.octaves,
        octave_scale=options.octave_scale,
        steps=options.steps,
        step_size=options.step_size,
        jitter=options.jitter,
    )


def _total_steps(options: DreamOptions, image: Image.Image | None, network: LoadedNetwork) -> int:
    if options.mode is Mode.NOISE:
        return options.octaves * options.steps
    width, height = fit_size(_required(image).size, options.size)
    octaves = len(octave_sizes(height, width, _schedule(options)))
    if options.mode is Mode.SWEEP:
        return len(sweep_layers(network.spec)) * octaves * options.steps
    if options.mode is Mode.ZOOM:
        return options.zoom_frames * options.steps
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


def _png(picture: Image.Image, options: DreamOptions) -> _Encoded:
    metadata = {"engine_version": ENGINE_VERSION, "options": options.to_dict()}
    return picture.width, picture.height, encode_png(picture, metadata=metadata), "image/png"
