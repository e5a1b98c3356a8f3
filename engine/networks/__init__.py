"""The networks dreambot dreams with: a registry of specs and a cache of loaded networks."""

from engine.networks.loaded import Activations, LoadedNetwork
from engine.networks.registry import (
    NETWORKS,
    default_device,
    get_network_spec,
    load_network,
    register_checkpoint,
    with_network_defaults,
)
from engine.networks.spec import Layer, NetworkSpec

__all__ = [
    "NETWORKS",
    "Activations",
    "Layer",
    "LoadedNetwork",
    "NetworkSpec",
    "default_device",
    "get_network_spec",
    "load_network",
    "register_checkpoint",
    "with_network_defaults",
]
