"""The dream-options grammar that Discord and Slack share.

People ask for dreams in two shapes. Slack's ``/dream`` gets a line of words::

    deeper of=banana seed=7 layer=blocks.4 octaves=3 size=768 mode=sweep share https://…/cat.jpg

Discord's ``/dream`` gets typed fields (``strength="deep"``, ``octaves=3``, …).
Both end in one :class:`engine.DreamOptions`, built on top of the community's
defaults, by :func:`parse_words` and :func:`options_from_fields`.

Strength comes in named presets (:data:`STRENGTHS`: gentle, classic, deep),
and :func:`deeper` and :func:`gentler` step from any dream to a stronger or a
softer one; the result buttons and the words ``deeper`` and ``gentler`` use
them. :func:`to_words` writes options back as words that parse to the same
dream, which is how a dream is shown and remade.

The word ``share`` (:data:`SHARE_WORD`) is the author's consent to show the
original picture beside the dream in the gallery; it is not a dream option, so
it travels beside the options in :class:`DreamRequest`.

Every mistake is a :class:`engine.BadInput` with one sentence that lists what
is accepted. Names of networks, layers and classes are checked by the engine
when the dream starts, against its network registry.
"""

from __future__ import annotations

import dataclasses
import secrets
import shlex
from collections.abc import Callable, Mapping

from bot import messages
from engine.errors import BadInput
from engine.networks import with_network_defaults
from engine.options import RANGES, DreamOptions, Mode

__all__ = [
    "KEYS",
    "SHARE_WORD",
    "STRENGTHS",
    "DreamRequest",
    "Strength",
    "deeper",
    "gentler",
    "options_from_fields",
    "parse_words",
    "random_seed",
    "to_words",
    "with_new_seed",
]

_SEED_LIMIT = 2**31
_STEP_FACTOR = 1.6
_STEP_SIZE_FACTOR = 1.3


@dataclasses.dataclass(frozen=True)
class Strength:
    """How hard a dream pushes: gradient steps per octave and the size of each step."""

    steps: int
    step_size: float


STRENGTHS: Mapping[str, Strength] = {
    "gentle": Strength(steps=5, step_size=1.0),
    "classic": Strength(steps=10, step_size=1.5),
    "deep": Strength(steps=20, step_size=2.0),
}
"""The named strength presets, gentlest first; ``classic`` is the original method's."""

KEYS: Mapping[str, str] = {
    "model": "a network name",
    "layer": "a layer name",
    "of": "an ImageNet class to dream of",
    "strength": " or ".join(STRENGTHS),
    "mode": " or ".join(mode.value for mode in Mode),
    "octaves": "a whole number",
    "steps": "a whole number",
    "step": "a number",
    "size": "a whole number of pixels",
    "seed": "a whole number",
    "frames": "a whole number",
}
"""The ``key=value`` words, each with what its value may be."""

SHARE_WORD = "share"
"""The word by which the author lets the gallery show the original picture beside the dream."""

_MODE_NAMES = frozenset(mode.value for mode in Mode)
_NAME_KEYS = {"model": "model", "layer": "layer", "of": "dream_class"}
_WHOLE_NUMBER_KEYS = {"octaves": "octaves", "size": "size", "frames": "zoom_frames", "seed": "seed"}


@dataclasses.dataclass(frozen=True)
class DreamRequest:
    """What a line of words asks for: the options, the link to a picture if one was given,
    and whether the author lets the gallery show the original picture."""

    options: DreamOptions
    url: str | None = None
    share_original: bool = False


def parse_words(
    text: str,
    *,
    base: DreamOptions | None = None,
    max_size: int | None = None,
    seed_source: Callable[[], int] | None = None,
) -> DreamRequest:
    """The dream a line of words asks for, on top of ``base`` (the community's defaults).

    Words are read in any order: a strength preset, a mode name, ``deeper`` or
    ``gentler``, ``share``, ``key=value`` pairs (see :data:`KEYS`) and at most
    one http(s) link. Without ``seed=`` the dream gets a fresh seed from ``seed_source``
    (by default :func:`random_seed`).
    """
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise BadInput("A quotation mark in the dream options is not closed.") from exc

    fields: dict[str, str] = {}
    url = None
    share_original = False
    nudges: list[Callable[[DreamOptions], DreamOptions]] = []
    unknown = []
    for word in words:
        link = _link(word)
        lowered = word.lower()
        if link is not None and url is None:
            url = link
        elif lowered in STRENGTHS or lowered in _MODE_NAMES:
            fields["strength" if lowered in STRENGTHS else "mode"] = lowered
        elif lowered in ("deeper", "gentler"):
            nudges.append(deeper if lowered == "deeper" else gentler)
        elif lowered == SHARE_WORD:
            share_original = True
        elif "=" in word and word.split("=", 1)[0].lower() in KEYS:
            key, value = word.split("=", 1)
            fields[key.lower()] = value
        else:
            unknown.append(word)

    if unknown:
        raise BadInput(messages.unknown_words(unknown, _accepted_words()))

    options = _build(fields, base=base, max_size=max_size, seed_source=seed_source)
    for nudge in nudges:
        options = nudge(options)
    return DreamRequest(options, url, share_original=share_original)


