"""What a dream pushes for: objective expressions and their values on a network.

An objective is a weighted sum of terms separated by ``+``::

    blocks.4                    every activation of a layer (the classic dream)
    blocks.5:12                 one channel of a layer; ``blocks.5:12,40`` for several
    class:banana                the logit of an ImageNet class
    guide:blocks.4              what the layer sees in the guide picture (guided dream)
    blocks.4 + 0.5*blocks.5:12  a weighted sum; a weight may be negative: ``-0.3*blocks.2``

A layer term is the mean square of the layer's activations (the original's
0.5 * ||a||^2, scaled to be comparable across layers of different sizes).
"""

from __future__ import annotations

import dataclasses
import enum
import re

import torch

from engine.errors import BadInput, UnknownName
from engine.networks.loaded import LoadedNetwork
from engine.networks.spec import closest

_TERM = re.compile(r"^(?:(?P<weight>[-+]?\d*\.?\d+(?:e[-+]?\d+)?)\s*\*\s*)?(?P<target>.+)$")
_LAYER_TARGET = re.compile(r"^(?P<layer>[A-Za-z_][\w.]*)(?::(?P<channels>[\d\s,]+))?$")


class TermKind(enum.Enum):
    LAYER = "layer"
    CHANNELS = "channels"
    CLASS = "class"
    GUIDE = "guide"


@dataclasses.dataclass(frozen=True)
class Term:
    """One weighted part of an objective."""

    kind: TermKind
    weight: float = 1.0
    layer: str | None = None
    channels: tuple[int, ...] = ()
    class_index: int | None = None


class Objective:
    """A parsed objective, bound to one network; call it on pixels to get the value to raise."""

    def __init__(self, terms: list[Term], network: LoadedNetwork) -> None:
        self.terms = terms
        self.network = network
        self.layers = sorted({term.layer for term in terms if term.layer is not None})
        self.needs_logits = any(term.kind is TermKind.CLASS for term in terms)
        self.needs_guide = any(term.kind is TermKind.GUIDE for term in terms)
        self._guide_features: dict[str, torch.Tensor] = {}

    def set_guide(self, guide_pixels: torch.Tensor) -> None:
        """Remember what the guide layers see in ``guide_pixels`` (1, 3, H, W in [0, 1])."""
        guide_layers = [
            term.layer
            for term in self.terms
            if term.kind is TermKind.GUIDE and term.layer is not None
        ]
        with torch.no_grad():
            seen = self.network.activations(guide_pixels, guide_layers)
        for name, features in seen.layers.items():
            # (1, C, h, w) -> (C, h*w): one column per position of the guide.
            self._guide_features[name] = features[0].flatten(1)

    def __call__(self, pixels: torch.Tensor) -> torch.Tensor:
        """The objective's value on ``pixels`` (N, 3, H, W in [0, 1]), as a scalar tensor."""
        if self.needs_guide and not self._guide_features:
            raise BadInput("This objective follows a guide picture, but none was given.")

        seen = self.network.activations(pixels, self.layers, logits=self.needs_logits)
        total = torch.zeros((), device=pixels.device)
        for term in self.terms:
            total = total + term.weight * self._term_value(term, seen.layers, seen.logits)
        return total

    def _term_value(
        self, term: Term, layers: dict[str, torch.Tensor], logits: torch.Tensor | None
    ) -> torch.Tensor:
        if term.kind is TermKind.CLASS:
            if logits is None or term.class_index is None:
                raise RuntimeError("a class term was evaluated without logits")
            return logits[:, term.class_index].mean()

        features = layers[str(term.layer)]
        if term.kind is TermKind.CHANNELS:
            _check_channels(term, features.shape[1])
            return features[:, list(term.channels)].mean()
        if term.kind is TermKind.GUIDE:
            return self._guide_match(features, self._guide_features[str(term.layer)])
        return features.pow(2).mean()

    @staticmethod
    def _guide_match(features: torch.Tensor, guide: torch.Tensor) -> torch.Tensor:
        """For each position, the best dot product with any position of the guide."""
        # (N, C, h, w) -> (N, h*w, C) @ (C, g) -> (N, h*w, g)
        positions = features.flatten(2).transpose(1, 2)
        similarity = positions @ guide
        return similarity.max(dim=2).values.mean()


def parse_objective(expression: str, network: LoadedNetwork) -> Objective:
    """Parse ``expression`` against ``network``; a bad term is one :class:`BadInput` sentence."""
    parts = [part.strip() for part in expression.split("+")]
    if not expression.strip() or any(not part for part in parts):
        raise BadInput(
            f"The objective {expression!r} is not a sum of terms; write for example "
            "'blocks.4 + 0.5*blocks.5:12' or 'class:banana'."
        )
    return Objective([_parse_term(part, network) for part in parts], network)


def _parse_term(text: str, network: LoadedNetwork) -> Term:
    match = _TERM.match(text)
    if match is None:
        raise BadInput(f"The objective term {text!r} could not be read.")
    weight = float(match["weight"]) if match["weight"] else 1.0
    target = match["target"].strip()

    kind, _, argument = target.partition(":")
    if kind == "class":
        return Term(TermKind.CLASS, weight, class_index=class_index(argument, network.categories))
    if kind == "guide":
        layer = argument.strip() or network.spec.default_layer
        return Term(TermKind.GUIDE, weight, layer=_layer_name(layer, network))

    layer_match = _LAYER_TARGET.match(target)
    if layer_match is None:
        raise BadInput(
            f"The objective term {text!r} is not a layer, 'layer:channel', 'class:NAME' "
            "or 'guide:layer'."
        )
    layer = _layer_name(layer_match["layer"], network)
    if layer_match["channels"] is None:
        return Term(TermKind.LAYER, weight, layer=layer)
    channels = tuple(int(part) for part in layer_match["channels"].split(",") if part.strip())
    return Term(TermKind.CHANNELS, weight, layer=layer, channels=channels)


def _layer_name(name: str, network: LoadedNetwork) -> str:
    return network.spec.layer(name.strip()).name


def class_index(name: str, categories: list[str]) -> int:
    """The output index of the class called ``name`` (any case; ``_`` for a space)."""
    wanted = name.strip().replace("_", " ").lower()
    if wanted.isdigit() and int(wanted) < len(categories):
        return int(wanted)
    for index, category in enumerate(categories):
        if category.lower() == wanted:
            return index
    raise UnknownName("ImageNet class", name.strip(), closest(wanted, categories))


def _check_channels(term: Term, available: int) -> None:
    for channel in term.channels:
        if channel >= available:
            raise BadInput(
                f"Layer {term.layer} has channels 0 to {available - 1}; "
                f"there is no channel {channel}."
            )
