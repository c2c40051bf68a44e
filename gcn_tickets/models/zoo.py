"""Model zoo without torchvision: CIFAR-style VGG-11/16-BN, ResNet-18/20/34, a digits CNN.

Every model carries ``input_shape`` (without batch), used by SynFlow and the
layer-collapse check. Standard initialisation: Kaiming-normal (fan_in, ReLU)
for conv and linear weights, zero biases, BatchNorm weight 1 / bias 0 (as the
SynFlow reference's ``lottery_vgg`` / ``lottery_resnet``).

* ``vgg11``, ``vgg16``: conv3×3-BN-ReLU blocks with max-pools, then global
  average pooling and one ``Linear(512, num_classes)`` (CIFAR VGG). Weight
  names ``features.<i>.weight``, ``classifier.weight``.
* ``resnet20``: He et al.'s CIFAR ResNet (3 stages of 3 basic blocks, 16/32/64
  channels). ``resnet18``/``resnet34``: CIFAR variants of the ImageNet nets
  (3×3 stem without max-pool, 4 stages 64–512, blocks 2-2-2-2 / 3-4-6-3).
  Projection shortcuts (1×1 conv + BN) where the shape changes.
* ``digits_cnn``: a small CNN for 1×8×8 images (scikit-learn digits).
* ``gcn``: the PyG GCN of :mod:`gcn_tickets.models.gcn` (needs ``in_channels``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch import Tensor, nn

__all__ = ["MODELS", "build_model", "VGG", "ResNet", "DigitsCNN", "init_weights"]

VGG_PLANS: dict[str, list[int | str]] = {
    "vgg11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512],
    "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512],
}
RESNET_PLANS: dict[str, tuple[list[int], list[int]]] = {
    "resnet20": ([3, 3, 3], [16, 32, 64]),
    "resnet18": ([2, 2, 2, 2], [64, 128, 256, 512]),
    "resnet34": ([3, 4, 6, 3], [64, 128, 256, 512]),
}
MODELS = (*VGG_PLANS, *RESNET_PLANS, "digits_cnn", "gcn")


def init_weights(model: nn.Module) -> nn.Module:
    """Kaiming-normal conv/linear weights, zero biases, BatchNorm 1/0 (in place)."""
    for m in model.modules():
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
    return model


class VGG(nn.Module):
    """CIFAR VGG with BatchNorm: ``plan`` of channel counts and ``"M"`` (max-pool 2×2)."""

    def __init__(
        self,
        plan: Sequence[int | str],
        num_classes: int = 10,
        in_channels: int = 3,
        input_size: int = 32,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c = in_channels
        for spec in plan:
            if spec == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [
                    nn.Conv2d(c, int(spec), 3, padding=1),
                    nn.BatchNorm2d(int(spec)),
                    nn.ReLU(inplace=True),
                ]
                c = int(spec)
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c, num_classes)
        self.input_shape = (in_channels, input_size, input_size)
        init_weights(self)

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.pool(self.features(x)).flatten(1))


class BasicBlock(nn.Module):
    """conv3×3-BN-ReLU-conv3×3-BN + shortcut, ReLU."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.relu = nn.ReLU()
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out)
            )

    def forward(self, x: Tensor) -> Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    """CIFAR ResNet: 3×3 stem, stages of basic blocks, global average pool, linear."""

    def __init__(
        self,
        blocks: Sequence[int],
        widths: Sequence[int],
        num_classes: int = 10,
        in_channels: int = 3,
        input_size: int = 32,
    ) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, widths[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU()
        stages = []
        c = widths[0]
        for i, (n, w) in enumerate(zip(blocks, widths, strict=True)):
            stride = 1 if i == 0 else 2
            stage = []
            for j in range(n):
                stage.append(BasicBlock(c, w, stride if j == 0 else 1))
                c = w
            stages.append(nn.Sequential(*stage))
        self.layers = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, num_classes)
        self.input_shape = (in_channels, input_size, input_size)
        init_weights(self)

    def forward(self, x: Tensor) -> Tensor:
        out = self.layers(self.relu(self.bn1(self.conv1(x))))
        return self.fc(self.pool(out).flatten(1))


class DigitsCNN(nn.Module):
    """Small CNN for 8×8 images: 3 conv-BN-ReLU (32, 64, 64), 2 max-pools, 2 linear layers."""

    def __init__(self, num_classes: int = 10, in_channels: int = 1, width: int = 32) -> None:
        super().__init__()
        w = width
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, w, 3, padding=1),
            nn.BatchNorm2d(w),
            nn.ReLU(inplace=True),
            nn.Conv2d(w, 2 * w, 3, padding=1),
            nn.BatchNorm2d(2 * w),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(2 * w, 2 * w, 3, padding=1),
            nn.BatchNorm2d(2 * w),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(2 * w * 4, 128),
            nn.ReLU(inplace=True),
            nn.Linear(128, num_classes),
        )
        self.input_shape = (in_channels, 8, 8)
        init_weights(self)

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))


def build_model(name: str, num_classes: int = 10, in_channels: int = 3, **kwargs: Any) -> nn.Module:
    """Build a zoo model by name (see :data:`MODELS`); ``kwargs`` go to the constructor.

    Pass ``in_channels=1`` for the digits CNN. ``gcn`` builds the PyG GCN of
    :mod:`gcn_tickets.models.gcn` (``in_channels`` = number of node features).
    """
    key = name.lower().replace("-", "").replace("_", "")
    table = {m.replace("_", ""): m for m in MODELS}
    if key not in table:
        raise ValueError(f"unknown model {name!r}; choose one of {list(MODELS)}")
    name = table[key]
    if name in VGG_PLANS:
        return VGG(VGG_PLANS[name], num_classes, in_channels, **kwargs)
    if name in RESNET_PLANS:
        blocks, widths = RESNET_PLANS[name]
        return ResNet(blocks, widths, num_classes, in_channels, **kwargs)
    if name == "digits_cnn":
        return DigitsCNN(num_classes, in_channels, **kwargs)
    from gcn_tickets.models.gcn import GCN  # imports torch_geometric: only when asked for

    return GCN(in_channels, kwargs.pop("hidden_channels", 16), num_classes, **kwargs)
