"""Inference and training cost (MACs) of a GCN ticket against the dense model.

For GCNConv layer l with weight W_l (out × in), N nodes and E directed edges kept:

* feature transform: N · nnz(W_l)   (each node multiplies its features by the kept weights);
* aggregation:       (E + N) · out_l (one multiply-add per message, self-loops included).

FLOPs ≈ 2 · MACs; training ≈ 3 × forward MACs per epoch (forward + backward). Dense
features are assumed (the usual convention of UGS/GEBT reports). nnz(W_l) is read from the
weights (:func:`ticket_macs`), from a mask set (:func:`masked_macs`) or taken as every entry
(:func:`dense_macs`).
"""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn
from torch_geometric.nn import GCNConv

from gcn_tickets.masks.edges import undirected_edges
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.training.protocol import Trainer

__all__ = [
    "layer_macs",
    "ticket_macs",
    "dense_macs",
    "masked_macs",
    "training_macs",
    "macs_vs_dense",
]


def layer_macs(num_nodes: int, num_edges: int, weight: Tensor, *, nnz: int | None = None) -> dict[str, int]:
    """MACs of one GCNConv: ``{"transform", "aggregate", "total"}``; ``nnz`` defaults to the
    non-zero entries of ``weight``."""
    kept = int((weight != 0).sum()) if nnz is None else nnz
    transform = num_nodes * kept
    aggregate = (num_edges + num_nodes) * int(weight.size(0))
    return {"transform": transform, "aggregate": aggregate, "total": transform + aggregate}


def ticket_macs(model: nn.Module, edge_index: Tensor, num_nodes: int, *, detail: bool = False) -> Any:
    """Total MACs of all GCNConv layers of ``model`` on ``edge_index`` (or per layer with
    ``detail``), counting the non-zero weights."""
    per_layer = {}
    for name, mod in model.named_modules():
        if isinstance(mod, GCNConv):
            per_layer[name] = layer_macs(num_nodes, int(edge_index.size(1)), mod.lin.weight)
    if detail:
        return per_layer
    return int(sum(v["total"] for v in per_layer.values()))


def dense_macs(model: nn.Module, edge_index: Tensor, num_nodes: int) -> int:
    """Forward MACs of ``model`` with every weight entry counted, on ``edge_index``."""
    num_edges = int(edge_index.size(1))
    return sum(
        layer_macs(num_nodes, num_edges, mod.lin.weight, nnz=mod.lin.weight.numel())["total"]
        for mod in model.modules()
        if isinstance(mod, GCNConv)
    )


def masked_macs(model: nn.Module, edge_index: Tensor, num_nodes: int, masks: MaskSet) -> int:
    """Forward MACs of the ticket ``masks`` on ``model``: its kept edges of ``edge_index``
    and its kept weights (layers without a mask count every entry)."""
    if masks.graph is not None:
        _, inv = undirected_edges(edge_index, num_nodes)
        edge_index = edge_index[:, masks.graph[inv]]
    total = 0
    for name, mod in model.named_modules():
        if isinstance(mod, GCNConv):
            key = f"{name}.lin.weight"
            w = mod.lin.weight
            nnz = int(masks.weights[key].sum()) if key in masks.weights else w.numel()
            total += layer_macs(num_nodes, int(edge_index.size(1)), w, nnz=nnz)["total"]
    return total


def training_macs(
    model: nn.Module,
    trainer: Trainer,
    masks: MaskSet | None,
    *,
    search_epochs: int,
    retrain_epochs: int,
) -> dict[str, int]:
    """Training MACs of a search then a retraining: ``search_epochs`` dense epochs on the full
    graph, then ``retrain_epochs`` on the ticket ``masks`` (dense if None).

    Returns ``{"search", "retrain", "total", "dense_epoch", "ticket_epoch"}`` (forward MACs
    per epoch for the last two).
    """
    n = trainer.num_nodes
    dense = dense_macs(model, trainer.edge_index, n)
    ticket = dense if masks is None else masked_macs(model, trainer.edge_index, n, masks)
    search = 3 * dense * search_epochs
    retr = 3 * ticket * retrain_epochs
    return {
        "search": search,
        "retrain": retr,
        "total": search + retr,
        "dense_epoch": dense,
        "ticket_epoch": ticket,
    }


def macs_vs_dense(
    trainer: Trainer,
    model: nn.Module,
    edge_index: Tensor | None,
    dense_model: nn.Module,
) -> dict[str, int | None]:
    """``{"macs": ticket_macs(model, edge_index), "dense_macs": ticket_macs(dense_model,
    full graph)}``; both None on graph-level tasks (per-sample graphs are not counted)."""
    if trainer.edge_index is None or edge_index is None:
        return {"macs": None, "dense_macs": None}
    return {
        "macs": ticket_macs(model, edge_index, trainer.num_nodes),
        "dense_macs": ticket_macs(dense_model, trainer.edge_index, trainer.num_nodes),
    }
