"""Dream options: ranges, defaults per mode, and the JSON round trip."""

from __future__ import annotations

import json

import pytest

from engine.errors import BadInput
from engine.options import RANGES, DreamOptions, Mode


def test_defaults_follow_the_original_method() -> None:
    options = DreamOptions()

    assert (options.octaves, options.octave_scale, options.steps, options.jitter) == (
        4,
        1.4,
        10,
        32,
    )
    assert options.mode is Mode.DREAM
    assert options.size == 512


def test_a_dream_from_noise_takes_more_steps_by_default() -> None:
    assert DreamOptions(mode=Mode.NOISE).steps > DreamOptions().steps
    assert DreamOptions(mode=Mode.NOISE, steps=5).steps == 5


@pytest.mark.parametrize("name", sorted(RANGES))
def test_every_number_outside_its_range_is_one_sentence(name: str) -> None:
    too_large = RANGES[name].high + 1

    with pytest.raises(BadInput) as raised:
        DreamOptions.from_dict({name: too_large})

    message = str(raised.value)
    assert "must be between" in message
    assert "\n" not in message
    assert message.endswith(".")


def test_a_number_given_as_text_is_refused() -> None:
    with pytest.raises(BadInput, match="must be a number"):
        DreamOptions(octaves="four")  # type: ignore[arg-type]


def test_layer_and_objective_together_are_refused() -> None:
    with pytest.raises(BadInput, match="either a layer or an objective"):
        DreamOptions(layer="blocks.4", objective="blocks.5")


def test_an_unknown_mode_lists_the_modes() -> None:
    with pytest.raises(BadInput, match="dream, noise, sweep, zoom"):
        DreamOptions.from_dict({"mode": "dance"})


def test_options_survive_a_json_round_trip() -> None:
    options = DreamOptions(mode=Mode.ZOOM, dream_class="banana", seed=7, step_size=2.0)

    restored = DreamOptions.from_dict(json.loads(json.dumps(options.to_dict())))

    assert restored == options


def test_unknown_keys_are_refused_by_name() -> None:
    with pytest.raises(BadInput, match="'sharpness'"):
        DreamOptions.from_dict({"sharpness": 3})


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (DreamOptions(), "blocks.4"),
        (DreamOptions(layer="blocks.2"), "blocks.2"),
        (DreamOptions(dream_class="banana"), "class:banana"),
        (DreamOptions(layer="blocks.3", dream_class="banana"), "blocks.3 + class:banana"),
        (DreamOptions(guide=True), "guide:blocks.4"),
        (DreamOptions(objective="blocks.4 + 0.5*blocks.5:1"), "blocks.4 + 0.5*blocks.5:1"),
    ],
)
def test_the_objective_expression_applies_the_shorthands(
    options: DreamOptions, expected: str
) -> None:
    assert options.objective_expression("blocks.4") == expected
