"""Applying a mask set in place, keeping it through training, exporting to torch.nn.utils.prune."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from gcn_tickets.masks.apply import apply_masks, export_to_prune, remove_prune
from gcn_tickets.masks.maskset import MaskError, MaskSet
from gcn_tickets.methods.pai import prune_at_init


def net() -> nn.Module:
    torch.manual_seed(0)
    m = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                      nn.Linear(4 * 4 * 4, 3))  # fmt: skip
    m.input_shape = (1, 6, 6)
    return m


def test_masks_survive_optimizer_steps_with_momentum_and_weight_decay():
    m = net()
    masks = prune_at_init(m, "rand", 0.3, seed=1)
    opt = torch.optim.SGD(m.parameters(), lr=0.5, momentum=0.9, weight_decay=1e-2)
    apply_masks(m, masks, optimizer=opt)
    params = dict(m.named_parameters())
    x, y = torch.randn(8, 1, 6, 6), torch.arange(8) % 3
    for _ in range(3):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(m(x), y).backward()
        opt.step()
    for name, mask in masks.weights.items():
        w = params[name].detach()
        assert torch.count_nonzero(w[~mask]) == 0, name
        assert torch.count_nonzero(w[mask]) == int(mask.sum()), name  # kept weights train
    assert MaskSet.from_module(m, names=masks.names()).equal(masks)


def test_without_hook_a_step_revives_weights_and_remasker_fixes_it():
    m = net()
    masks = prune_at_init(m, "mag", 0.3)
    rem = apply_masks(m, masks)
    opt = torch.optim.SGD(m.parameters(), lr=0.5)
    torch.nn.functional.cross_entropy(m(torch.randn(4, 1, 6, 6)), torch.zeros(4).long()).backward()
    opt.step()
    w = dict(m.named_parameters())["0.weight"].detach()
    assert torch.count_nonzero(w[~masks["0.weight"]]) > 0
    rem()
    assert torch.count_nonzero(w[~masks["0.weight"]]) == 0


def test_export_to_prune_read_back_by_mask_reader(tmp_path):
    m = net()
    masks = prune_at_init(m, "synflow", 0.2, iterations=3)
    export_to_prune(m, masks)
    assert hasattr(m[0], "weight_orig") and hasattr(m[0], "weight_mask")
    back = MaskSet.from_module(m, zeros=False)
    assert back.equal(MaskSet(masks.weights))
    # through a state_dict file
    torch.save(m.state_dict(), tmp_path / "pruned.pt")
    assert MaskSet.load(tmp_path / "pruned.pt").equal(MaskSet(masks.weights))
    remove_prune(m)
    assert not hasattr(m[0], "weight_mask")
    assert MaskSet.from_module(m, names=masks.names()).equal(MaskSet(masks.weights))


def test_export_pyg_gcn_read_back():
    from torch_geometric.nn import GCNConv

    class G(nn.Module):
        def __init__(self):
            super().__init__()
            self.convs = nn.ModuleList([GCNConv(5, 4), GCNConv(4, 3)])

    g = G()
    w = {"convs.0.lin.weight": torch.rand(4, 5) > 0.5, "convs.1.lin.weight": torch.rand(3, 4) > 0.5}
    export_to_prune(g, w)
    assert MaskSet.from_module(g, zeros=False).equal(MaskSet(w))


def test_apply_errors_name_the_problem():
    m = net()
    with pytest.raises(MaskError, match="name no parameter"):
        apply_masks(m, {"nope.weight": torch.ones(2, dtype=torch.bool)})
    with pytest.raises(MaskError, match="has shape"):
        apply_masks(m, {"0.weight": torch.ones(2, 2, dtype=torch.bool)})
