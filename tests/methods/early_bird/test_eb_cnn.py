"""Early-bird channel tickets on a tiny CNN trained on scikit-learn's digits (real 8x8 images)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from gcn_tickets.data.batches import accuracy
from gcn_tickets.methods.early_bird import EarlyBirdDetector
from gcn_tickets.methods.early_bird.channels import (
    ChannelMasker,
    add_bn_l1_subgradient,
    bn_layers,
    channel_masks,
    channel_param_masks,
    search_channel_ticket,
)


def tiny_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1, bias=False),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.Conv2d(8, 16, 3, padding=1, bias=False),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(2),
        nn.Flatten(),
        nn.Linear(64, 10),
    )


@pytest.fixture(scope="module")
def digits():
    from gcn_tickets.data.digits import digits_loaders

    return digits_loaders(seed=0)  # stratified 60/20/20 of the 1,797 images


def test_channel_masks_global_threshold() -> None:
    model = tiny_cnn()
    with torch.no_grad():
        model[1].weight.copy_(torch.arange(1, 9, dtype=torch.float32))  # 1..8
        model[4].weight.copy_(-torch.arange(1, 17, dtype=torch.float32) - 0.5)  # |.| 1.5..16.5
    masks = channel_masks(model, 0.25)  # 6 of 24 channels: |γ| 1, 1.5, 2, 2.5, 3, 3.5
    assert set(masks) == {"1", "4"}
    assert masks["1"].tolist() == [False] * 3 + [True] * 5
    assert masks["4"].tolist() == [False] * 3 + [True] * 13


def test_layer_collapse_guard() -> None:
    model = tiny_cnn()
    with torch.no_grad():
        model[1].weight.copy_(torch.linspace(0.01, 0.08, 8))  # all below layer 2
        model[4].weight.copy_(torch.linspace(1.0, 2.5, 16))
    plain = channel_masks(model, 8 / 24, min_keep=0)
    assert int(plain["1"].sum()) == 0 and int(plain["4"].sum()) == 16  # collapsed
    guarded = channel_masks(model, 8 / 24, min_keep=1)
    assert guarded["1"].tolist() == [False] * 7 + [True]  # keeps its largest channel
    assert guarded["4"].tolist() == [False] + [True] * 15  # exact count: 8 pruned in all
    with pytest.raises(ValueError, match="min_keep"):
        channel_masks(model, 23 / 24, min_keep=2)
    per_layer = channel_masks(model, 0.25, scope="layer")  # 2 of 8 and 4 of 16
    assert per_layer["1"].tolist() == [False] * 2 + [True] * 6
    assert per_layer["4"].tolist() == [False] * 4 + [True] * 12


def test_l1_subgradient_and_masker() -> None:
    model = tiny_cnn()
    bn = model[1]
    with torch.no_grad():
        bn.weight.copy_(torch.tensor([1.0, -2.0, 0.5, -0.1, 1.0, 1.0, 1.0, 1.0]))
    bn.weight.grad = torch.zeros(8)
    model[4].weight.grad = None  # no grad yet: must be skipped, not crash
    add_bn_l1_subgradient(model, 0.5)
    assert bn.weight.grad.tolist() == [0.5, -0.5, 0.5, -0.5, 0.5, 0.5, 0.5, 0.5]
    masks = {"1": torch.tensor([True, False] * 4)}
    masker = ChannelMasker(model, masks)
    masker.apply()
    assert bn.weight.tolist()[1::2] == [0.0] * 4 and bn.bias.tolist()[1::2] == [0.0] * 4
    assert bn.weight[0].item() == 1.0
    # a pruned channel outputs exactly zero after the BN+ReLU, whatever the input
    model.eval()
    out = model[:3](torch.randn(2, 1, 8, 8))
    assert torch.all(out[:, 1::2] == 0) and out[:, 0::2].abs().sum() > 0
    with pytest.raises(KeyError, match="BatchNorm"):
        ChannelMasker(model, {"0": torch.ones(8, dtype=torch.bool)})
    with pytest.raises(ValueError, match="BatchNorm"):
        bn_layers(nn.Sequential(nn.Conv2d(1, 2, 3)))


@pytest.fixture
def one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny convs: threads only add overhead on a shared machine
    yield
    torch.set_num_threads(old)


def test_early_bird_channel_ticket_on_digits(digits, one_thread) -> None:
    from gcn_tickets.training.cnn import train_cnn

    torch.manual_seed(0)
    model = tiny_cnn()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    det = EarlyBirdDetector(groups=("channels",), convention="pruned", eta=0.1, fifo=4)
    res = search_channel_ticket(
        model,
        lambda: digits.train,
        opt,
        sparsity=0.5,
        max_epochs=40,
        l1=1e-3,
        detector=det,
        min_keep=2,
    )
    assert res.fired_epoch is not None and 3 <= res.fired_epoch < 40
    assert res.epochs_run == res.fired_epoch
    assert res.training is not None and len(res.training.history) == res.epochs_run
    assert res.losses == [h["loss"] for h in res.training.history] and res.training.best_epoch == -1
    kept = sum(int(m.sum()) for m in res.masks.values())
    assert kept == 12  # exactly half of the 24 channels
    # the window that fired is below eta
    assert all(v < 0.1 for v in det.trajectory[-1].window)
    assert len(det.trajectory) == res.fired_epoch
    assert all(int(m.sum()) >= 2 for m in res.masks.values())
    # retrain the ticket (inherit the early-bird weights), held as parameter masks
    r = train_cnn(
        model,
        digits.train,
        digits.val,
        digits.test,
        masks=channel_param_masks(model, res.masks),
        epochs=5,
        lr=0.05,
        seed=1,
    )
    assert r.test > 0.85 and accuracy(model, digits.test) > 0.85
    for name, bn in bn_layers(model).items():
        assert torch.all(bn.weight.detach()[~res.masks[name]] == 0)
        assert torch.all(bn.bias.detach()[~res.masks[name]] == 0)
    assert ChannelMasker(model, res.masks).density() == pytest.approx(0.5)


def test_channel_param_masks_match_the_masker() -> None:
    from gcn_tickets.masks.apply import apply_masks

    masks = {"1": torch.tensor([True, False] * 4), "4": torch.arange(16) % 3 == 0}
    pm = channel_param_masks(tiny_cnn(), masks)
    assert set(pm) == {"1.weight", "1.bias", "4.weight", "4.bias"}
    assert torch.equal(pm["4.bias"], masks["4"])
    torch.manual_seed(0)
    a, b = tiny_cnn(), tiny_cnn()
    b.load_state_dict(a.state_dict())
    ChannelMasker(a, masks).apply()
    apply_masks(b, pm)
    x = torch.randn(3, 1, 8, 8)
    a.eval()
    b.eval()
    assert torch.equal(a(x), b(x))
    with pytest.raises(ValueError, match="8 channels"):
        channel_param_masks(tiny_cnn(), {"1": torch.ones(5, dtype=torch.bool)})


def test_channel_masks_ties_follow_the_one_top_k_rule():
    # all γ = 1: min_keep protects the highest index of each layer, then the lower flat
    # index is pruned first (gcn_tickets.pruning.topk)
    net = nn.Sequential(nn.Conv2d(1, 4, 1), nn.BatchNorm2d(4), nn.Conv2d(4, 2, 1), nn.BatchNorm2d(2))
    m = channel_masks(net, 0.5)  # 3 of 6 channels pruned
    assert m["1"].tolist() == [False, False, False, True]
    assert m["3"].tolist() == [True, True]
    lay = channel_masks(net, 0.5, scope="layer")
    assert lay["1"].tolist() == [False, False, True, True]
    assert lay["3"].tolist() == [False, True]


def test_search_without_stop_runs_the_budget_and_keeps_the_emergence_mask() -> None:
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(32, 1, 8, 8, generator=g), torch.arange(32) % 10
    out = []
    for stop in (True, False):
        torch.manual_seed(0)
        model = tiny_cnn()
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        det = EarlyBirdDetector(groups=("channels",), eta=1.0, fifo=2)
        res = search_channel_ticket(model, lambda: [(x[:16], y[:16]), (x[16:], y[16:])], opt,
                                    sparsity=0.5, max_epochs=6, detector=det, stop=stop)  # fmt: skip
        out.append(res)
    fired, full = out
    assert fired.fired_epoch == full.fired_epoch == 2 and fired.epochs_run == 2 and full.epochs_run == 6
    assert len(full.losses) == 6 and full.losses[:2] == fired.losses
    assert all(torch.equal(fired.masks[k], full.masks[k]) for k in fired.masks)
