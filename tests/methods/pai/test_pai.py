"""Pruning at init: exact counts, ties, scope, schedule, SynFlow conservation, collapse."""

from __future__ import annotations

import copy
import math
import warnings

import pytest
import torch
from torch import nn

from gcn_tickets import prune_at_init
from gcn_tickets.methods.pai import (
    METHODS,
    LayerCollapseError,
    LayerCollapseWarning,
    collapse_report,
    erk_densities,
    exact_counts,
    path_counts,
    prunable_names,
    schedule_densities,
    snip_scores,
    synflow_scores,
    topk_masks,
)
from gcn_tickets.models.zoo import build_model


def tiny_cnn() -> nn.Module:
    torch.manual_seed(0)
    m = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Conv2d(4, 6, 3, padding=1),
        nn.BatchNorm2d(6),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(2),
        nn.Flatten(),
        nn.Linear(24, 5),
    )
    m.input_shape = (1, 6, 6)
    return m


def tiny_data(n: int = 40, classes: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    return torch.randn(n, 1, 6, 6, generator=g), torch.arange(n) % classes


# ----------------------------------------------------------------- tensors
def test_prunable_names_selects_weights_by_shape_and_first_last():
    m = tiny_cnn()
    assert prunable_names(m) == ["0.weight", "3.weight", "8.weight"]
    assert prunable_names(m, include_first=False) == ["3.weight", "8.weight"]
    assert prunable_names(m, include_last=False) == ["0.weight", "3.weight"]
    assert prunable_names(m, exclude=["3.weight"]) == ["0.weight", "8.weight"]


def test_prunable_names_pyg_linear_and_state_dict_names():
    from torch_geometric.nn import GCNConv

    class G(nn.Module):
        def __init__(self):
            super().__init__()
            self.convs = nn.ModuleList([GCNConv(5, 4), GCNConv(4, 3)])

    g = G()
    names = prunable_names(g)
    assert names == ["convs.0.lin.weight", "convs.1.lin.weight"]
    assert set(names) <= set(g.state_dict())


# ----------------------------------------------------------------- exact counts
@pytest.mark.parametrize("method", [m for m in METHODS if m != "gem_miner"])
@pytest.mark.parametrize("scope", ["global", "layer"])
@pytest.mark.parametrize("density", [0.37, 0.05])
def test_exact_counts_every_method_and_scope(method, scope, density):
    m = tiny_cnn()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LayerCollapseWarning)
        masks = prune_at_init(
            m, method, density, data=tiny_data(), scope=scope, iterations=3 if method in
            ("synflow", "itersnip") else None,
        )  # fmt: skip
    assert masks.names() == ["0.weight", "3.weight", "8.weight"]
    sizes = {n: masks[n].numel() for n in masks}
    if method == "uniform" or (scope == "layer" and method != "erk"):
        for n, size in sizes.items():
            assert int(masks[n].sum()) == round(density * size), n
    else:
        assert masks.kept() == round(density * sum(sizes.values()))
    assert masks.meta["method"] == method


def test_same_seed_same_masks_and_other_seed_differs():
    m = tiny_cnn()
    for method in ("rand", "erk", "uniform"):
        a = prune_at_init(m, method, 0.3, seed=3)
        b = prune_at_init(m, method, 0.3, seed=3)
        c = prune_at_init(m, method, 0.3, seed=4)
        assert a.equal(b) and not a.equal(c), method
    for method in ("snip", "grasp", "synflow"):
        a = prune_at_init(m, method, 0.3, data=tiny_data(), iterations=2)
        b = prune_at_init(m, method, 0.3, data=tiny_data(), iterations=2)
        assert a.equal(b), method


def test_model_untouched_by_scoring():
    m = tiny_cnn()
    before = copy.deepcopy(m.state_dict())
    prune_at_init(m, "synflow", 0.2, iterations=3)
    prune_at_init(m, "grasp", 0.2, data=tiny_data())
    for k, v in m.state_dict().items():
        assert torch.equal(v, before[k]), k


