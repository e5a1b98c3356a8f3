"""The network registry: every network's layers exist, weights load whole or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
import torchvision.transforms.functional as TF
from PIL import Image

from engine.errors import BadInput, UnknownName, WeightsMissing
from engine.networks import NETWORKS, LoadedNetwork, get_network_spec, load_network
from engine.networks.registry import BUILTIN_NAMES, forget_loaded_networks, register_checkpoint
from engine.networks.weights import load_by_position


@pytest.mark.parametrize("name", sorted(BUILTIN_NAMES))
def test_every_layer_of_every_network_names_a_real_module(name: str) -> None:
    spec = get_network_spec(name)

    modules = dict(spec.build(1000).named_modules())

    assert spec.default_layer in spec.layer_names
    for layer in spec.layers:
        assert layer.module_path in modules, layer
    for alias, target in spec.aliases.items():
        assert spec.layer(alias).name == target


@pytest.mark.parametrize("name", ["efficientnet_lite0", "efficientnet_lite1", "efficientnet_lite2"])
def test_the_packaged_efficientnets_are_available_offline(name: str) -> None:
    assert NETWORKS[name].weights.locate() is not None


def _top_classes(network: LoadedNetwork, picture: Image.Image, count: int = 3) -> list[str]:
    pixels = TF.to_tensor(picture.resize((224, 224))).unsqueeze(0)
    with torch.no_grad():
        logits = network.activations(pixels, [], logits=True).logits
    assert logits is not None
    return [network.categories[index] for index in logits[0].topk(count).indices]


def test_the_default_network_recognises_the_sample_photos(
    lite0: LoadedNetwork, cat: Image.Image, espresso: Image.Image
) -> None:
    assert {"tabby", "tiger cat", "Egyptian cat"} & set(_top_classes(lite0, cat, 1))
    assert _top_classes(lite0, espresso, 1) == ["espresso"]


def test_a_layer_forward_pass_stops_at_that_layer(lite0: LoadedNetwork) -> None:
    pixels = torch.rand(1, 3, 96, 96)

    seen = lite0.activations(pixels, ["blocks.2"])

    assert seen.logits is None
    assert seen.layers["blocks.2"].shape[1] == 40


def test_weights_that_do_not_fit_are_refused_loudly() -> None:
    spec = get_network_spec("efficientnet_lite0")
    weights = spec.weights.state_dict(spec.name)
    first = next(iter(weights))
    damaged = dict(weights)
    damaged[first] = torch.zeros(16, 3, 3, 3)
    module = spec.build(1000)

    with pytest.raises(BadInput, match=r"has shape \(16, 3, 3, 3\)"):
        load_by_position(module, damaged, network=spec.name)
    with pytest.raises(BadInput, match="295 tensors"):
        load_by_position(module, dict(list(weights.items())[1:]), network=spec.name)


def test_an_unknown_network_suggests_the_closest() -> None:
    with pytest.raises(UnknownName, match="did you mean 'googlenet'"):
        get_network_spec("googlnet")


@pytest.fixture
def empty_torch_cache(tmp_path: Path) -> Iterator[Path]:
    previous = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path))
    forget_loaded_networks()
    yield tmp_path
    torch.hub.set_dir(previous)
    forget_loaded_networks()


def test_missing_download_weights_name_the_file_and_the_fix(
    empty_torch_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = get_network_spec("googlenet")
    # An address nothing listens on: the download fails at once, as it does offline.
    monkeypatch.setattr(spec.weights, "url", "http://127.0.0.1:9/googlenet-1378be20.pth")

    with pytest.raises(WeightsMissing) as raised:
        load_network("googlenet", device="cpu")

    message = str(raised.value)
    assert str(empty_torch_cache / "checkpoints" / "googlenet-1378be20.pth") in message
    assert "--weights PATH" in message
    assert not list((empty_torch_cache / "checkpoints").glob("*.partial"))


def test_weights_in_the_cache_are_used_without_a_download(empty_torch_cache: Path) -> None:
    spec = get_network_spec("googlenet")
    made_here = spec.build(1000).state_dict()
    checkpoints = empty_torch_cache / "checkpoints"
    checkpoints.mkdir()
    torch.save(made_here, checkpoints / "googlenet-1378be20.pth")

    network = load_network("googlenet", device="cpu")

    assert network.module.aux1 is None
    seen = network.activations(torch.rand(1, 3, 96, 96), ["mixed4c"])
    assert seen.layers["mixed4c"].shape[1] == 512


def test_a_community_checkpoint_with_its_own_classes_dreams(tmp_path: Path) -> None:
    spec = get_network_spec("efficientnet_lite0")
    own = spec.build(5).state_dict()
    path = tmp_path / "our-art.pth"
    torch.save({"state_dict": own}, path)

    registered = register_checkpoint(
        "our-art",
        architecture="efficientnet_lite0",
        weights_path=path,
        categories=["ink", "oil", "pixel", "clay", "glass"],
    )
    network = load_network("our-art", device="cpu")

    assert registered.default_layer == "blocks.4"
    assert network.num_classes == 5
    assert network.categories[2] == "pixel"
    with pytest.raises(BadInput, match="built-in network"):
        register_checkpoint("googlenet", architecture="googlenet", weights_path=path)


def test_a_named_weights_file_that_is_gone_is_named(tmp_path: Path) -> None:
    register_checkpoint(
        "vanished", architecture="efficientnet_lite0", weights_path=tmp_path / "vanished.pth"
    )

    with pytest.raises(WeightsMissing, match=r"vanished\.pth of vanished does not exist"):
        load_network("vanished", device="cpu")
