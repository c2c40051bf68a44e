"""Undirected-edge bookkeeping for graph masks, O(E) everywhere.

PyG stores an undirected edge {u, v} as two directed entries (u, v) and (v, u).
A graph mask holds ONE entry per undirected edge; it is gathered into both
directions so that the masked adjacency A ⊙ m_g stays symmetric.

Canonical order: undirected edges sorted by (min(u, v), max(u, v)).
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = [
    "undirected_edges",
    "edge_mask_to_directed",
    "prune_edge_index",
    "undirected_degree",
    "incident_edges",
    "check_und",
]


def undirected_edges(edge_index: Tensor, num_nodes: int | None = None) -> tuple[Tensor, Tensor]:
    """Map directed entries to undirected edges.

    Args:
        edge_index: ``[2, E]`` directed entries (both directions for undirected graphs).
        num_nodes: number of nodes N (default ``edge_index.max() + 1``).

    Returns:
        ``(und, inverse)``: ``und`` is ``[2, U]`` with ``und[0] <= und[1]`` in canonical
        order, ``inverse`` is ``[E]`` with the undirected id of every directed entry, so
        ``mask_directed = mask_undirected[inverse]``.
    """
    if edge_index.dim() != 2 or edge_index.size(0) != 2:
        raise ValueError(f"edge_index must have shape [2, E], got {tuple(edge_index.shape)}")
    if edge_index.numel() == 0:
        return edge_index.new_empty((2, 0)), edge_index.new_empty((0,))
    if num_nodes is None:
        num_nodes = int(edge_index.max()) + 1
    lo = torch.minimum(edge_index[0], edge_index[1])
    hi = torch.maximum(edge_index[0], edge_index[1])
    key = lo * num_nodes + hi
    uniq, inverse = torch.unique(key, sorted=True, return_inverse=True)
    und = torch.stack([uniq // num_nodes, uniq % num_nodes])
    return und, inverse


def edge_mask_to_directed(mask: Tensor, inverse: Tensor) -> Tensor:
    """Gather a per-undirected-edge mask (or score) into both directions: ``mask[inverse]``."""
    return mask[inverse]


def prune_edge_index(
    edge_index: Tensor, graph_mask: Tensor, inverse: Tensor, edge_weight: Tensor | None = None
) -> tuple[Tensor, Tensor | None]:
    """Drop the directed entries of pruned undirected edges (the saving is real: fewer E)."""
    keep = graph_mask.bool()[inverse]
    return edge_index[:, keep], (edge_weight[keep] if edge_weight is not None else None)


def check_und(und_edge_index: Tensor) -> None:
    if und_edge_index.dim() != 2 or und_edge_index.size(0) != 2:
        raise ValueError(f"und_edge_index must have shape [2, U], got {tuple(und_edge_index.shape)}")


def undirected_degree(und_edge_index: Tensor, num_nodes: int) -> Tensor:
    """Degree of every node in the simple undirected graph ``[2, U]`` (a self-loop counts once)."""
    check_und(und_edge_index)
    u, v = und_edge_index
    return torch.bincount(u, minlength=num_nodes) + torch.bincount(v[v != u], minlength=num_nodes)


def incident_edges(und_edge_index: Tensor, nodes: Tensor, num_nodes: int) -> Tensor:
    """Bool per undirected edge: True where at least one endpoint is in ``nodes``.

    Args:
        und_edge_index: ``[2, U]`` undirected edges (:func:`undirected_edges`).
        nodes: node indices (``[k]`` long) or a ``[num_nodes]`` bool mask, e.g. the labelled
            training nodes of a node-classification split.
        num_nodes: number of nodes N. O(U + N).
    """
    check_und(und_edge_index)
    if nodes.dtype == torch.bool:
        if nodes.numel() != num_nodes:
            raise ValueError(f"a bool node mask must have num_nodes={num_nodes} entries, got {nodes.numel()}")
        member = nodes.view(-1)
    else:
        if nodes.numel() and (int(nodes.min()) < 0 or int(nodes.max()) >= num_nodes):
            lo, hi = int(nodes.min()), int(nodes.max())
            raise ValueError(f"node indices must lie in [0, {num_nodes}), got {lo}..{hi}")
        member = torch.zeros(num_nodes, dtype=torch.bool, device=und_edge_index.device)
        member[nodes.view(-1)] = True
    return member[und_edge_index[0]] | member[und_edge_index[1]]