# ----------------------------------------------------------------- scores -> mask
def test_topk_ties_keep_higher_index_global_and_layer():
    # the one tie rule (gcn_tickets.pruning.topk): removed in ascending (score, flat index),
    # so among equal scores the HIGHER flat index is kept
    scores = {"a": torch.ones(2, 3), "b": torch.ones(4)}
    g = topk_masks(scores, 0.5, scope="global")  # k = 5 of 10, all tied
    flat = torch.cat([g["a"].flatten(), g["b"]])
    assert flat.tolist() == [False] * 5 + [True] * 5
    lay = topk_masks(scores, 0.5, scope="layer")
    assert lay["a"].flatten().tolist() == [False, False, False, True, True, True]
    assert lay["b"].tolist() == [False, False, True, True]


def test_topk_keeps_highest_and_breaks_ties_at_threshold():
    s = {"w": torch.tensor([0.1, 0.5, 0.5, 0.9, 0.5, -1.0])}
    m = topk_masks(s, 3 / 6)  # 0.9 then two of the three 0.5 ties: the higher indices 2, 4
    assert m["w"].tolist() == [False, False, True, True, True, False]


def test_topk_zero_ties_inside_allowed_keep_higher_index():
    # zeros at the threshold (dead units, all-zero Gem-Miner scores) among the unpruned entries
    s = {"a": torch.tensor([0.0, 0.0, 3.0]), "b": torch.tensor([0.0, 0.0, 0.0, 1.0])}
    allowed = {"a": torch.tensor([True, True, True]), "b": torch.tensor([True, False, True, True])}
    m = topk_masks(s, 4 / 7, allowed=allowed)  # keep 4 of the 6 allowed: 3, 1, then two of four zeros
    assert m["a"].tolist() == [False, False, True]
    assert m["b"].tolist() == [True, False, True, True]


def test_topk_rounding_nan_and_allowed():
    s = {"w": torch.tensor([3.0, float("nan"), 2.0, 1.0])}
    with pytest.warns(RuntimeWarning, match="NaN"):
        m = topk_masks(s, 0.75)
    assert m["w"].tolist() == [True, False, True, True]
    allowed = {"w": torch.tensor([False, True, True, True])}
    with pytest.warns(RuntimeWarning):
        m = topk_masks(s, 0.5, allowed=allowed)
    assert m["w"].tolist() == [False, False, True, True]
    with pytest.raises(ValueError, match="never un-prune"):
        topk_masks({"w": torch.ones(4)}, 1.0, allowed=allowed)
    # round(0.125 * 4) = round(0.5) = 0 (Python rounds half to even)
    assert int(topk_masks({"w": torch.ones(4)}, 0.125)["w"].sum()) == 0


def test_validation_messages():
    m = tiny_cnn()
    with pytest.raises(ValueError, match="0 < density <= 1"):
        prune_at_init(m, "mag", 0.0)
    with pytest.raises(ValueError, match="0 < density <= 1"):
        prune_at_init(m, "mag", 1.5)
    with pytest.raises(ValueError, match="`method` must be one of"):
        prune_at_init(m, "obd", 0.1)
    with pytest.raises(ValueError, match="`scope` must be one of"):
        prune_at_init(m, "mag", 0.1, scope="net")
    with pytest.raises(ValueError, match="needs data"):
        prune_at_init(m, "snip", 0.1)
    with pytest.raises(ValueError, match="`iterations` must be an integer >= 1"):
        prune_at_init(m, "synflow", 0.1, iterations=0)
    plain = nn.Sequential(nn.Linear(3, 3))
    with pytest.raises(ValueError, match="input_shape"):
        prune_at_init(plain, "synflow", 0.5)


# ----------------------------------------------------------------- schedule
def test_schedule_values():
    s = schedule_densities(0.01, 4)
    assert s == pytest.approx([0.01 ** (k / 4) for k in range(1, 5)])
    assert s[-1] == 0.01 and s[1] == pytest.approx(0.1)
    lin = schedule_densities(0.2, 4, "linear")
    assert lin == pytest.approx([0.8, 0.6, 0.4, 0.2])
    assert schedule_densities(0.3, 1) == [0.3]
    with pytest.raises(ValueError, match="`schedule` must be one of"):
        schedule_densities(0.3, 2, "cosine")


