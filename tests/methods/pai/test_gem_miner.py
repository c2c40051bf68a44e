"""Gem-Miner: freezing rate, straight-through mask, exact target, accuracy before/after."""

from __future__ import annotations

import pytest
import torch

from gcn_tickets.methods.pai.gem_miner import freeze_rate, gem_miner, mine, straight_through_mask
from gcn_tickets.models.zoo import build_model


def test_freeze_rate_reaches_target_after_all_rounds():
    r, rounds = freeze_rate(0.05, 10, 1)
    assert rounds == 9 and (1 - r) ** 9 == pytest.approx(0.05)
    r, rounds = freeze_rate(0.01, 200, 20)
    assert rounds == 9 and r == pytest.approx(1 - 0.01 ** (1 / 9))
    with pytest.raises(ValueError, match="at least one freezing round"):
        freeze_rate(0.1, 3, 5)


def test_straight_through_mask_forward_hard_backward_flag():
    p = torch.tensor([0.2, 0.7, 0.9], requires_grad=True)
    flag = torch.tensor([True, True, False])
    m = straight_through_mask(p, flag)
    assert m.tolist() == [0.0, 1.0, 0.0]
    (m * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert p.grad.tolist() == [1.0, 2.0, 0.0]


def test_mine_exact_count_and_model_untouched():
    torch.manual_seed(0)
    m = build_model("digits_cnn", in_channels=1, width=8)
    before = {k: v.clone() for k, v in m.state_dict().items()}
    x, y = torch.randn(64, 1, 8, 8), torch.arange(64) % 10
    loader = [(x[:32], y[:32]), (x[32:], y[32:])]
    masks = mine(m, loader, 0.1, epochs=4, freeze_period=1)
    assert masks.kept() == round(0.1 * masks.total())
    assert mine(m, loader, 0.1, epochs=4, freeze_period=1).equal(masks)  # seeded
    for k, v in m.state_dict().items():
        assert torch.equal(v, before[k]), k


def test_gem_miner_digits_reaches_target_and_reports_accuracy():
    from gcn_tickets.data.digits import digits_loaders

    d = digits_loaders(batch_size=128)
    torch.manual_seed(0)
    m = build_model("digits_cnn", in_channels=1, width=8)
    res = gem_miner(m, d.train, 0.1, eval_data=d.test, epochs=4, weight_epochs=4)
    assert res.masks.kept() == round(0.1 * res.masks.total())
    assert res.density == pytest.approx(0.1, abs=1e-4)
    assert res.acc_after > 0.7  # ten classes: chance is 0.1
    assert 0.0 <= res.acc_before <= 1.0 and res.split == "eval"
    params = dict(m.named_parameters())
    for n, mask in res.masks.weights.items():
        assert torch.count_nonzero(params[n].detach()[~mask]) == 0


@pytest.mark.slow
def test_gem_miner_cora_gcn(tmp_path):
    from gcn_tickets.data.datasets import load_dataset

    task = load_dataset("Cora", root=tmp_path)
    torch.manual_seed(0)
    g = build_model("gcn", num_classes=task.num_classes, in_channels=task.num_features)
    res = gem_miner(g, task.data, 0.5, epochs=11, freeze_period=5, weight_epochs=40, weight_lr=0.05)
    assert res.masks.kept() == round(0.5 * res.masks.total())
    assert res.split == "test"
    assert res.acc_after > max(res.acc_before, 0.35)  # majority class 0.32
    assert res.masks.meta["acc_after"] == res.acc_after
    assert res.training is not None and len(res.training.history) == 40
    assert res.training.final["test"] == res.acc_after
