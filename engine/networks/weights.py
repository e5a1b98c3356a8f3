"""Where trained weights come from, and how they are matched to an architecture.

Three sources: a file shipped inside a PyPI package (the offline default), a
file downloaded on first use into torch's cache (torchvision's networks), and a
file the operator names (``--weights PATH``, or a community's own checkpoint).
"""

from __future__ import annotations

import importlib
import logging
import os
import urllib.error
from collections.abc import Mapping
from pathlib import Path

import torch
from torch import nn

from engine.errors import BadInput, EngineUnavailable, WeightsMissing
from engine.networks.spec import WeightsSource

_log = logging.getLogger(__name__)

StateDict = dict[str, torch.Tensor]


class PackagedWeights(WeightsSource):
    """A state dict inside an installed package, found by the package's own locator class."""

    def __init__(self, package: str, locator: str, *, extra: str | None = None) -> None:
        self.package = package
        self.locator = locator
        self.extra = extra
        self.description = f"shipped in the PyPI package {package.replace('_', '-')}"

    def locate(self) -> str | None:
        try:
            module = importlib.import_module(self.package)
        except ImportError:
            return None
        path: str = getattr(module, self.locator).get_model_file_path()
        return path if os.path.exists(path) else None

    def state_dict(self, network: str) -> dict[str, object]:
        path = self.locate()
        if path is None:
            install = f"dreambot[{self.extra}]" if self.extra else self.package.replace("_", "-")
            raise EngineUnavailable(
                f"The weights of {network} come with the package "
                f"{self.package.replace('_', '-')}, which is not installed; "
                f"install it with: pip install '{install}'."
            )
        return read_state_dict(path)


class DownloadedWeights(WeightsSource):
    """A state dict downloaded once from ``url`` into torch's cache of checkpoints."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.description = "downloaded on first use into torch's cache"

    @property
    def cache_path(self) -> Path:
        return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(self.url)

    def locate(self) -> str | None:
        return str(self.cache_path) if self.cache_path.exists() else None

    def state_dict(self, network: str) -> dict[str, object]:
        if not self.cache_path.exists():
            self._download(network)
        return read_state_dict(str(self.cache_path))

    def _download(self, network: str) -> None:
        _log.info("Downloading the weights of %s from %s", network, self.url)
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.cache_path.with_suffix(".partial")
        try:
            torch.hub.download_url_to_file(self.url, str(partial), progress=True)
        except (urllib.error.URLError, OSError) as exc:
            partial.unlink(missing_ok=True)
            raise WeightsMissing(network, str(self.cache_path), self.url) from exc
        partial.rename(self.cache_path)


class FileWeights(WeightsSource):
    """A state dict in a file the operator named."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.description = f"the file {self.path}"

    def locate(self) -> str | None:
        return str(self.path) if self.path.exists() else None

    def state_dict(self, network: str) -> dict[str, object]:
        if not self.path.exists():
            raise WeightsMissing(network, str(self.path), None)
        return read_state_dict(str(self.path))


def read_state_dict(path: str) -> dict[str, object]:
    """Read a checkpoint: a bare state dict, or one under a ``state_dict``/``model`` key."""
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, EOFError, ValueError) as exc:
        raise BadInput(
            f"The weights file {path} could not be read as a PyTorch state dict: {exc}."
        ) from exc

    for key in ("state_dict", "model"):
        if isinstance(loaded, Mapping) and isinstance(loaded.get(key), Mapping):
            loaded = loaded[key]
    if not isinstance(loaded, Mapping):
        raise BadInput(f"The weights file {path} holds no state dict.")
    return dict(loaded)


def load_by_name(module: nn.Module, weights: Mapping[str, object], *, network: str) -> None:
    """Load ``weights`` whose names match ``module``'s; every tensor must be used and fit."""
    result = module.load_state_dict(_tensors(weights, network), strict=False)
    problems = [*result.missing_keys, *result.unexpected_keys]
    if problems:
        raise BadInput(
            f"The weights do not fit {network}: {len(result.missing_keys)} tensors missing "
            f"and {len(result.unexpected_keys)} unexpected (first: {problems[0]})."
        )


def load_by_position(module: nn.Module, weights: Mapping[str, object], *, network: str) -> None:
    """Load ``weights`` saved under other names, matching tensors by order and checking shapes.

    A checkpoint from another implementation of the same architecture lists its
    tensors in the same order under different names. Any difference in count or
    in one shape is an error: a partial load would dream with a broken network.
    """
    target = module.state_dict()
    source = list(_tensors(weights, network).items())
    if len(source) != len(target):
        raise BadInput(
            f"The weights do not fit {network}: the file has {len(source)} tensors "
            f"and the network {len(target)}."
        )

    renamed: StateDict = {}
    for (target_name, target_tensor), (source_name, tensor) in zip(
        target.items(), source, strict=True
    ):
        if tensor.shape != target_tensor.shape:
            raise BadInput(
                f"The weights do not fit {network}: {source_name} has shape "
                f"{tuple(tensor.shape)} where {target_name} needs {tuple(target_tensor.shape)}."
            )
        renamed[target_name] = tensor
    module.load_state_dict(renamed, strict=True)


def _tensors(weights: Mapping[str, object], network: str) -> StateDict:
    tensors = {name: value for name, value in weights.items() if isinstance(value, torch.Tensor)}
    if len(tensors) != len(weights):
        raise BadInput(f"The weights of {network} hold entries that are not tensors.")
    return tensors