def test_iterative_masks_are_nested_along_schedule():
    m = tiny_cnn()
    a = prune_at_init(m, "synflow", 0.3, iterations=4)
    b = prune_at_init(m, "synflow", 0.3**2, iterations=8)  # same first 4 densities
    assert b.is_subset_of(a)


# ----------------------------------------------------------------- ERK
def test_erk_densities_formula_cap_and_exact_total():
    shapes = {"a": (4, 1, 3, 3), "b": (64, 64, 3, 3), "c": (32, 64, 3, 3)}
    d = erk_densities(shapes, 0.1)
    sizes = {n: math.prod(s) for n, s in shapes.items()}
    assert sum(d[n] * sizes[n] for n in d) == pytest.approx(0.1 * sum(sizes.values()))
    assert d["a"] == 1.0  # small first layer capped dense
    ratio = d["b"] / d["c"]
    assert ratio == pytest.approx((sum(shapes["b"]) / sizes["b"]) / (sum(shapes["c"]) / sizes["c"]))
    counts = exact_counts(sizes, d, round(0.1 * sum(sizes.values())))
    assert sum(counts.values()) == round(0.1 * sum(sizes.values()))
    assert counts["a"] == sizes["a"]


# ----------------------------------------------------------------- SynFlow
def test_synflow_conservation_bias_free_linear_network():
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Linear(5, 7, bias=False), nn.ReLU(), nn.Linear(7, 6, bias=False), nn.ReLU(),
        nn.Linear(6, 3, bias=False),
    )  # fmt: skip
    names = prunable_names(net)
    s = synflow_scores(net, names, input_shape=(5,))
    assert all(v.dtype == torch.float64 for v in s.values())
    # score entering hidden neuron j (row j of W1) = score leaving it (column j of W2)
    assert torch.allclose(s["0.weight"].sum(1), s["2.weight"].sum(0), rtol=1e-12)
    assert torch.allclose(s["2.weight"].sum(1), s["4.weight"].sum(0), rtol=1e-12)
    # every layer carries the same total flow R
    totals = [float(v.sum()) for v in s.values()]
    assert totals == pytest.approx([totals[0]] * 3, rel=1e-12)
    # R = 1ᵀ|W3||W2||W1|1
    w = [p.detach().double().abs() for p in net.parameters()]
    assert totals[0] == pytest.approx(float((w[2] @ w[1] @ w[0]).sum()), rel=1e-12)


def test_synflow_is_data_free_and_runs_on_a_gcn():
    from torch_geometric.data import Data
    from torch_geometric.nn import GCNConv

    class G(nn.Module):
        def __init__(self):
            super().__init__()
            self.convs = nn.ModuleList([GCNConv(6, 8), GCNConv(8, 3)])

        def forward(self, x, edge_index):
            return self.convs[1](self.convs[0](x, edge_index).relu(), edge_index)

    torch.manual_seed(0)
    ei = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])
    data = Data(x=torch.randn(4, 6), edge_index=ei, y=torch.tensor([0, 1, 2, 0]))
    data.train_mask = torch.ones(4, dtype=torch.bool)
    masks = prune_at_init(G(), "synflow", 0.25, data=data, iterations=5)
    assert masks.kept() == round(0.25 * (6 * 8 + 8 * 3))
    assert masks.meta["collapsed"] == []
    grasp = prune_at_init(G(), "grasp", 0.25, data=data)
    assert grasp.kept() == masks.kept()


def test_snip_scores_equal_abs_grad_times_weight():
    m = tiny_cnn().eval()
    x, y = tiny_data(10)
    names = prunable_names(m)
    s = snip_scores(m, names, (x, y), samples_per_class=None)
    m.zero_grad()
    torch.nn.functional.cross_entropy(m(x), y).backward()
    for n, p in m.named_parameters():
        if n in names:
            assert torch.allclose(s[n], (p.grad * p).abs())


