"""How fast the engine dreams, against a plain loop written the obvious way, in the same run.

The reference runs the whole network forward with a hook on the dreamt layer, in
float32 and the default memory layout, and back-propagates into every weight as
an unfrozen model does. The engine stops the forward pass at the layer, never
computes weight gradients, and on a GPU uses bfloat16 and channels-last.
Both take the same steps on the same picture, layer and settings.

    python benchmarks/engine_speed.py [--device cuda] [--steps 20]

Prints steps per second of both, their ratio, and the wall time of a default
dream of a 512 px picture (with peak GPU memory on a GPU).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import torch
from PIL import Image

from engine import DreamOptions, dream
from engine.deepdream import OctaveSchedule, gradient_step, to_pixels
from engine.networks import get_network_spec, load_network
from engine.networks.weights import load_by_position
from engine.objectives import parse_objective
from engine.runner import fit_exactly

SAMPLE = Path(__file__).resolve().parents[1] / "engine" / "samples" / "espresso.jpg"
LAYER = "blocks.4"
STEP_SIZE = 2.5
JITTER = 32


def reference_steps_per_second(pixels: torch.Tensor, steps: int, device: torch.device) -> float:
    """The obvious loop: full forward with a hook, float32, weights not frozen."""
    spec = get_network_spec("efficientnet_lite0")
    model = spec.build(1000)
    load_by_position(model, spec.weights.state_dict(spec.name), network=spec.name)
    model.eval().to(device)
    mean = torch.tensor(spec.mean, device=device).view(1, 3, 1, 1)
    std = torch.tensor(spec.std, device=device).view(1, 3, 1, 1)
    seen: dict[str, torch.Tensor] = {}
    module = dict(model.named_modules())[spec.layer(LAYER).module_path]
    module.register_forward_hook(lambda _m, _i, output: seen.__setitem__("layer", output))
    generator = torch.Generator().manual_seed(0)

    def step(image: torch.Tensor) -> torch.Tensor:
        shift = [
            int(value) for value in torch.randint(-JITTER, JITTER + 1, (2,), generator=generator)
        ]
        image = torch.roll(image, shift, (2, 3)).detach().requires_grad_(True)
        model.zero_grad()
        model((image - mean) / std)
        seen["layer"].pow(2).mean().backward()
        assert image.grad is not None
        gradient = image.grad
        image = image + (STEP_SIZE / 255) / (gradient.abs().mean() + 1e-8) * gradient
        return torch.roll(image.detach(), [-shift[0], -shift[1]], (2, 3)).clamp(0, 1)

    return _steps_per_second(step, pixels, steps, device)


def engine_steps_per_second(pixels: torch.Tensor, steps: int, device: torch.device) -> float:
    network = load_network("efficientnet_lite0", device=device)
    objective = parse_objective(LAYER, network)
    schedule = OctaveSchedule(
        octaves=1, octave_scale=1.4, steps=steps, step_size=STEP_SIZE, jitter=JITTER
    )
    generator = torch.Generator().manual_seed(0)

    def step(image: torch.Tensor) -> torch.Tensor:
        return gradient_step(image, objective, schedule, generator=generator)

    return _steps_per_second(step, pixels, steps, device)


def _steps_per_second(
    step: Callable[[torch.Tensor], torch.Tensor],
    pixels: torch.Tensor,
    steps: int,
    device: torch.device,
) -> float:
    image = pixels.clone()
    for _ in range(2):  # warm-up: allocator, kernels, autotuning
        image = step(image)
    _synchronise(device)

    started = time.perf_counter()
    for _ in range(steps):
        image = step(image)
    _synchronise(device)
    return steps / (time.perf_counter() - started)


def _synchronise(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def default_dream_seconds(picture: Image.Image, device: torch.device) -> float:
    started = time.perf_counter()
    dream(picture, DreamOptions(size=512), device=str(device))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    device = torch.device(args.device)

    picture = Image.open(SAMPLE).convert("RGB")
    pixels = to_pixels(fit_exactly(picture, 512), device)
    print(
        f"device {device}, {torch.get_num_threads()} CPU threads, picture "
        f"{pixels.shape[3]}x{pixels.shape[2]}, layer {LAYER}, {args.steps} steps each"
    )

    load_network("efficientnet_lite0", device=device)  # loading is not what is measured
    reference = reference_steps_per_second(pixels, args.steps, device)
    engine = engine_steps_per_second(pixels, args.steps, device)
    print(f"reference loop: {reference:.2f} steps/s")
    print(f"engine:         {engine:.2f} steps/s")
    print(f"ratio engine/reference: {engine / reference:.2f}x")

    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    seconds = default_dream_seconds(picture, device)
    print(f"default 512 px dream (4 octaves x 10 steps): {seconds:.2f} s")
    if device.type == "cuda":
        print(f"peak GPU memory: {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
