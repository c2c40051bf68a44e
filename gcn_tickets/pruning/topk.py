"""Scores -> masks: exact-count global magnitude pruning that never un-prunes.

Pure functions. Ties are broken deterministically: among equal scores the entry
with the lower flat index (graph first, then weights in name order) is pruned first.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["prune_lowest", "prune_random", "prune_count"]


def prune_count(kept: int, fraction: float) -> int:
    """Number of entries to remove: round(fraction · kept), validated."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"pruning fraction must be in [0, 1], got {fraction}")
    return int(round(fraction * kept))


def _flat(masks: dict[str, Tensor]) -> tuple[list[str], Tensor]:
    names = list(masks)
    return names, torch.cat([masks[n].reshape(-1) for n in names]) if names else torch.empty(0)


def _unflat(names: list[str], flat: Tensor, like: dict[str, Tensor]) -> dict[str, Tensor]:
    out, i = {}, 0
    for n in names:
        k = like[n].numel()
        out[n] = flat[i : i + k].view_as(like[n]).clone()
        i += k
    return out


def prune_lowest(scores: dict[str, Tensor], kept: dict[str, Tensor], fraction: float) -> dict[str, Tensor]:
    """Remove ``round(fraction · #kept)`` kept entries with the lowest |score|, one global threshold.

    Args:
        scores: name -> scores (same shapes as ``kept``); magnitude is used.
        kept: name -> bool masks; only kept entries are candidates (masks never un-prune).
        fraction: fraction of the REMAINING entries to remove.

    Returns:
        New bool masks with exactly ``#kept − round(fraction · #kept)`` entries kept.
    """
    names, k_flat = _flat({n: kept[n].bool() for n in kept})
    _, s_flat = _flat({n: scores[n].detach().abs().float() for n in kept})
    alive = k_flat.nonzero().view(-1)
    n_remove = prune_count(alive.numel(), fraction)
    if n_remove == 0:
        return {n: kept[n].bool().clone() for n in kept}
    # stable sort by score (ascending); index order breaks ties
    order = torch.sort(s_flat[alive], stable=True).indices
    new = k_flat.clone()
    new[alive[order[:n_remove]]] = False
    return _unflat(names, new, kept)


def prune_random(kept: dict[str, Tensor], fraction: float, generator: torch.Generator) -> dict[str, Tensor]:
    """Remove ``round(fraction · #kept)`` kept entries uniformly at random (global)."""
    names, k_flat = _flat({n: kept[n].bool() for n in kept})
    alive = k_flat.nonzero().view(-1)
    n_remove = prune_count(alive.numel(), fraction)
    new = k_flat.clone()
    perm = torch.randperm(alive.numel(), generator=generator)
    new[alive[perm[:n_remove]]] = False
    return _unflat(names, new, kept)