def test_snip_uses_samples_per_class():
    m = tiny_cnn()
    x, y = tiny_data(40)  # 8 per class
    names = prunable_names(m)
    two = snip_scores(m, names, (x, y), samples_per_class=2)
    sel = torch.cat([(y == c).nonzero().view(-1)[:2] for c in range(5)]).sort().values
    ref = snip_scores(m, names, (x[sel], y[sel]), samples_per_class=None)
    for n in names:
        assert torch.allclose(two[n], ref[n])


# ----------------------------------------------------------------- collapse
def test_collapse_report_empty_and_disconnected_layers():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))
    net.input_shape = (3,)
    full = {n: torch.ones_like(p, dtype=torch.bool) for n, p in net.named_parameters()
            if p.dim() == 2}  # fmt: skip
    rep = collapse_report(net, full)
    assert not rep and rep.on_path["2.weight"] == 16
    # layer 0 feeds only hidden unit 0, layer 2 reads only hidden unit 1: no path
    cut = dict(full)
    cut["0.weight"] = torch.zeros(4, 3, dtype=torch.bool)
    cut["0.weight"][0] = True
    cut["2.weight"] = torch.zeros(4, 4, dtype=torch.bool)
    cut["2.weight"][:, 1] = True
    rep = collapse_report(net, cut)
    assert rep.empty == [] and set(rep.disconnected) == {"0.weight", "2.weight", "4.weight"}
    # a partly dead layer is reported by its on-path count, not as collapsed
    part = dict(full)
    part["2.weight"] = torch.zeros(4, 4, dtype=torch.bool)
    part["2.weight"][0, 0] = True
    part["4.weight"] = torch.zeros(2, 4, dtype=torch.bool)
    part["4.weight"][:, 0] = True
    part["4.weight"][0, 3] = True  # reads a dead hidden unit
    rep = collapse_report(net, part)
    assert rep.collapsed == [] and rep.on_path["4.weight"] == 2 and rep.kept["4.weight"] == 3
    empty = dict(full)
    empty["2.weight"] = torch.zeros(4, 4, dtype=torch.bool)
    rep = collapse_report(net, empty)
    assert rep.empty == ["2.weight"] and "2.weight" in rep.collapsed
    assert path_counts(net, full, input_shape=(3,))["0.weight"].sum() == 3 * 4 * 4 * 2


def test_collapse_through_max_pool_is_not_a_false_alarm():
    m = build_model("digits_cnn", in_channels=1)
    full = {n: torch.ones_like(p, dtype=torch.bool) for n, p in m.named_parameters()
            if p.dim() > 1}  # fmt: skip
    rep = collapse_report(m, full)
    assert rep.collapsed == []
    assert all(rep.on_path[n] == rep.kept[n] for n in full)


def test_prune_at_init_warns_or_raises_on_collapse():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
    net.input_shape = (8,)
    with torch.no_grad():
        net[2].weight.mul_(1e-6)  # magnitude pruning empties this layer
    with pytest.warns(LayerCollapseWarning, match=r"empty \['2.weight'\]"):
        masks = prune_at_init(net, "mag", 0.3)
    assert "2.weight" in masks.meta["collapsed"]
    with pytest.raises(LayerCollapseError, match="collapsed"):
        prune_at_init(net, "mag", 0.3, strict=True)
    masks = prune_at_init(net, "synflow", 0.3, iterations=20, strict=True)
    assert masks.meta["collapsed"] == [] and int(masks["2.weight"].sum()) > 0


def test_vgg_like_synflow_avoids_collapse_where_mag_collapses():
    """Small CIFAR VGG: at very low density Mag empties layers, SynFlow keeps them all."""
    from gcn_tickets.models.zoo import VGG

    torch.manual_seed(0)
    vgg = VGG([16, "M", 32, "M", 64, 64, 64], num_classes=10, in_channels=3, input_size=8)
    with pytest.warns(LayerCollapseWarning):
        mag = prune_at_init(vgg, "mag", 0.002)
    assert mag.meta["collapsed"]
    syn = prune_at_init(vgg, "synflow", 0.002, iterations=30, strict=True)
    assert syn.meta["collapsed"] == []
