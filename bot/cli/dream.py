"""``dreambot dream`` and ``dreambot models``: the engine straight from the command line."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from engine.errors import BadInput
from engine.options import RANGES, DreamOptions, Mode

_log = logging.getLogger(__name__)


def register(subcommands: Any) -> None:
    dream = subcommands.add_parser(
        "dream",
        help="dream a picture into a file",
        description="Dream INPUT (or noise) with an ImageNet network and write the result.",
    )
    _add_dream_arguments(dream)
    dream.set_defaults(handler=run_dream)

    models = subcommands.add_parser(
        "models", help="list the networks, their layers and whether their weights are here"
    )
    models.set_defaults(handler=run_models)


def _add_dream_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", nargs="?", type=Path, help="the picture to dream")
    parser.add_argument("-o", "--output", type=Path, required=True, help="where to write the dream")
    parser.add_argument("--noise", action="store_true", help="dream from noise instead of INPUT")
    parser.add_argument("--sweep", action="store_true", help="dream at several layers, one sheet")
    parser.add_argument("--zoom", type=int, metavar="FRAMES", help="a zoom animation of FRAMES")
    parser.add_argument("--model", default=None, help="the network (see 'dreambot models')")
    parser.add_argument("--weights", type=Path, help="a state dict to load into --model")
    parser.add_argument("--layer", help="the layer to amplify, by its friendly name")
    parser.add_argument("--objective", help="an objective such as 'blocks.4 + 0.5*blocks.5:12'")
    parser.add_argument("--class", dest="dream_class", metavar="NAME", help="an ImageNet class")
    parser.add_argument("--guide", type=Path, help="a picture whose features guide the dream")
    parser.add_argument("--octaves", type=int)
    parser.add_argument("--octave-scale", type=float)
    parser.add_argument("--steps", type=int, help="steps per octave")
    parser.add_argument("--step-size", type=float, help="step size in 0-255 pixel units")
    parser.add_argument("--jitter", type=int, help="the largest random roll, in pixels")
    parser.add_argument("--size", type=int, help="the longest side of the result, in pixels")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--device", help="cpu or cuda (default: cuda when present)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run_dream(args: argparse.Namespace) -> int:
    from engine import dream
    from engine.images import decode_image

    options = options_from_arguments(args)
    picture = None if args.noise else decode_image(_read(args.input, "input"))
    guide = decode_image(_read(args.guide, "guide")) if args.guide else None
    output = _checked_output(args.output, options)

    with _ProgressBar(enabled=not args.quiet) as bar:
        result = dream(picture, options, guide=guide, progress=bar.update, device=args.device)

    output.write_bytes(result.data)
    print(
        f"Dreamt {output} ({result.width}x{result.height}, {result.seconds:.1f} s, "
        f"seed {result.options.seed})."
    )
    return 0


def options_from_arguments(args: argparse.Namespace) -> DreamOptions:
    """The dream options the command line asks for, with the engine's defaults elsewhere."""
    if args.noise and args.input is not None:
        raise BadInput("Give either an INPUT picture or --noise, not both.")
    if not args.noise and args.input is None:
        raise BadInput("Give an INPUT picture to dream, or --noise to dream from noise.")
    if sum([args.noise, args.sweep, args.zoom is not None]) > 1:
        raise BadInput("Choose one of --noise, --sweep and --zoom.")

    chosen: dict[str, Any] = {"mode": _mode(args)}
    names = [
        "model",
        "layer",
        "objective",
        "dream_class",
        "octaves",
        "octave_scale",
        "steps",
        "step_size",
        "jitter",
        "size",
        "seed",
    ]
    chosen.update({name: getattr(args, name) for name in names if getattr(args, name) is not None})
    if args.zoom is not None:
        chosen["zoom_frames"] = args.zoom
    if args.guide is not None:
        chosen["guide"] = True
    if args.weights is not None:
        chosen["model"] = _register_weights(args.model, args.weights)
    return DreamOptions(**chosen)


def _mode(args: argparse.Namespace) -> Mode:
    if args.noise:
        return Mode.NOISE
    if args.sweep:
        return Mode.SWEEP
    if args.zoom is not None:
        return Mode.ZOOM
    return Mode.DREAM


def _register_weights(model: str | None, weights: Path) -> str:
    from engine.networks import register_checkpoint
    from engine.options import DEFAULT_MODEL

    if not weights.is_file():
        raise BadInput(f"The weights file {weights} does not exist; give a saved state dict.")
    architecture = model or DEFAULT_MODEL
    name = f"{architecture}@{weights.name}"
    register_checkpoint(name, architecture=architecture, weights_path=weights)
    return name


def _read(path: Path, role: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise BadInput(f"The {role} file {path} does not exist.") from None
    except IsADirectoryError:
        raise BadInput(f"The {role} path {path} is a folder; give a picture file.") from None
    except OSError as exc:
        raise BadInput(f"The {role} file {path} could not be read: {exc.strerror}.") from exc


def _checked_output(path: Path, options: DreamOptions) -> Path:
    expected = {Mode.ZOOM: f".{options.animation_format}"}.get(options.mode, ".png")
    if path.suffix.lower() != expected:
        raise BadInput(
            f"This dream is written as {expected[1:].upper()}; name the output *{expected}."
        )
    if not path.parent.exists():
        raise BadInput(f"The folder {path.parent} does not exist.")
    return path


class _ProgressBar:
    """A terminal progress bar fed by the engine's progress callback."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._bar: Any = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._bar is not None:
            self._bar.close()

    def update(self, progress: Any) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=progress.total, unit="step", desc="dreaming", leave=False)
        self._bar.set_postfix_str(f"octave {progress.octave}/{progress.octaves}")
        self._bar.update(progress.step - self._bar.n)


def run_models(args: argparse.Namespace) -> int:
    from engine.networks import NETWORKS

    for spec in NETWORKS.values():
        where = spec.weights.locate()
        state = "available offline" if where else f"not here: {spec.weights.description}"
        print(f"{spec.name:<20} {spec.title} - weights {state}")
        print(f"{'':<20} default layer {spec.default_layer}; layers {', '.join(spec.layer_names)}")
    print(
        "\nNumbers accepted: "
        + "; ".join(
            f"{name.replace('_', '-')} {_bounds(accepted.low, accepted.high)}"
            for name, accepted in RANGES.items()
            if name not in {"max_bytes", "seed"}
        )
    )
    return 0


def _bounds(low: float, high: float) -> str:
    return f"{low:g}-{high:g}"
