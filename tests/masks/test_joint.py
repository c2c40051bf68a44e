import pytest
import torch
from torch_geometric.nn import GCNConv

from gcn_tickets.masks.edges import undirected_edges
from gcn_tickets.masks.joint import JointMasks, load_plain_state_dict, plain_state_dict
from gcn_tickets.masks.maskset import MaskError, MaskSet
from gcn_tickets.models.gcn import GCN, count_parameters

# a path 0-1-2-3 plus edge 0-2, both directions, shuffled
EDGES = torch.tensor([[1, 0, 2, 1, 3, 2, 0, 2], [0, 1, 1, 2, 2, 3, 2, 0]])


def test_undirected_edges_canonical_order():
    und, inv = undirected_edges(EDGES, 4)
    assert und.tolist() == [[0, 0, 1, 2], [1, 2, 2, 3]]
    assert inv.tolist() == [0, 0, 2, 2, 3, 3, 1, 1]


def test_graph_mask_is_symmetric_and_prunes_both_directions():
    model = GCN(3, 4, 2)
    masks = MaskSet({}, graph=torch.tensor([1, 0, 1, 1]))  # drop undirected edge 0-2
    jm = JointMasks(model, EDGES, 4, masks=masks, weight_names=[], learn_graph=True)
    with torch.no_grad():
        jm.graph.score.copy_(torch.tensor([0.3, 0.9, 0.5, 0.7]))
    ew = jm.edge_weight()
    # weight of (u, v) equals weight of (v, u); pruned edge weighs 0 in both directions
    assert ew.tolist() == pytest.approx([0.3, 0.3, 0.5, 0.5, 0.7, 0.7, 0.0, 0.0])
    kept = jm.ticket_edge_index(EDGES)
    assert kept.size(1) == 6
    assert not ((kept[0] == 0) & (kept[1] == 2)).any() and not ((kept[0] == 2) & (kept[1] == 0)).any()


def test_graph_mask_size_mismatch():
    with pytest.raises(MaskError, match="graph mask has 3 entries but the graph has 4"):
        JointMasks(GCN(3, 4, 2), EDGES, 4, masks=MaskSet({}, graph=torch.ones(3)), weight_names=[])


def test_cached_conv_is_refused():
    model = GCN(3, 4, 2)
    model.convs[0] = GCNConv(3, 4, cached=True)
    with pytest.raises(MaskError, match=r"'convs.0' \(GCNConv\) has cached=True.*cached=False"):
        JointMasks(model, EDGES, 4)
    JointMasks(model, None, None)  # weight masks only: allowed


def test_fixed_weight_mask_stays_zero_through_training():
    torch.manual_seed(0)
    model = GCN(3, 8, 2)
    kept = torch.rand(8, 3) > 0.5
    jm = JointMasks(
        model, EDGES, 4, masks=MaskSet({"convs.0.lin.weight": kept}), learn_graph=False, learn_weights=False
    )
    opt = torch.optim.Adam(model.parameters(), lr=0.1, weight_decay=1e-3)
    x = torch.randn(4, 3)
    for _ in range(5):
        opt.zero_grad()
        model(x, EDGES, jm.edge_weight()).sum().backward()
        opt.step()
    w = model.convs[0].lin.weight
    assert torch.all(w[~kept] == 0) and torch.all(w[kept] != 0)
    assert MaskSet.from_module(model, zeros=False)["convs.0.lin.weight"].equal(kept)
    total, nnz = count_parameters(model)
    assert total == sum(p.numel() for p in GCN(3, 8, 2).parameters())
    assert nnz == total - int((~kept).sum())


def test_rewind_restores_initial_weights_bit_for_bit():
    torch.manual_seed(1)
    model = GCN(3, 8, 2)
    theta0 = plain_state_dict(model)
    jm = JointMasks(model, EDGES, 4)
    opt = torch.optim.Adam(list(jm.model_parameters()) + list(jm.mask_parameters()), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        model(torch.randn(4, 3), EDGES, jm.edge_weight()).sum().backward()
        opt.step()
    assert not torch.equal(plain_state_dict(model)["convs.0.lin.weight"], theta0["convs.0.lin.weight"])
    load_plain_state_dict(model, theta0)
    after = plain_state_dict(model)
    assert after.keys() == theta0.keys()
    assert all(torch.equal(after[k], theta0[k]) for k in theta0)


def test_learned_masks_get_gradients():
    torch.manual_seed(0)
    model = GCN(3, 4, 2)
    jm = JointMasks(model, EDGES, 4)
    model(torch.randn(4, 3), EDGES, jm.edge_weight()).pow(2).sum().backward()
    scores = list(jm.mask_parameters())
    assert len(scores) == 3 and scores[0].shape == (4,)
    assert all(s.grad is not None and s.grad.abs().sum() > 0 for s in scores)
    # scores start at 1 ± 1e-5 (UGS init)
    assert torch.all((scores[0] - 1).abs() <= 1e-5)