def options_from_fields(
    *,
    base: DreamOptions | None = None,
    model: str | None = None,
    layer: str | None = None,
    dream_of: str | None = None,
    strength: str | None = None,
    octaves: int | None = None,
    size: int | None = None,
    seed: int | None = None,
    mode: str | None = None,
    max_size: int | None = None,
    seed_source: Callable[[], int] | None = None,
) -> DreamOptions:
    """The dream typed fields ask for (Discord's command options), on top of ``base``.

    A field left ``None`` keeps the base's value; the seed is then a fresh one.
    """
    given = {
        "model": model,
        "layer": layer,
        "of": dream_of,
        "strength": strength,
        "mode": mode,
        "octaves": octaves,
        "size": size,
        "seed": seed,
    }
    fields = {key: str(value) for key, value in given.items() if value is not None}
    return _build(fields, base=base, max_size=max_size, seed_source=seed_source)


def deeper(options: DreamOptions) -> DreamOptions:
    """The same dream pushed harder: more steps and longer ones, within the accepted ranges."""
    options = with_network_defaults(options)
    steps = _clamp("steps", round(options.steps * _STEP_FACTOR))
    return options.replace(steps=int(steps), step_size=_scaled_step(options, _STEP_SIZE_FACTOR))


def gentler(options: DreamOptions) -> DreamOptions:
    """The same dream pushed more softly: fewer and shorter steps, within the accepted ranges."""
    options = with_network_defaults(options)
    steps = _clamp("steps", round(options.steps / _STEP_FACTOR))
    return options.replace(steps=int(steps), step_size=_scaled_step(options, 1 / _STEP_SIZE_FACTOR))


def with_new_seed(
    options: DreamOptions, *, seed_source: Callable[[], int] | None = None
) -> DreamOptions:
    """The same dream with another seed, so its details fall differently."""
    source = seed_source or random_seed
    seed = source()
    while seed == options.seed:
        seed = source()
    return options.replace(seed=seed)


def random_seed() -> int:
    """A fresh seed, small enough to type back."""
    return secrets.randbelow(_SEED_LIMIT)


def to_words(options: DreamOptions, *, base: DreamOptions | None = None) -> str:
    """Words that :func:`parse_words` reads back (with the same ``base``) to equal options.

    Only what differs from ``base`` is written, except the seed, which is always
    written so the dream can be remade.
    """
    base = base or DreamOptions()
    words = []
    if options.mode != base.mode:
        words.append(options.mode.value)
    preset = _preset_of(options)
    if (options.steps, options.step_size) != (base.steps, base.step_size):
        if preset is not None:
            words.append(preset)
        else:
            words.append(f"steps={options.steps}")
            if options.step_size is not None:
                words.append(f"step={options.step_size:g}")

    for key, field in {**_NAME_KEYS, **_WHOLE_NUMBER_KEYS}.items():
        value = getattr(options, field)
        if key == "seed" or value != getattr(base, field):
            words.append(f"{key}={shlex.quote('' if value is None else str(value))}")
    return " ".join(words)


def _build(
    fields: Mapping[str, str],
    *,
    base: DreamOptions | None,
    max_size: int | None,
    seed_source: Callable[[], int] | None,
) -> DreamOptions:
    changes: dict[str, object] = {}
    if "strength" in fields:
        preset = _strength(fields["strength"])
        changes.update(steps=preset.steps, step_size=preset.step_size)
    if "mode" in fields:
        changes["mode"] = _mode(fields["mode"])
    for key, field in _NAME_KEYS.items():
        if key in fields:
            changes[field] = fields[key].strip() or None
    for key, field in _WHOLE_NUMBER_KEYS.items():
        if key in fields:
            changes[field] = _whole_number(key, fields[key])
    if "steps" in fields:
        changes["steps"] = _whole_number("steps", fields["steps"])
    if "step" in fields:
        changes["step_size"] = _number("step", fields["step"])
    if "seed" not in changes:
        changes["seed"] = (seed_source or random_seed)()

    size = changes.get("size")
    if max_size is not None and isinstance(size, int) and size > max_size:
        raise BadInput(messages.size_above_limit(max_size, size))

    options = (base or DreamOptions()).replace(**changes)
    if max_size is not None and options.size > max_size:
        options = options.replace(size=max_size)
    return options


def _strength(value: str) -> Strength:
    try:
        return STRENGTHS[value.strip().lower()]
    except KeyError:
        raise BadInput(messages.bad_option("strength", value, KEYS["strength"])) from None


def _mode(value: str) -> Mode:
    try:
        return Mode(value.strip().lower())
    except ValueError:
        raise BadInput(messages.bad_option("mode", value, KEYS["mode"])) from None


def _whole_number(key: str, value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise BadInput(messages.bad_option(key, value, KEYS[key])) from None


def _number(key: str, value: str) -> float:
    try:
        return float(value.strip())
    except ValueError:
        raise BadInput(messages.bad_option(key, value, KEYS[key])) from None


def _scaled_step(options: DreamOptions, factor: float) -> float | None:
    """The step size times ``factor``; ``None`` (the network's own step) stays ``None``."""
    if options.step_size is None:
        return None
    return _clamp("step_size", round(options.step_size * factor, 3))


def _clamp(field: str, value: float) -> float:
    accepted = RANGES[field]
    return min(max(value, accepted.low), accepted.high)


def _preset_of(options: DreamOptions) -> str | None:
    for name, preset in STRENGTHS.items():
        if (options.steps, options.step_size) == (preset.steps, preset.step_size):
            return name
    return None


def _link(word: str) -> str | None:
    """The http(s) link in ``word``, also in Slack's ``<https://…|label>`` form."""
    if word.startswith("<") and word.endswith(">"):
        word = word[1:-1].split("|", 1)[0]
    return word if word.lower().startswith(("http://", "https://")) else None


def _accepted_words() -> list[str]:
    keys = [f"{key}=" for key in KEYS]
    modes = [mode.value for mode in Mode]
    return [*STRENGTHS, "deeper", "gentler", SHARE_WORD, *modes, *keys, "a link"]
