"""Inference cost (MACs) of a GCN ticket, per layer, against the dense model on the full graph.

For GCNConv layer l with effective weight W_l (out × in), N nodes and E directed edges kept:

* feature transform: N · nnz(W_l)   (each node multiplies its features by the kept weights);
* aggregation:       (E + N) · out_l (one multiply-add per message, self-loops included).

FLOPs ≈ 2 · MACs. Dense features are assumed (the usual convention of UGS/GEBT reports).
"""

from __future__ import annotations

from torch import Tensor, nn
from torch_geometric.nn import GCNConv

__all__ = ["layer_macs", "ticket_macs"]


def layer_macs(num_nodes: int, num_edges: int, weight: Tensor) -> dict[str, int]:
    """MACs of one GCNConv: ``{"transform", "aggregate", "total"}``."""
    transform = num_nodes * int((weight != 0).sum())
    aggregate = (num_edges + num_nodes) * int(weight.size(0))
    return {"transform": transform, "aggregate": aggregate, "total": transform + aggregate}


def ticket_macs(model: nn.Module, edge_index: Tensor, num_nodes: int, *, detail: bool = False):
    """Total MACs of all GCNConv layers of ``model`` on ``edge_index`` (or per layer)."""
    per_layer = {}
    for name, mod in model.named_modules():
        if isinstance(mod, GCNConv):
            per_layer[name] = layer_macs(num_nodes, int(edge_index.size(1)), mod.lin.weight)
    if detail:
        return per_layer
    return int(sum(v["total"] for v in per_layer.values()))
