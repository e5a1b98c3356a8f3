"""Fixtures for the engine's tests: the real default network and the sample photos."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from engine.networks import LoadedNetwork, load_network

SAMPLES = Path(__file__).resolve().parents[2] / "engine" / "samples"


@pytest.fixture(scope="session")
def lite0() -> LoadedNetwork:
    """The default network, trained, on the CPU."""
    return load_network("efficientnet_lite0", device="cpu")


@pytest.fixture(scope="session")
def cat() -> Image.Image:
    with Image.open(SAMPLES / "cat.jpg") as picture:
        return picture.convert("RGB")


@pytest.fixture(scope="session")
def espresso() -> Image.Image:
    with Image.open(SAMPLES / "espresso.jpg") as picture:
        return picture.convert("RGB")
