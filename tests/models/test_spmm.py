import pytest
import torch
from torch_geometric.nn import GCNConv

from gcn_tickets.models.spmm import SpmmGCNConv, csr_plan, edge_weighted_spmm


def _graph():
    g = torch.Generator().manual_seed(0)
    n, e = 40, 200
    ei = torch.randint(0, 35, (2, e), generator=g)  # nodes 35..39 isolated
    ei[:, :4] = torch.tensor([[3, 3, 4, 7], [3, 3, 9, 7]])  # duplicate self-loops, a repeat
    return n, ei, torch.randn(n, 6, generator=g), torch.rand(e, generator=g)


def _pair(bias=True):
    torch.manual_seed(1)
    a = GCNConv(6, 5, bias=bias)
    if bias:
        torch.nn.init.normal_(a.bias)
    b = SpmmGCNConv(6, 5, bias=bias)
    b.load_state_dict(a.state_dict())
    return a, b


@pytest.mark.parametrize("bias", [True, False])
def test_matches_pyg_gcnconv_values_and_gradients(bias):
    n, ei, x, w = _graph()
    a, b = _pair(bias)
    outs, grads = [], []
    for conv in (a, b):
        wi, xi = w.clone().requires_grad_(), x.clone().requires_grad_()
        out = conv(xi, ei, wi)
        (out * torch.arange(out.numel()).view_as(out).sin()).sum().backward()
        outs.append(out.detach())
        grads.append((wi.grad, xi.grad, conv.lin.weight.grad))
    assert b._plan is not None  # the sparse path ran
    torch.testing.assert_close(outs[0], outs[1], rtol=1e-5, atol=1e-6)
    for ga, gb in zip(grads[0], grads[1], strict=True):
        torch.testing.assert_close(ga, gb, rtol=1e-5, atol=1e-6)


def test_hand_computed_aggregation_and_edge_gradient():
    # edges 0->1 (w=2), 2->1 (w=3), 1->0 (w=5); x = [[1], [10], [100]]
    ei = torch.tensor([[0, 2, 1], [1, 1, 0]])
    w = torch.tensor([2.0, 3.0, 5.0], requires_grad=True)
    x = torch.tensor([[1.0], [10.0], [100.0]], requires_grad=True)
    out = edge_weighted_spmm(w, x, csr_plan(ei, 3))
    assert out.view(-1).tolist() == [50.0, 302.0, 0.0]
    out.backward(torch.tensor([[1.0], [2.0], [3.0]]))
    assert w.grad.tolist() == [2.0, 200.0, 10.0]  # g[dst] * x[src]
    assert x.grad.view(-1).tolist() == [4.0, 5.0, 6.0]  # Σ_{src=j} w · g[dst]


def test_plan_cached_per_edge_index_and_refreshed_on_change():
    n, ei, x, w = _graph()
    _, b = _pair()
    wi = w.clone().requires_grad_()
    b(x, ei, wi)
    plan = b._plan
    b(x, ei, wi)
    assert b._plan is plan  # same tensor, same version: reused
    ei2 = ei.clone()
    ei2[1, 10] = 39
    ref = GCNConv(6, 5)
    ref.load_state_dict(b.state_dict())
    torch.testing.assert_close(b(x, ei2, wi), ref(x, ei2, wi), rtol=1e-5, atol=1e-6)
    assert b._plan is not plan
    plan2 = b._plan
    ei2[1, 11] = 38  # in place: the version counter invalidates the plan
    torch.testing.assert_close(b(x, ei2, wi), ref(x, ei2, wi), rtol=1e-5, atol=1e-6)
    assert b._plan is not plan2


def test_fixed_weights_no_weights_and_no_grad_match_pyg():
    n, ei, x, w = _graph()
    a, b = _pair()
    for ew in (w, None):
        torch.testing.assert_close(b(x, ei, ew), a(x, ei, ew), rtol=1e-5, atol=1e-6)
    with torch.no_grad():
        torch.testing.assert_close(b(x, ei, w), a(x, ei, w), rtol=1e-5, atol=1e-6)
    assert b._plan is not None


def test_sparse_adjacency_and_cached_convs_use_pygs_forward():
    from torch_geometric.utils import to_torch_csr_tensor

    n, ei, x, _ = _graph()
    a, b = _pair()
    adj_t = to_torch_csr_tensor(ei.flip(0), size=(n, n))
    torch.testing.assert_close(b(x, adj_t), a(x, adj_t), rtol=1e-5, atol=1e-6)
    assert b._plan is None
    c = SpmmGCNConv(6, 5, cached=True)
    c.load_state_dict(a.state_dict())
    torch.testing.assert_close(c(x, ei), a(x, ei), rtol=1e-5, atol=1e-6)
    assert c._plan is None


def test_shape_errors_name_the_expected_shape():
    ei = torch.tensor([[0, 1], [1, 0]])
    plan = csr_plan(ei, 2)
    with pytest.raises(ValueError, match=r"edge_weight must have shape \[2\]"):
        edge_weighted_spmm(torch.ones(3), torch.ones(2, 4), plan)
    with pytest.raises(ValueError, match=r"x must have shape \[2, F\]"):
        edge_weighted_spmm(torch.ones(2), torch.ones(3, 4), plan)
    with pytest.raises(ValueError, match=r"edge_index must have shape \[2, E\]"):
        csr_plan(torch.zeros(3, 2, dtype=torch.long), 2)
