"""Per-tensor distributions of a density: uniform and Erdős–Rényi-Kernel (ERK), exact counts.

``uniform`` keeps ``round(density·n_i)`` entries in each tensor. ERK (RigL's
algorithm, dense-capped) gives tensor ``l`` the density ``min(1, ε·Σ dims / Π dims)``
with ε solved so that the total is ``density·N``; :func:`exact_counts` then rounds
by largest remainders so that exactly ``round(density·N)`` are kept.
:func:`random_masks` draws masks with those counts. See docs/pai.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import torch
from torch import Tensor

from gcn_tickets.pruning.select import check_density

__all__ = ["erk_densities", "exact_counts", "uniform_counts", "erk_counts", "random_masks"]


def erk_densities(shapes: Mapping[str, Sequence[int]], density: float) -> dict[str, float]:
    """Erdős–Rényi-Kernel layer densities (RigL's algorithm, dense-capped).

    ``d_l = ε · Σ_j s_j / Π_j s_j`` (``s`` = the tensor's shape, e.g.
    ``(c_out, c_in, k_h, k_w)``), capped at 1; the layers that would exceed 1
    are made dense and ε is re-solved until ``Σ d_l n_l = density · N``.
    """
    density = check_density(density)
    sizes = {n: math.prod(s) for n, s in shapes.items()}
    raw = {n: sum(s) / math.prod(s) for n, s in shapes.items()}
    dense: set[str] = set()
    while True:
        rhs = density * sum(sizes.values()) - sum(sizes[n] for n in dense)
        divisor = sum(raw[n] * sizes[n] for n in sizes if n not in dense)
        if divisor <= 0:
            return {n: 1.0 for n in sizes}
        eps = rhs / divisor
        over = [n for n in sizes if n not in dense and eps * raw[n] > 1.0]
        if not over:
            return {n: 1.0 if n in dense else eps * raw[n] for n in sizes}
        dense.update(over)


def exact_counts(sizes: Mapping[str, int], densities: Mapping[str, float], total: int) -> dict[str, int]:
    """Per-tensor kept counts near ``density_l · n_l`` that sum exactly to ``total``.

    Floors first, then hands out the remainder by the largest fractional
    parts (ties: order of ``sizes``), never above ``n_l``.
    """
    want = {n: min(max(densities[n], 0.0), 1.0) * sizes[n] for n in sizes}
    counts = {n: min(int(math.floor(w)), sizes[n]) for n, w in want.items()}
    rest = total - sum(counts.values())
    order = sorted(sizes, key=lambda n: -(want[n] - math.floor(want[n])))
    while rest > 0:
        progressed = False
        for n in order:
            if rest == 0:
                break
            if counts[n] < sizes[n]:
                counts[n] += 1
                rest -= 1
                progressed = True
        if not progressed:
            break
    while rest < 0:
        for n in reversed(order):
            if rest == 0:
                break
            if counts[n] > 0:
                counts[n] -= 1
                rest += 1
    return counts


def uniform_counts(shapes: Mapping[str, Sequence[int]], density: float) -> dict[str, int]:
    """``round(density · n_l)`` kept entries in every tensor."""
    density = check_density(density)
    return {n: round(density * math.prod(s)) for n, s in shapes.items()}


def erk_counts(shapes: Mapping[str, Sequence[int]], density: float) -> dict[str, int]:
    """ERK counts (:func:`erk_densities`) summing exactly to ``round(density · N)``."""
    sizes = {n: math.prod(s) for n, s in shapes.items()}
    return exact_counts(sizes, erk_densities(shapes, density), round(density * sum(sizes.values())))


def random_masks(
    shapes: Mapping[str, Sequence[int]], counts: Mapping[str, int], generator: torch.Generator
) -> dict[str, Tensor]:
    """Uniformly random masks with exactly ``counts[name]`` kept entries each (one draw per tensor)."""
    out = {}
    for n, s in shapes.items():
        size = math.prod(s)
        keep = torch.zeros(size, dtype=torch.bool)
        keep[torch.randperm(size, generator=generator)[: counts[n]]] = True
        out[n] = keep.view(*s)
    return out
