"""Objective expressions: parsing, errors worded for people, and values that really rise."""

from __future__ import annotations

import itertools

import pytest
import torch

from engine.deepdream import OctaveSchedule, gradient_step, tiled_gradient
from engine.errors import BadInput, UnknownName
from engine.networks import LoadedNetwork
from engine.objectives import TermKind, parse_objective


def test_a_weighted_sum_of_terms_is_parsed(lite0: LoadedNetwork) -> None:
    objective = parse_objective("blocks.4 + 0.5*blocks.5:12,40 + -0.2*class:banana", lite0)

    kinds = [(term.kind, term.weight) for term in objective.terms]
    assert kinds == [(TermKind.LAYER, 1.0), (TermKind.CHANNELS, 0.5), (TermKind.CLASS, -0.2)]
    assert objective.terms[1].channels == (12, 40)
    assert lite0.categories[objective.terms[2].class_index or 0] == "banana"
    assert objective.layers == ["blocks.4", "blocks.5"]
    assert objective.needs_logits


def test_class_names_ignore_case_and_underscores(lite0: LoadedNetwork) -> None:
    objective = parse_objective("class:Golden_Retriever", lite0)

    assert lite0.categories[objective.terms[0].class_index or 0] == "golden retriever"


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("class:bananna", "did you mean 'banana'"),
        ("blocks.9", "no layer in efficientnet_lite0 named 'blocks.9'"),
        ("blocks.4 +", "not a sum of terms"),
        ("blocks.4:x", "is not a layer"),
    ],
)
def test_a_bad_expression_is_one_sentence(
    lite0: LoadedNetwork, expression: str, words: str
) -> None:
    with pytest.raises(BadInput) as raised:
        parse_objective(expression, lite0)

    assert words in str(raised.value)
    assert "\n" not in str(raised.value)


def test_an_unknown_class_lists_the_closest_names(lite0: LoadedNetwork) -> None:
    with pytest.raises(UnknownName) as raised:
        parse_objective("class:retriever", lite0)

    assert any("retriever" in name for name in raised.value.suggestions)


def test_a_channel_beyond_the_layer_is_refused(lite0: LoadedNetwork) -> None:
    objective = parse_objective("blocks.2:500", lite0)

    with pytest.raises(BadInput, match="channels 0 to 39; there is no channel 500"):
        objective(torch.rand(1, 3, 64, 64))


@pytest.mark.parametrize("expression", ["blocks.4", "blocks.3:7", "class:banana"])
def test_the_objective_rises_over_steps(lite0: LoadedNetwork, expression: str) -> None:
    objective = parse_objective(expression, lite0)
    schedule = OctaveSchedule(octaves=1, octave_scale=1.4, steps=4, step_size=2.5, jitter=8)
    generator = torch.Generator().manual_seed(0)
    pixels = torch.rand(1, 3, 96, 96, generator=generator) * 0.5 + 0.25

    values = []
    for _ in range(6):
        with torch.no_grad():
            values.append(float(objective(pixels)))
        pixels = gradient_step(pixels, objective, schedule, generator=generator)

    assert values[-1] > values[0]
    assert sum(later > earlier for earlier, later in itertools.pairwise(values)) >= 4


def test_a_guided_dream_follows_the_guide(lite0: LoadedNetwork) -> None:
    objective = parse_objective("guide:blocks.3", lite0)
    with pytest.raises(BadInput, match="none was given"):
        objective(torch.rand(1, 3, 64, 64))

    objective.set_guide(torch.rand(1, 3, 96, 96))
    value = objective(torch.rand(1, 3, 64, 64))

    assert value.ndim == 0 and torch.isfinite(value)


def test_a_tiled_gradient_equals_each_tile_taken_alone(lite0: LoadedNetwork) -> None:
    objective = parse_objective("blocks.3", lite0)
    pixels = torch.rand(1, 3, 100, 150, generator=torch.Generator().manual_seed(1))

    tiled = tiled_gradient(pixels, objective, tile=64)
    corner = tiled_gradient(pixels[:, :, :50, :50], objective, tile=1024)

    assert tiled.shape == pixels.shape
    torch.testing.assert_close(tiled[:, :, :50, :50], corner)
    assert not torch.allclose(tiled, tiled_gradient(pixels, objective, tile=1024))
