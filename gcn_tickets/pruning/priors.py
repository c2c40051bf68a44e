"""Fixed per-edge priors that multiply learned edge scores before a graph mask is drawn.

``resistance``: 1/d_u + 1/d_v, a degree proxy of the effective resistance;
``label_resistance``: that times the agreement of label-propagated training labels.
See ``../shared/docs/ALGORITHMS.md`` and docs/gebt_prior.md for what they were measured to do.
"""

from __future__ import annotations

import torch
from torch import Tensor

from gcn_tickets.masks.edges import check_und, undirected_degree

__all__ = ["resistance_proxy", "graph_rank", "label_agreement", "GRAPH_PRIORS", "edge_prior"]

#: Names of the fixed edge priors :func:`edge_prior` computes (``none`` = no prior).
GRAPH_PRIORS = ("none", "resistance", "label_resistance")


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

    check_und(und_edge_index)
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
