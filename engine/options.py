"""What a dream is asked to be: the validated, serialisable options of one dream.

:class:`DreamOptions` is the one description of a dream that travels through the
whole system: the CLI and the chat adapters build it, the queue stores it as
JSON, the engine reads it, and the output PNG carries it so a dream can be
remade. Validation of ranges lives here; names (model, layer, class) are checked
against the network registry when the dream starts.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import Any

from engine.errors import BadInput

DEFAULT_MODEL = "efficientnet_lite0"
ANIMATION_FORMATS = ("webp", "gif")


class Mode(enum.StrEnum):
    """What kind of picture a dream produces."""

    DREAM = "dream"
    """A DeepDream of the input picture."""

    NOISE = "noise"
    """A dream from noise, usually of one class: a class visualisation."""

    SWEEP = "sweep"
    """The input dreamt at several layers, shallow to deep, as one contact sheet."""

    ZOOM = "zoom"
    """The zoom-into-the-dream loop as an animation."""


@dataclasses.dataclass(frozen=True)
class Range:
    """The accepted values of one numeric option."""

    low: float
    high: float

    def check(self, name: str, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadInput(f"{name} must be a number, not {value!r}.")
        if not self.low <= value <= self.high:
            raise BadInput(
                f"{name} must be between {_number(self.low)} and {_number(self.high)}, "
                f"not {_number(value)}."
            )


RANGES: dict[str, Range] = {
    "octaves": Range(1, 8),
    "octave_scale": Range(1.1, 2.0),
    "steps": Range(1, 100),
    "step_size": Range(0.05, 10.0),
    "jitter": Range(0, 128),
    "size": Range(64, 4096),
    "seed": Range(0, 2**63 - 1),
    "zoom_frames": Range(2, 240),
    "max_bytes": Range(64 * 1024, 512 * 1024 * 1024),
}


MODE_DEFAULTS: dict[Mode, dict[str, int]] = {
    Mode.DREAM: {"steps": 10, "size": 512},
    Mode.NOISE: {"steps": 48, "size": 288},
    Mode.SWEEP: {"steps": 10, "size": 384},
    Mode.ZOOM: {"steps": 4, "size": 384},
}
"""Options whose default depends on the mode: a dream from noise needs many more steps."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class DreamOptions:
    """Every choice that shapes one dream; equal options and seed give an equal dream.

    The numbers follow the original method: 4 octaves of scale 1.4, 10 steps each,
    a step of 1.5 (in 0-255 pixel units) divided by the mean absolute gradient, and
    a random roll of up to 32 pixels before every step.
    """

    mode: Mode = Mode.DREAM
    model: str = DEFAULT_MODEL
    objective: str | None = None
    """An objective expression such as ``blocks.4 + 0.5*blocks.5:12``; see
    :mod:`engine.objectives`. ``None`` means the network's default layer."""

    layer: str | None = None
    """Shorthand for an objective of one whole layer."""

    dream_class: str | None = None
    """An ImageNet class name to dream of, such as ``banana``."""

    guide: bool = False
    """Whether a guide picture is given with the dream (guided dreaming)."""

    octaves: int = 4
    octave_scale: float = 1.4
    # ``steps`` and ``size`` default by mode (MODE_DEFAULTS): ``None`` is replaced while the
    # object is made, so every DreamOptions holds a number there.
    steps: int = None  # type: ignore[assignment]
    """Gradient steps per octave; by default 10, or 48 for a dream from noise."""

    step_size: float | None = None
    """In 0-255 pixel units; ``None`` leaves it to the dreaming network, whose tuned step
    :func:`engine.networks.with_network_defaults` fills in (1.5 in the original method, a
    little more for the EfficientNets)."""

    jitter: int = 32
    size: int = None  # type: ignore[assignment]
    """The longest side of the result in pixels; by default 512, or 288 for a dream from noise."""

    seed: int = 0
    zoom_frames: int = 24
    max_bytes: int = 8 * 1024 * 1024
    """The largest a zoom animation may be once encoded; frames are shrunk until it fits."""

    animation_format: str = "webp"
    """``webp`` or ``gif``, for a zoom animation."""

    def __post_init__(self) -> None:
        mode = _mode(self.mode)
        object.__setattr__(self, "mode", mode)
        for name, default in MODE_DEFAULTS[mode].items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, default)
        for name, accepted in RANGES.items():
            if getattr(self, name) is not None:
                accepted.check(name.replace("_", " "), getattr(self, name))

        if self.animation_format not in ANIMATION_FORMATS:
            raise BadInput(
                f"The animation format must be webp or gif, not {self.animation_format!r}."
            )
        if self.layer is not None and self.objective is not None:
            raise BadInput("Give either a layer or an objective, not both.")

    def objective_expression(self, default_layer: str) -> str:
        """The objective this dream optimises, with the class and layer shorthands applied."""
        terms = []
        if self.objective is not None:
            terms.append(self.objective)
        elif self.layer is not None:
            terms.append(self.layer)
        elif self.dream_class is None and not self.guide:
            terms.append(default_layer)

        if self.dream_class is not None:
            terms.append(f"class:{self.dream_class}")
        if self.guide and not terms:
            terms.append(f"guide:{default_layer}")
        return " + ".join(terms)

    def replace(self, **changes: Any) -> DreamOptions:
        """A copy with some options changed, validated again."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form that :meth:`from_dict` reads back to an equal object."""
        data = dataclasses.asdict(self)
        data["mode"] = self.mode.value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DreamOptions:
        """Options from :meth:`to_dict`'s form; unknown keys are a :class:`BadInput`."""
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise BadInput(
                f"Unknown dream option {unknown[0]!r}; the options are {', '.join(sorted(known))}."
            )
        try:
            return cls(**data)
        except TypeError as exc:
            raise BadInput(f"Dream options could not be read: {exc}.") from exc


def _mode(value: Mode | str) -> Mode:
    try:
        return Mode(value)
    except ValueError:
        accepted = ", ".join(mode.value for mode in Mode)
        raise BadInput(f"The mode must be one of {accepted}, not {value!r}.") from None


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
