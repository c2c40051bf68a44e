"""MAC counts of GCN tickets, checked against hand counts on a 4-node path graph."""

from __future__ import annotations

from types import SimpleNamespace

import torch

from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.models.gcn import GCN
from gcn_tickets.tickets.costs import dense_macs, layer_macs, masked_macs, ticket_macs, training_macs

# path 0-1-2-3: 3 undirected edges, 6 directed entries
EDGE_INDEX = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])
N = 4


def _model() -> GCN:
    torch.manual_seed(0)
    return GCN(5, 3, 2, num_layers=2, dropout=0.0)  # weights 3x5 and 2x3


def test_layer_macs_by_hand():
    w = torch.tensor([[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]])  # 3 non-zeros, 2 outputs
    # transform N * nnz = 4 * 3; aggregate (E + N) * out = (6 + 4) * 2
    assert layer_macs(N, 6, w) == {"transform": 12, "aggregate": 20, "total": 32}
    assert layer_macs(N, 6, w, nnz=6)["transform"] == 24


def test_dense_ticket_and_training_macs_by_hand():
    model = _model()
    # layer 1: 4 * 15 + 10 * 3 = 90; layer 2: 4 * 6 + 10 * 2 = 44
    assert dense_macs(model, EDGE_INDEX, N) == 134
    assert ticket_macs(model, EDGE_INDEX, N) == 134  # random init: no zeros
    names = ["convs.0.lin.weight", "convs.1.lin.weight"]
    w0 = torch.zeros(3, 5, dtype=torch.bool)
    w0[0, :2] = True  # 2 of 15 kept
    graph = torch.tensor([True, False, True])  # edge {1, 2} pruned: 4 directed entries left
    masks = MaskSet({names[0]: w0}, graph)
    # layer 1: 4 * 2 + (4 + 4) * 3 = 32; layer 2 (no mask, every entry): 4 * 6 + 8 * 2 = 40
    assert masked_macs(model, EDGE_INDEX, N, masks) == 72
    trainer = SimpleNamespace(num_nodes=N, edge_index=EDGE_INDEX)
    macs = training_macs(model, trainer, masks, search_epochs=10, retrain_epochs=5)
    assert macs == {
        "search": 3 * 134 * 10,
        "retrain": 3 * 72 * 5,
        "total": 3 * 134 * 10 + 3 * 72 * 5,
        "dense_epoch": 134,
        "ticket_epoch": 72,
    }
