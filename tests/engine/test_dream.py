"""The engine's entry point end to end, with the real default network."""

from __future__ import annotations

import io
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from engine import BadInput, Cancelled, DreamOptions, Mode, Progress, dream
from engine.images import decode_image, read_metadata
from engine.networks import load_network

SMALL: dict[str, Any] = {"size": 96, "octaves": 2, "steps": 2}


def test_a_dream_changes_the_picture_and_keeps_its_shape(cat: Image.Image) -> None:
    result = dream(cat, DreamOptions(**SMALL))

    dreamt = decode_image(result.data)
    original = cat.resize(dreamt.size)
    difference = torch.tensor(list(dreamt.tobytes()), dtype=torch.float32) - torch.tensor(
        list(original.tobytes()), dtype=torch.float32
    )
    assert result.media_type == "image/png"
    assert (result.width, result.height) == dreamt.size == (96, 64)
    assert difference.abs().mean() > 2


def test_the_same_seed_gives_the_same_dream_and_another_seed_another(cat: Image.Image) -> None:
    first = dream(cat, DreamOptions(**SMALL, seed=5))
    again = dream(cat, DreamOptions(**SMALL, seed=5))
    other = dream(cat, DreamOptions(**SMALL, seed=6))

    assert decode_image(first.data).tobytes() == decode_image(again.data).tobytes()
    assert decode_image(first.data).tobytes() != decode_image(other.data).tobytes()


def test_the_metadata_remakes_the_dream(cat: Image.Image) -> None:
    result = dream(cat, DreamOptions(**SMALL, seed=11, layer="blocks.3"))

    metadata = read_metadata(result.data)
    assert metadata is not None
    remade = dream(cat, DreamOptions.from_dict(metadata["options"]))

    assert metadata["options"]["step_size"] == 2.5
    assert decode_image(remade.data).tobytes() == decode_image(result.data).tobytes()


def test_progress_counts_every_step_with_a_preview_per_octave(cat: Image.Image) -> None:
    seen: list[Progress] = []

    dream(cat, DreamOptions(size=160, octaves=3, steps=2), progress=seen.append)

    assert [report.step for report in seen] == list(range(1, 7))
    assert {report.total for report in seen} == {6}
    assert [report.octave for report in seen if report.preview is not None] == [1, 2, 3]
    assert seen[-1].preview is not None and seen[-1].preview.size == (160, 106)


def test_a_cancelled_dream_stops_between_steps(cat: Image.Image) -> None:
    seen: list[Progress] = []

    with pytest.raises(Cancelled):
        dream(
            cat,
            DreamOptions(size=96, octaves=2, steps=5),
            progress=seen.append,
            should_cancel=lambda: len(seen) >= 3,
        )

    assert len(seen) == 3


def test_a_dream_without_a_picture_is_refused() -> None:
    with pytest.raises(BadInput, match="A picture is needed"):
        dream(None, DreamOptions(**SMALL))


def test_a_guided_dream_needs_and_uses_its_guide(cat: Image.Image, espresso: Image.Image) -> None:
    with pytest.raises(BadInput, match="needs a guide picture"):
        dream(cat, DreamOptions(**SMALL, guide=True))

    result = dream(cat, DreamOptions(**SMALL, guide=True), guide=espresso)

    assert result.width == 96


def test_a_layer_sweep_is_one_contact_sheet(cat: Image.Image) -> None:
    result = dream(cat, DreamOptions(mode=Mode.SWEEP, size=64, octaves=1, steps=1))

    sheet = decode_image(result.data)
    assert sheet.width == 3 * 64
    assert sheet.height > 2 * 42


@pytest.mark.parametrize("animation_format", ["webp", "gif"])
def test_a_zoom_is_an_animation_within_its_byte_cap(
    cat: Image.Image, animation_format: str
) -> None:
    options = DreamOptions(
        mode=Mode.ZOOM,
        size=96,
        steps=1,
        zoom_frames=4,
        animation_format=animation_format,
        max_bytes=64 * 1024,
    )

    result = dream(cat, options)

    assert result.media_type == f"image/{animation_format}"
    assert len(result.data) <= 64 * 1024
    metadata = read_metadata(result.data)
    assert metadata is not None
    assert DreamOptions.from_dict(metadata["options"]) == options.replace(step_size=2.5)
    with Image.open(io.BytesIO(result.data)) as animation:
        assert getattr(animation, "n_frames", 1) == 4


def _top5(network_name: str, pixels: torch.Tensor) -> list[str]:
    judge = load_network(network_name, device="cpu")
    size = judge.spec.input_size
    with torch.no_grad():
        logits = judge.activations(
            F.interpolate(pixels, size=(size, size), mode="bilinear"), [], logits=True
        ).logits
    assert logits is not None
    return [judge.categories[index] for index in logits[0].topk(5).indices]


@pytest.mark.slow
@pytest.mark.parametrize("dream_class", ["banana", "goldfish"])
def test_a_class_dreamt_from_noise_is_recognised_by_another_network(dream_class: str) -> None:
    options = DreamOptions(
        mode=Mode.NOISE, dream_class=dream_class, size=224, octaves=4, steps=32, seed=1
    )

    result = dream(None, options)

    picture = decode_image(result.data)
    pixels = torch.tensor(list(picture.tobytes()), dtype=torch.float32).view(224, 224, 3)
    pixels = (pixels / 255).permute(2, 0, 1).unsqueeze(0)
    assert dream_class in _top5("efficientnet_lite1", pixels)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_dream_on_the_gpu_matches_the_cpu_in_shape_and_character(cat: Image.Image) -> None:
    on_gpu = dream(cat, DreamOptions(**SMALL, seed=3), device="cuda")
    on_cpu = dream(cat, DreamOptions(**SMALL, seed=3), device="cpu")

    gpu_picture = torch.tensor(list(decode_image(on_gpu.data).tobytes()), dtype=torch.float32)
    cpu_picture = torch.tensor(list(decode_image(on_cpu.data).tobytes()), dtype=torch.float32)
    assert gpu_picture.shape == cpu_picture.shape
    assert (gpu_picture - cpu_picture).abs().mean() < 40
