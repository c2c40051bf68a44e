"""Controls every ticket is compared with: random tickets at the same sparsities.

* :func:`random_prune`: remove ``round(p_g · #kept edges)`` kept edges, then
  ``round(p_w · #kept weights)`` kept weights (one global draw over all layers), uniformly
  at random from one generator (the UGS random schedule, one round at a time);
* :func:`random_ticket`: the same from a full mask set shaped like ``like``, generator seeded
  with ``seed + RANDOM_OFFSET`` (the GEBT random control);
* :func:`random_graph_ticket`: a learned weight mask with a random graph mask (isolates the
  learned graph mask).

See ALGORITHMS.md sections 1-2, docs/ugs.md and docs/gebt.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.pruning.topk import prune_random

__all__ = ["RANDOM_OFFSET", "full_like", "random_prune", "random_ticket", "random_graph_ticket"]

RANDOM_OFFSET = 20_000  # random_ticket's generator seed is ``seed + RANDOM_OFFSET``


def full_like(like: MaskSet) -> MaskSet:
    """Every entry of ``like``'s tensors kept (same names, shapes and graph size)."""
    graph = None if like.graph is None else torch.ones_like(like.graph)
    return MaskSet({n: torch.ones_like(m) for n, m in like.weights.items()}, graph)


def random_prune(
    masks: MaskSet,
    *,
    graph_sparsity: float,
    weight_sparsity: float,
    generator: torch.Generator,
    meta: Mapping[str, Any] | None = None,
) -> MaskSet:
    """Prune the REMAINING entries of ``masks`` at random: the graph first (if any), then the
    weights, both from ``generator``; never un-prunes."""
    graph = None
    if masks.graph is not None:
        graph = prune_random({"g": masks.graph}, graph_sparsity, generator)["g"]
    weights = prune_random(dict(masks.weights), weight_sparsity, generator)
    return MaskSet(weights, graph, dict(meta or {}))


def random_ticket(like: MaskSet, seed: int, *, graph_sparsity: float, weight_sparsity: float) -> MaskSet:
    """A random ticket shaped like ``like`` (which needs a graph mask): uniform edges at
    ``graph_sparsity``, uniform global weights at ``weight_sparsity``."""
    if like.graph is None:
        raise ValueError("random_ticket needs a ticket with a graph mask; use random_prune for weights only")
    gen = torch.Generator().manual_seed(seed + RANDOM_OFFSET)
    meta = {"method": "random", "graph_sparsity": graph_sparsity, "weight_sparsity": weight_sparsity}
    return random_prune(
        full_like(like),
        graph_sparsity=graph_sparsity,
        weight_sparsity=weight_sparsity,
        generator=gen,
        meta=meta,
    )


def random_graph_ticket(learned: MaskSet, random: MaskSet) -> MaskSet:
    """``learned``'s weight mask with ``random``'s graph mask."""
    return MaskSet(learned.weights, random.graph, {"method": "random-graph"})
