"""What the engine knows about one network before loading it."""

from __future__ import annotations

import dataclasses
import difflib
import functools
from collections.abc import Callable, Mapping

from torch import nn

from engine.errors import UnknownName

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@functools.cache
def imagenet_categories() -> list[str]:
    """The 1000 ImageNet class names, in the order of the networks' outputs."""
    from torchvision.models import GoogLeNet_Weights

    categories: list[str] = GoogLeNet_Weights.IMAGENET1K_V1.meta["categories"]
    return categories


@dataclasses.dataclass(frozen=True)
class Layer:
    """A dreamable layer: a friendly name and the module path it stands for."""

    name: str
    module_path: str
    depth: str = ""
    """A few words on what the layer responds to, for listings."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class NetworkSpec:
    """One network of the registry, with everything needed to build and dream with it.

    ``build`` makes the architecture with untrained weights for ``num_classes``
    classes; ``weights`` says where its trained state dict comes from.
    ``layers`` run from shallow (strokes, textures) to deep (eyes, animals).
    """

    name: str
    title: str
    build: Callable[[int], nn.Module]
    weights: WeightsSource
    layers: tuple[Layer, ...]
    default_layer: str
    aliases: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Other accepted names of layers, such as ``mixed4c`` for ``inception4c``."""

    weights_by_position: bool = False
    """Whether the weights come from another implementation, matched by tensor order."""

    finish: Callable[[nn.Module], None] | None = None
    """Run after the weights are loaded, for example to drop training-only heads."""

    step_size: float = 1.5
    """The dream step (0-255 pixel units) tuned for this network; 1.5 in the original method."""

    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    input_size: int = 224
    licence: str = ""
    categories_source: Callable[[], list[str]] = dataclasses.field(
        default_factory=lambda: imagenet_categories
    )

    @property
    def layer_names(self) -> list[str]:
        return [layer.name for layer in self.layers]

    @property
    def categories(self) -> list[str]:
        return self.categories_source()

    def layer(self, name: str) -> Layer:
        """The layer called ``name`` (or one of its aliases); :class:`UnknownName` otherwise."""
        wanted = self.aliases.get(name, name)
        for layer in self.layers:
            if layer.name == wanted:
                return layer
        raise UnknownName(f"layer in {self.name}", name, closest(name, self.layer_names))


class WeightsSource:
    """Where a network's trained weights come from; see :mod:`engine.networks.weights`."""

    description: str = ""

    def locate(self) -> str | None:
        """The local file holding the weights, or ``None`` when it is not on this machine."""
        raise NotImplementedError

    def state_dict(self, network: str) -> dict[str, object]:
        """The weights, fetched or read; raises :class:`~engine.errors.WeightsMissing`."""
        raise NotImplementedError


def closest(name: str, choices: list[str], *, count: int = 3) -> list[str]:
    """Up to ``count`` names from ``choices`` that look like ``name``."""
    lowered = {choice.lower(): choice for choice in choices}
    matches = difflib.get_close_matches(name.lower(), lowered, n=count, cutoff=0.6)
    if len(matches) < count:
        containing = [key for key in lowered if name.lower() in key and key not in matches]
        matches += containing[: count - len(matches)]
    return [lowered[match] for match in matches]
