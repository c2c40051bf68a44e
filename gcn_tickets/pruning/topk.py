"""Scores -> masks: ONE exact-count top-k with ONE tie rule, used by every method.

The rule (:func:`lowest_mask`, :func:`topk_mask`): entries are removed in
ascending order of ``(score, flat index)``; among equal scores the LOWER flat
index goes first, so equivalently the HIGHER index is kept. NaN scores rank
above every number (as in ``torch.sort``). This is exactly the order of a stable
ascending sort, computed in O(n) with ``torch.kthvalue`` and a tie fill
(tests/pruning/test_topk.py proves the equivalence).

Score preparation stays with the callers:

- :func:`prune_lowest` (UGS, GEBT, the early-bird masks) ranks ``|score|`` in float32
  and removes a fraction (the sparsity relative to them) of the entries still kept;
- :func:`topk_masks` (pruning at init, Gem-Miner) ranks signed scores in float64,
  NaN -> -inf with a warning, and keeps ``round(density · N)`` entries.

Flat index = position after concatenating the tensors in the order of the mapping
(e.g. graph first, then weights in name order).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import torch
from torch import Tensor

from gcn_tickets.pruning.select import check_choice, check_density

__all__ = ["lowest_mask", "topk_mask", "topk_masks", "prune_lowest", "prune_random", "prune_count"]


def lowest_mask(scores: Tensor, count: int) -> Tensor:
    """Boolean mask of the ``count`` entries of a 1-D ``scores`` that are removed first.

    Removal order: ascending ``(score, index)``; NaN after every number, NaNs by index.
    Equal to ``mask[torch.sort(scores, stable=True).indices[:count]] = True`` without the sort.
    """
    n = scores.numel()
    if scores.dim() != 1:
        raise ValueError(f"`scores` must be 1-D, got shape {tuple(scores.shape)}")
    if not 0 <= count <= n:
        raise ValueError(f"`count` must satisfy 0 <= count <= {n} (entries), got {count}")
    out = torch.zeros(n, dtype=torch.bool, device=scores.device)
    if count == 0:
        return out
    nan = torch.isnan(scores) if scores.is_floating_point() else None
    if nan is not None and bool(nan.any()):
        num = (~nan).nonzero().view(-1)
        if count >= num.numel():  # every number, then the first NaNs by index
            out[num] = True
            out[nan.nonzero().view(-1)[: count - num.numel()]] = True
        else:
            out[num[lowest_mask(scores[num], count)]] = True
        return out
    thr = torch.kthvalue(scores, count).values  # the count-th smallest score
    out = scores < thr
    need = count - int(out.sum())
    if need > 0:
        out[(scores == thr).nonzero().view(-1)[:need]] = True
    return out


def topk_mask(scores: Tensor, k: int) -> Tensor:
    """Boolean mask keeping the ``k`` entries of a 1-D ``scores`` removed last (see the rule)."""
    n = scores.numel()
    if not 0 <= k <= n:
        raise ValueError(f"`k` must satisfy 0 <= k <= {n} (entries), got {k}")
    return ~lowest_mask(scores, n - k)


def prune_count(kept: int, sparsity: float) -> int:
    """Number of entries to remove: round(sparsity · kept), validated.

    ``sparsity`` is relative to the ``kept`` entries: the fraction of them to REMOVE.
    """
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(
            f"`sparsity` (the fraction of the kept entries to remove) must be in [0, 1], got {sparsity}"
        )
    return int(round(sparsity * kept))


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


def prune_lowest(scores: dict[str, Tensor], kept: dict[str, Tensor], sparsity: float) -> dict[str, Tensor]:
    """Remove ``round(sparsity · #kept)`` kept entries with the lowest |score|, one global threshold.

    Args:
        scores: name -> scores (same shapes as ``kept``); magnitude in float32 is ranked.
        kept: name -> bool masks; only kept entries are candidates (masks never un-prune).
        sparsity: fraction of the REMAINING (kept) entries to remove.

    Returns:
        New bool masks with exactly ``#kept − round(sparsity · #kept)`` entries kept; ties
        follow the module's rule (lower flat index removed first).
    """
    names, k_flat = _flat({n: kept[n].bool() for n in kept})
    _, s_flat = _flat({n: scores[n].detach().abs().float() for n in kept})
    alive = k_flat.nonzero().view(-1)
    n_remove = prune_count(alive.numel(), sparsity)
    if n_remove == 0:
        return {n: kept[n].bool().clone() for n in kept}
    new = k_flat.clone()
    new[alive[lowest_mask(s_flat[alive], n_remove)]] = False
    return _unflat(names, new, kept)


def prune_random(kept: dict[str, Tensor], sparsity: float, generator: torch.Generator) -> dict[str, Tensor]:
    """Remove ``round(sparsity · #kept)`` kept entries uniformly at random (global)."""
    names, k_flat = _flat({n: kept[n].bool() for n in kept})
    alive = k_flat.nonzero().view(-1)
    n_remove = prune_count(alive.numel(), sparsity)
    new = k_flat.clone()
    perm = torch.randperm(alive.numel(), generator=generator)
    new[alive[perm[:n_remove]]] = False
    return _unflat(names, new, kept)


def _clean(scores: Tensor, name: str) -> Tensor:
    """Flat float64 CPU copy with NaN -> -inf (ranked lowest), warning once per tensor."""
    flat = scores.detach().reshape(-1).to(device="cpu", dtype=torch.float64)
    bad = torch.isnan(flat)
    if bad.any():
        warnings.warn(f"{int(bad.sum())} NaN scores in '{name}' rank lowest", RuntimeWarning, stacklevel=3)
        flat = torch.where(bad, torch.full_like(flat, -math.inf), flat)
    return flat


def _topk_within(flat: Tensor, k: int, allowed: Tensor | None) -> Tensor:
    """Top-k restricted to ``allowed`` entries (never re-grows a pruned weight)."""
    if allowed is None:
        return topk_mask(flat, min(max(k, 0), flat.numel()))
    idx = allowed.nonzero().view(-1)
    if k > idx.numel():
        raise ValueError(
            f"cannot keep {k} weights: only {idx.numel()} are still unpruned (masks never un-prune)"
        )
    keep = torch.zeros(flat.numel(), dtype=torch.bool)
    keep[idx[topk_mask(flat[idx], k)]] = True
    return keep


def topk_masks(
    scores: Mapping[str, Tensor],
    density: float,
    *,
    scope: str = "global",
    allowed: Mapping[str, Tensor] | None = None,
) -> dict[str, Tensor]:
    """Turn scores into boolean masks with exact counts (higher score = kept).

    Keeps the ``k = round(density · N)`` highest scores over all tensors
    (``scope="global"``, default; ``N`` = total entries) or ``round(density · n_i)``
    in each tensor (``scope="layer"``). Scores are ranked signed in float64, NaN
    lowest (with a ``RuntimeWarning``). Ties follow the module's rule: the higher flat
    index (tensors concatenated in the order of ``scores``) is kept. Entries where
    ``allowed`` is False are never kept.
    """
    density = check_density(density)
    check_choice("scope", scope, ("global", "layer"))
    names = list(scores)
    flats = [_clean(scores[n], n) for n in names]
    allows = [allowed[n].detach().reshape(-1).cpu().bool() for n in names] if allowed is not None else None
    out: dict[str, Tensor] = {}
    if scope == "layer":
        for i, n in enumerate(names):
            k = round(density * flats[i].numel())
            keep = _topk_within(flats[i], k, allows[i] if allows else None)
            out[n] = keep.view(scores[n].shape)
        return out
    flat = torch.cat(flats)
    keep = _topk_within(flat, round(density * flat.numel()), torch.cat(allows) if allows else None)
    offset = 0
    for n, f in zip(names, flats, strict=True):
        out[n] = keep[offset : offset + f.numel()].view(scores[n].shape)
        offset += f.numel()
    return out
