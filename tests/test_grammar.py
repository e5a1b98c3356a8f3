"""The dream-options grammar shared by the chat adapters."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from bot import grammar
from engine import BadInput, DreamOptions, Mode


def _seeds() -> Callable[[], int]:
    counter = itertools.count(100)
    return lambda: next(counter)


def test_words_in_any_order_build_options() -> None:
    request = grammar.parse_words(
        "deep of=banana seed=7 layer=blocks.4 octaves=3 size=768 mode=sweep https://x.test/a.jpg"
    )

    assert request.url == "https://x.test/a.jpg"
    assert request.options == DreamOptions(
        mode=Mode.SWEEP,
        dream_class="banana",
        seed=7,
        layer="blocks.4",
        octaves=3,
        size=768,
        steps=grammar.STRENGTHS["deep"].steps,
        step_size=grammar.STRENGTHS["deep"].step_size,
    )


def test_deeper_pushes_harder_than_the_base() -> None:
    base = DreamOptions(step_size=1.5)
    options = grammar.parse_words("deeper seed=1", base=base).options

    assert options.steps > base.steps
    assert options.step_size is not None
    assert options.step_size > 1.5


def test_gentler_pushes_more_softly() -> None:
    base = DreamOptions(steps=10, step_size=1.5)
    options = grammar.gentler(base)

    assert options.steps < base.steps
    assert options.step_size is not None
    assert options.step_size < 1.5


def test_gentler_and_deeper_stay_in_range() -> None:
    options = DreamOptions(steps=1, step_size=0.05)
    assert grammar.gentler(options).steps == 1
    assert grammar.gentler(options).step_size == 0.05

    strong = DreamOptions(steps=100, step_size=10.0)
    assert grammar.deeper(strong).steps == 100
    assert grammar.deeper(strong).step_size == 10.0


def test_a_mode_word_and_a_quoted_class() -> None:
    options = grammar.parse_words('noise of="tabby cat" seed=3').options

    assert options.mode is Mode.NOISE
    assert options.dream_class == "tabby cat"


def test_slack_link_form_is_read() -> None:
    request = grammar.parse_words("<https://x.test/cat.png|cat.png> gentle seed=1")

    assert request.url == "https://x.test/cat.png"
    assert request.options.steps == grammar.STRENGTHS["gentle"].steps


def test_unknown_words_get_one_sentence_listing_what_is_accepted() -> None:
    with pytest.raises(BadInput) as refused:
        grammar.parse_words("classic purple colour=red")

    message = str(refused.value)
    assert "'purple', 'colour=red'" in message
    assert "gentle" in message
    assert "of=" in message
    assert message.count(".") == 1
    assert message.endswith(".")


@pytest.mark.parametrize(
    ("words", "fragment"),
    [
        ("octaves=many", "octaves must be a whole number, not 'many'"),
        ("octaves=30", "octaves must be between 1 and 8, not 30"),
        ("strength=wild", "strength must be gentle or classic or deep"),
        ("mode=paint", "mode must be dream or noise or sweep or zoom"),
        ('of="banana', "quotation mark"),
    ],
)
def test_bad_values_are_refused(words: str, fragment: str) -> None:
    with pytest.raises(BadInput, match=fragment):
        grammar.parse_words(words)


def test_base_options_are_kept_where_nothing_is_said() -> None:
    base = DreamOptions(model="efficientnet_lite1", layer="blocks.3", size=256, steps=2)
    options = grammar.parse_words("octaves=2", base=base, seed_source=lambda: 5).options

    assert options == base.replace(octaves=2, seed=5)


def test_a_fresh_seed_when_none_is_given() -> None:
    seeds = _seeds()
    first = grammar.parse_words("", seed_source=seeds).options
    second = grammar.parse_words("", seed_source=seeds).options

    assert (first.seed, second.seed) == (100, 101)
    assert grammar.parse_words("seed=9", seed_source=seeds).options.seed == 9


def test_the_size_limit_of_a_community() -> None:
    with pytest.raises(BadInput, match="at most 512 pixels here, not 768"):
        grammar.parse_words("size=768", max_size=512)

    base = DreamOptions(size=1024)
    assert grammar.parse_words("", base=base, max_size=512).options.size == 512


def test_typed_fields_match_the_words() -> None:
    from_fields = grammar.options_from_fields(
        model="efficientnet_lite0",
        layer="blocks.5",
        dream_of="banana",
        strength="gentle",
        octaves=2,
        size=96,
        seed=11,
        mode="zoom",
    )
    from_words = grammar.parse_words(
        "model=efficientnet_lite0 layer=blocks.5 of=banana gentle octaves=2 size=96 seed=11 zoom"
    ).options

    assert from_fields == from_words


def test_typed_fields_left_out_keep_the_base() -> None:
    base = DreamOptions(size=96, octaves=1, steps=2)
    options = grammar.options_from_fields(base=base, seed_source=lambda: 4)

    assert options == base.replace(seed=4)


@pytest.mark.parametrize(
    "options",
    [
        DreamOptions(seed=3),
        DreamOptions(mode=Mode.NOISE, dream_class="tabby cat", seed=8, size=96),
        DreamOptions(layer="blocks.2", octaves=2, steps=20, step_size=2.0, seed=1),
        grammar.deeper(DreamOptions(seed=2, zoom_frames=12, mode=Mode.ZOOM)),
    ],
)
def test_to_words_reads_back_to_the_same_options(options: DreamOptions) -> None:
    words = grammar.to_words(options)

    assert grammar.parse_words(words).options == options


def test_to_words_against_a_base_writes_only_the_difference() -> None:
    base = DreamOptions(layer="blocks.4", size=256)

    assert grammar.to_words(base.replace(seed=6), base=base) == "seed=6"
    assert grammar.parse_words("layer=''", base=base).options.layer is None


def test_a_new_seed_differs() -> None:
    options = DreamOptions(seed=100)

    assert grammar.with_new_seed(options, seed_source=_seeds()).seed == 101


def test_share_lets_the_gallery_show_the_original() -> None:
    shared = grammar.parse_words("share deeper seed=3 https://x.test/a.jpg")
    kept = grammar.parse_words("deeper seed=3 https://x.test/a.jpg")

    assert shared.share_original is True
    assert kept.share_original is False
    assert shared.options == kept.options
    assert shared.url == kept.url


def test_share_is_listed_among_the_accepted_words() -> None:
    with pytest.raises(BadInput) as refused:
        grammar.parse_words("shared")

    assert f"{grammar.SHARE_WORD}," in str(refused.value)
