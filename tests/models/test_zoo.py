"""Model zoo: shapes, parameter counts, standard init, names."""

from __future__ import annotations

import pytest
import torch

from gcn_tickets.methods.pai import prunable_names
from gcn_tickets.models.zoo import MODELS, build_model


@pytest.mark.parametrize(
    "name,params",
    [("vgg11", 9_231_114), ("vgg16", 14_728_266), ("resnet20", 272_474),
     ("resnet18", 11_173_962)],
)  # fmt: skip
def test_cifar_models_parameter_counts_and_output(name, params):
    torch.manual_seed(0)
    m = build_model(name, num_classes=10)
    assert sum(p.numel() for p in m.parameters()) == params
    assert m.input_shape == (3, 32, 32)
    if name == "resnet20":
        assert m(torch.randn(2, 3, 32, 32)).shape == (2, 10)


def test_vgg16_names_and_init():
    torch.manual_seed(0)
    m = build_model("vgg16", num_classes=100)
    names = prunable_names(m)
    assert names[0] == "features.0.weight" and names[-1] == "classifier.weight"
    assert len(names) == 14  # 13 convs + classifier
    w = m.features[0].weight
    assert w.std().item() == pytest.approx((2 / 27) ** 0.5, rel=0.1)  # Kaiming fan_in
    assert torch.all(m.features[1].weight == 1) and torch.all(m.features[1].bias == 0)
    assert torch.all(m.classifier.bias == 0)


def test_resnet34_blocks_and_digits_cnn():
    m = build_model("resnet-34")
    assert [len(s) for s in m.layers] == [3, 4, 6, 3]
    assert len(prunable_names(m)) == 33 + 3 + 1  # convs + 3 projection shortcuts + fc
    d = build_model("digits_cnn", in_channels=1)
    assert d(torch.randn(3, 1, 8, 8)).shape == (3, 10) and d.input_shape == (1, 8, 8)


def test_unknown_model_lists_choices():
    with pytest.raises(ValueError, match="choose one of"):
        build_model("alexnet")
    assert "vgg16" in MODELS and "gcn" in MODELS
