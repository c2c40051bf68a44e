"""Layer mask -> bi-adjacency encodings and the networkx export."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch

from gcn_tickets.spectral import biadjacency, layer_dims, to_networkx


def _conv_mask(seed: int = 0, shape=(5, 4, 3, 2), rho: float = 0.4) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=g) < rho


def test_unrolled_conv_layout_is_input_channel_times_tap():
    mask = _conv_mask()
    B = biadjacency(mask)
    assert B.shape == (4 * 3 * 2, 5) == layer_dims(tuple(mask.shape))
    D = B.toarray()
    for o in range(5):
        for c in range(4):
            for kh in range(3):
                for kw in range(2):
                    assert D[c * 6 + kh * 2 + kw, o] == float(mask[o, c, kh, kw])
    assert B.nnz == int(mask.sum())
    assert B.dtype == np.float64


def test_channel_encoding_any_tap_and_kernel_norm():
    mask = _conv_mask(1)
    mask[0, 0] = False  # kernel (0, 0) fully pruned -> no edge
    mask[1, 2] = False
    mask[1, 2, 0, 0] = True  # one tap kept -> edge
    B = biadjacency(mask, encoding="channel")
    assert B.shape == (4, 5) == layer_dims(tuple(mask.shape), "channel")
    assert B[0, 0] == 0 and B[2, 1] == 1
    np.testing.assert_array_equal(B.toarray(), mask.any(dim=(2, 3)).T.numpy().astype(float))
    w = torch.randn(mask.shape, generator=torch.Generator().manual_seed(2))
    Bw = biadjacency(mask, encoding="channel", weight=w)
    expect = (w * mask).flatten(2).norm(dim=2).T.double().numpy()
    np.testing.assert_allclose(Bw.toarray(), expect, rtol=1e-6)
    assert Bw[2, 1] == pytest.approx(abs(float(w[1, 2, 0, 0])), rel=1e-6)


def test_weighted_unrolled_is_abs_weight_on_kept_entries():
    mask = _conv_mask(3)
    w = torch.randn(mask.shape, generator=torch.Generator().manual_seed(4))
    Bw = biadjacency(mask, weight=w)
    expect = (w * mask).abs().reshape(5, -1).T.double().numpy()
    np.testing.assert_allclose(Bw.toarray(), expect, rtol=1e-6)
    assert Bw.nnz == int(mask.sum())


def test_linear_left_is_inputs():
    mask = torch.tensor([[1, 0, 1], [0, 0, 1]])  # [out=2, in=3]
    B = biadjacency(mask)
    assert B.shape == (3, 2)
    np.testing.assert_array_equal(B.toarray(), [[1, 0], [0, 0], [1, 1]])
    assert biadjacency(mask, encoding="channel").shape == (3, 2)


@pytest.mark.parametrize(
    "mask, match",
    [
        (torch.ones(4), "ndim >= 2"),
        (torch.tensor([[0.0, 0.5]]), "not binary"),
        (torch.tensor([[0.0, float("nan")]]), "NaN"),
        (np.array([[2, 0]]), "not binary"),
        (torch.ones(0, 3), "empty"),
    ],
)
def test_bad_masks_are_named(mask, match):
    with pytest.raises(ValueError, match=match):
        biadjacency(mask, name="conv1.weight")


def test_bad_arguments():
    with pytest.raises(ValueError, match="`encoding` must be one of"):
        biadjacency(torch.ones(2, 2), encoding="rows")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="weight of 'x' has shape"):
        biadjacency(torch.ones(2, 2), weight=torch.ones(2, 3), name="x")
    with pytest.raises(ValueError, match="NaN or inf"):
        biadjacency(torch.ones(2, 2), weight=torch.tensor([[1.0, float("inf")], [1, 1]]))


def test_to_networkx_bipartite_graph():
    mask = torch.tensor([[1, 0, 1, 0], [0, 0, 1, 0]])  # in=4, out=2: input 1 and 3 isolated
    w = torch.tensor([[0.5, 0.0, -2.0, 0.0], [0.0, 0.0, 3.0, 0.0]])
    G = to_networkx(biadjacency(mask, weight=w))
    assert G.number_of_nodes() == 6 and G.number_of_edges() == 3
    left, right = nx.bipartite.sets(G, top_nodes=[n for n, b in G.nodes(data="bipartite") if b == 0])
    assert left == {"L0", "L1", "L2", "L3"} and right == {"R0", "R1"}
    assert G["L2"]["R0"]["weight"] == 2.0 and G["L2"]["R1"]["weight"] == 3.0
    H = to_networkx(biadjacency(mask), drop_isolated=True)
    assert set(H.nodes) == {"L0", "L2", "R0", "R1"}
    assert H.nodes["L2"]["index"] == 2
