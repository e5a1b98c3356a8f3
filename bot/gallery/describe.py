"""How a dream's options read on a page: a sentence, a table, alt text, the command to remake it."""

from __future__ import annotations

from bot import grammar
from engine.errors import BadInput
from engine.options import DreamOptions, Mode

_MODE_WORDS = {
    Mode.DREAM: "A DeepDream of a picture",
    Mode.NOISE: "A dream from noise",
    Mode.SWEEP: "A layer sweep of a picture, shallow to deep",
    Mode.ZOOM: "A zoom into a dream",
}

_KIND_WORDS = {
    Mode.DREAM: "Dream",
    Mode.NOISE: "Noise dream",
    Mode.SWEEP: "Layer sweep",
    Mode.ZOOM: "Zoom",
}


def network_title(name: str) -> str:
    """The network's readable title from the registry, or its name when it is not registered."""
    try:
        from engine.networks import registry

        return str(registry.get_network_spec(name).title)
    except (BadInput, ImportError):
        return name


def target(options: DreamOptions) -> str:
    """What the network was asked to amplify, in a few words."""
    parts = []
    if options.objective is not None:
        parts.append(f"the objective {options.objective}")
    elif options.layer is not None:
        parts.append(f"layer {options.layer}")
    elif options.dream_class is None and not options.guide:
        parts.append("its default layer")
    if options.dream_class is not None:
        parts.append(f"the class “{options.dream_class}”")
    if options.guide:
        parts.append("what it sees in a guide picture")
    return " and ".join(parts)


def sentence(options: DreamOptions) -> str:
    """One sentence telling how the dream was made."""
    return (
        f"{_MODE_WORDS[options.mode]} by {network_title(options.model)}, amplifying "
        f"{target(options)}, over {_count(options.octaves, 'octave')} of scale "
        f"{options.octave_scale:g} with {_count(options.steps, 'step')} each, "
        f"{options.size} pixels on the longest side."
    )


def rows(options: DreamOptions) -> list[tuple[str, str]]:
    """The options as label and value pairs, for a table."""
    table = [
        ("Mode", options.mode.value),
        ("Network", network_title(options.model)),
        ("Amplifies", target(options)),
        ("Octaves", f"{options.octaves}, each {options.octave_scale:g} times the last"),
        ("Steps per octave", str(options.steps)),
        ("Step size", _step_size(options.step_size)),
        ("Jitter", f"{options.jitter} pixels"),
        ("Size", f"{options.size} pixels on the longest side"),
        ("Seed", str(options.seed)),
    ]
    if options.mode is Mode.ZOOM:
        table.append(("Frames", str(options.zoom_frames)))
    return table


def command(options: DreamOptions) -> str:
    """The chat command that dreams the same dream again."""
    return f"/dream {grammar.to_words(options)}"


def alt_text(options: DreamOptions, *, author: str) -> str:
    """Alt text for the dream's picture: what kind of picture, of what, by whom."""
    subject = f" of “{options.dream_class}”" if options.dream_class else ""
    return f"{_MODE_WORDS[options.mode]}{subject} by {network_title(options.model)}, for {author}"


def title(options: DreamOptions, *, author: str) -> str:
    """A short heading for the dream's page."""
    kind = _KIND_WORDS[options.mode]
    if options.dream_class:
        kind = f"{kind} of “{options.dream_class}”"
    return f"{kind} by {author}"


def _step_size(value: float | None) -> str:
    return "the network's own" if value is None else f"{value:g}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
