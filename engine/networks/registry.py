"""The registry of networks by name, and the once-per-process cache of loaded ones."""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Mapping

import torch

from engine.errors import BadInput, UnknownName
from engine.networks.catalog import builtin_networks
from engine.networks.loaded import LoadedNetwork
from engine.networks.spec import NetworkSpec, closest
from engine.networks.weights import FileWeights, load_by_name, load_by_position
from engine.options import DreamOptions

_log = logging.getLogger(__name__)

NETWORKS: dict[str, NetworkSpec] = {spec.name: spec for spec in builtin_networks()}
"""Every network by name, the built-in ones first, then registered checkpoints."""

BUILTIN_NAMES = frozenset(NETWORKS)

_loaded: dict[tuple[str, str], LoadedNetwork] = {}
_loading = threading.Lock()


def get_network_spec(name: str) -> NetworkSpec:
    """The network called ``name``; :class:`UnknownName` lists the closest names otherwise."""
    try:
        return NETWORKS[name]
    except KeyError:
        suggestions = closest(name, list(NETWORKS)) or list(NETWORKS)[:3]
        raise UnknownName("network", name, suggestions) from None


def register_checkpoint(
    name: str,
    *,
    architecture: str,
    weights_path: str | os.PathLike[str],
    categories: list[str] | None = None,
) -> NetworkSpec:
    """Register a network trained elsewhere: a known architecture with its own state dict.

    The checkpoint may have its own number of classes (a community's own art
    styles, say); ``categories`` names them, otherwise they are ``class 0``,
    ``class 1`` and so on. Layers and defaults are those of ``architecture``.
    """
    base = get_network_spec(architecture)
    if name in BUILTIN_NAMES:
        raise BadInput(f"{name!r} is a built-in network; choose another name for the checkpoint.")

    spec = dataclasses.replace(
        base,
        name=name,
        title=f"{name} ({base.title}, own checkpoint)",
        weights=FileWeights(weights_path),
        categories_source=(lambda: list(categories)) if categories else base.categories_source,
        licence="as its owner set",
    )
    NETWORKS[name] = spec
    _log.info("Registered the checkpoint %s as network %s", weights_path, name)
    return spec


def with_network_defaults(options: DreamOptions) -> DreamOptions:
    """``options`` with what was left to the network (the step size) filled in."""
    if options.step_size is not None:
        return options
    return options.replace(step_size=get_network_spec(options.model).step_size)


def default_device() -> torch.device:
    """CUDA when a GPU is present, otherwise the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def load_network(name: str, *, device: str | torch.device | None = None) -> LoadedNetwork:
    """The network ``name``, trained and frozen on ``device``; loaded once per process."""
    spec = get_network_spec(name)
    target = torch.device(device) if device is not None else default_device()
    key = (spec.name, str(target))

    with _loading:
        if key not in _loaded:
            _loaded[key] = _load(spec, target)
        return _loaded[key]


def forget_loaded_networks() -> None:
    """Drop every cached network, so that the next use reloads its weights."""
    with _loading:
        _loaded.clear()


def _load(spec: NetworkSpec, device: torch.device) -> LoadedNetwork:
    weights = spec.weights.state_dict(spec.name)
    num_classes = _classifier_outputs(weights)
    module = spec.build(num_classes)

    if spec.weights_by_position:
        load_by_position(module, weights, network=spec.name)
    else:
        load_by_name(module, weights, network=spec.name)
    if spec.finish is not None:
        spec.finish(module)

    categories = spec.categories
    if len(categories) != num_classes:
        categories = [f"class {index}" for index in range(num_classes)]
    _log.info("Loaded %s on %s (%d classes)", spec.title, device, num_classes)
    return LoadedNetwork(
        spec, module, device=device, num_classes=num_classes, categories=categories
    )


def _classifier_outputs(weights: Mapping[str, object]) -> int:
    """The number of classes: the rows of the last matrix of the state dict."""
    matrices = [
        value for value in weights.values() if isinstance(value, torch.Tensor) and value.ndim == 2
    ]
    if not matrices:
        raise BadInput("The weights hold no classifier layer, so they are not an image classifier.")
    return int(matrices[-1].shape[0])
