"""Graph spectra (normalised Laplacian), sparsified graphs, GCN tickets."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import gcn_tickets.spectral.graph as graph_mod
from gcn_tickets.masks.edges import undirected_edges
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.spectral import audit_gcn_ticket, graph_spectrum, sparsified_spectra


def _both(edges: list[tuple[int, int]]) -> torch.Tensor:
    e = torch.tensor(edges, dtype=torch.long).t()
    return torch.cat([e, e.flip(0)], dim=1)


def _cycle(n: int) -> torch.Tensor:
    return _both([(i, (i + 1) % n) for i in range(n)])


def test_cycle_closed_form():
    for n in (7, 8):
        s = graph_spectrum(_cycle(n), n)
        assert s.components == 1 and s.num_edges == n and s.isolated == 0
        assert s.lambda2 == pytest.approx(1 - math.cos(2 * math.pi / n), abs=1e-12)
        # L eigenvalues 1 - cos(2 pi k / n); the largest at k = n // 2 (= 2 for even n)
        c_max = math.cos(2 * math.pi * (n // 2) / n)
        assert s.lambda_max_lcc == pytest.approx(1 - c_max, abs=1e-12)
        gap = 1 - max(abs(math.cos(2 * math.pi / n)), abs(c_max))
        assert s.spectral_gap == pytest.approx(gap, abs=1e-12)
    assert graph_spectrum(_cycle(8), 8).spectral_gap == pytest.approx(0.0, abs=1e-12)


def test_complete_graph_and_components():
    n = 6
    k6 = _both([(i, j) for i in range(n) for j in range(i + 1, n)])
    s = graph_spectrum(k6, n)
    assert s.lambda2 == pytest.approx(n / (n - 1), abs=1e-12)
    assert s.spectral_gap == pytest.approx(1 - 1 / (n - 1), abs=1e-12)
    # two triangles + an isolated node
    tri2 = _both([(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5)])
    s2 = graph_spectrum(tri2, 7)
    assert s2.components == 3 and s2.isolated == 1 and s2.lcc_nodes == 3
    assert s2.lambda2 == 0.0
    assert s2.lambda2_lcc == pytest.approx(1.5, abs=1e-12)


def test_sparse_path_matches_dense(monkeypatch):
    rng = np.random.default_rng(0)
    n = 400
    a = np.triu(rng.random((n, n)) < 0.03, 1)
    ei = torch.from_numpy(np.array(np.nonzero(a | a.T)))
    dense = graph_spectrum(ei, n)
    monkeypatch.setattr(graph_mod, "DENSE_NODES", 10)
    sparse = graph_spectrum(ei, n)
    assert dense.components == sparse.components == 1
    assert sparse.lambda2 == pytest.approx(dense.lambda2, abs=1e-8)
    assert sparse.lambda_max_lcc == pytest.approx(dense.lambda_max_lcc, abs=1e-8)


def test_sparsified_spectra_and_gcn_ticket():
    ei = _cycle(10)
    und, _ = undirected_edges(ei, 10)
    keep = torch.ones(und.size(1), dtype=torch.bool)
    keep[0] = False  # cut the cycle once: a path
    keep[5] = False  # and again: two paths
    out = sparsified_spectra(ei, keep, 10)
    assert out["original"].components == 1 and out["sparsified"].components == 2
    assert out["sparsified"].num_edges == 8 and out["sparsified"].lambda2 == 0.0
    with pytest.raises(ValueError, match="graph mask has 3 entries"):
        sparsified_spectra(ei, torch.ones(3), 10)
    g = torch.Generator().manual_seed(0)
    ms = MaskSet(
        {
            "convs.0.lin.weight": torch.rand(16, 40, generator=g) < 0.5,
            "convs.1.lin.weight": torch.rand(7, 16, generator=g) < 0.5,
        },
        graph=keep,
    )
    res = audit_gcn_ticket(ms, edge_index=ei, num_nodes=10)
    assert res["weights"].layers["convs.0.lin.weight"].shape == (40, 16)
    assert res["graph"]["sparsified"].components == 2


def test_pyg_data_input():
    from torch_geometric.data import Data

    s = graph_spectrum(Data(edge_index=_cycle(8), num_nodes=9))
    assert s.num_nodes == 9 and s.isolated == 1 and s.components == 2 and s.lcc_nodes == 8
    assert s.lambda2 == 0.0 and s.lambda2_lcc == pytest.approx(1 - math.cos(math.pi / 4), abs=1e-12)
