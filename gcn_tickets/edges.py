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
    "resistance_proxy",
    "graph_rank",
    "incident_edges",
    "label_agreement",
    "GRAPH_PRIORS",
    "edge_prior",
]

#: Names of the fixed edge priors :func:`edge_prior` computes (``none`` = no prior).
GRAPH_PRIORS = ("none", "resistance", "label_resistance")


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


def _check_und(und_edge_index: Tensor) -> None:
    if und_edge_index.dim() != 2 or und_edge_index.size(0) != 2:
        raise ValueError(f"und_edge_index must have shape [2, U], got {tuple(und_edge_index.shape)}")


def undirected_degree(und_edge_index: Tensor, num_nodes: int) -> Tensor:
    """Degree of every node in the simple undirected graph ``[2, U]`` (a self-loop counts once)."""
    _check_und(und_edge_index)
    u, v = und_edge_index
    return torch.bincount(u, minlength=num_nodes) + torch.bincount(v[v != u], minlength=num_nodes)


def resistance_proxy(und_edge_index: Tensor, num_nodes: int) -> Tensor:
    """``1/d_u + 1/d_v`` per undirected edge, d the degree in the simple undirected graph.

    A degree-only stand-in for the effective resistance R_uv that spectral sparsifiers keep
    edges by (Spielman & Srivastava 2008): large for bridges and the edges of low-degree
    nodes (a leaf edge scores ≥ 1), small for edges between two hubs, whose removal changes
    each endpoint's normalised neighbourhood least. O(U). Self-loops count once.
    """
    deg = undirected_degree(und_edge_index, num_nodes).clamp_min(1).to(torch.float32)
    u, v = und_edge_index
    return 1.0 / deg[u] + 1.0 / deg[v]


def graph_rank(scores: Tensor, prior: Tensor | None = None, protected: Tensor | None = None) -> Tensor:
    """The per-edge value a graph mask keeps the top of: |s|, times ``prior`` if given.

    ``protected`` (bool per edge) ranks those edges above every other one, whatever their
    score (|s|·prior + max + 1), so they are pruned only once all the others are.
    """
    r = scores.detach().abs()
    if prior is not None:
        r = r * prior
    if protected is not None and bool(protected.any()):
        r = torch.where(protected, r + (r.max() + 1.0), r)
    return r


def incident_edges(und_edge_index: Tensor, nodes: Tensor, num_nodes: int) -> Tensor:
    """Bool per undirected edge: True where at least one endpoint is in ``nodes``.

    Args:
        und_edge_index: ``[2, U]`` undirected edges (:func:`undirected_edges`).
        nodes: node indices (``[k]`` long) or a ``[num_nodes]`` bool mask, e.g. the labelled
            training nodes of a node-classification split.
        num_nodes: number of nodes N. O(U + N).
    """
    _check_und(und_edge_index)
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


def label_agreement(
    und_edge_index: Tensor,
    y: Tensor,
    nodes: Tensor,
    num_nodes: int,
    *,
    num_layers: int = 10,
    alpha: float = 0.9,
) -> Tensor:
    """cos(ŷ_u, ŷ_v) per undirected edge, ŷ the training labels spread by label propagation.

    Ŷ⁰ = one-hot y on ``nodes`` (0 elsewhere); ``num_layers`` times
    Ŷ ← clamp(α · D^-1/2 A D^-1/2 Ŷ + (1 − α) · Ŷ⁰, 0, 1) (Zhou et al. 2004; PyG's
    ``LabelPropagation``, defaults 10 layers, α = 0.9). Low values mark edges across the
    boundary between the classes the labels spread; an edge with an endpoint that received
    no label mass (no labelled node within ``num_layers`` hops) gets 1: no evidence of
    disagreement. O(num_layers · U).

    Args:
        und_edge_index: ``[2, U]`` undirected edges (:func:`undirected_edges`).
        y: ``[N]`` (or ``[N, 1]``) integer class labels; only ``y[nodes]`` is read.
        nodes: the labelled nodes (index ``[k]`` or ``[N]`` bool mask).
        num_nodes: number of nodes N.
    """
    from torch_geometric.nn.models import LabelPropagation

    _check_und(und_edge_index)
    if y.dim() == 2 and y.size(1) == 1:
        y = y.view(-1)
    if y.dim() != 1 or y.numel() != num_nodes or y.is_floating_point():
        raise ValueError(
            f"label_agreement needs one integer class label per node ([{num_nodes}]), got "
            f"{y.dtype} of shape {tuple(y.shape)}; multi-label tasks have no label agreement"
        )
    u, v = und_edge_index
    loop = u == v
    directed = torch.cat([und_edge_index, und_edge_index[:, ~loop].flip(0)], dim=1)
    lp = LabelPropagation(num_layers=num_layers, alpha=alpha)
    yhat = lp(y.clamp_min(0), directed, mask=nodes)
    unit = torch.nn.functional.normalize(yhat, dim=1)
    cos = (unit[u] * unit[v]).sum(1)
    mass = yhat.sum(1) > 0
    return torch.where(mass[u] & mass[v], cos, torch.ones_like(cos))


def edge_prior(
    name: str,
    und_edge_index: Tensor,
    num_nodes: int,
    *,
    labels: tuple[Tensor, Tensor] | None = None,
) -> Tensor | None:
    """The fixed per-edge factor learned edge scores |s| are multiplied by before ranking.

    ``none``: None (rank by |s| alone); ``resistance``: 1/d_u + 1/d_v
    (:func:`resistance_proxy`); ``label_resistance``: that times cos(ŷ_u, ŷ_v)
    (:func:`label_agreement`), which needs ``labels = (y, labelled_nodes)``.
    """
    if name not in GRAPH_PRIORS:
        raise ValueError(f"`graph_prior` must be one of {GRAPH_PRIORS}, got {name!r}")
    if name == "none":
        return None
    prior = resistance_proxy(und_edge_index, num_nodes)
    if name == "label_resistance":
        if labels is None:
            raise ValueError(
                "`graph_prior: label_resistance` needs class labels and labelled nodes (a "
                "node-classification task); use 'resistance' or 'none' for link and graph tasks"
            )
        prior = prior * label_agreement(und_edge_index, labels[0], labels[1], num_nodes)
    return prior
