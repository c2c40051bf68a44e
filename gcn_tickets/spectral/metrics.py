"""The per-layer expander metrics as formulas: Ramanujan bound, NaRC, IMDB, the degree guard.

Definitions in :mod:`gcn_tickets.spectral.ramanujan` (module docstring) and docs/spectral.md.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import scipy.sparse as sp

from gcn_tickets.spectral.eigen import DENSE_MAX, Method, top_singular_values

__all__ = [
    "NarcConvention",
    "NARC_CONVENTIONS",
    "ramanujan_bound",
    "narc_value",
    "imdb_value",
    "degree_reason",
]

NarcConvention = Literal["reference", "undirected"]
NARC_CONVENTIONS: tuple[str, ...] = ("reference", "undirected")
NAN = math.nan


def ramanujan_bound(d_left: float, d_right: float) -> float:
    """``sqrt(d_L - 1) + sqrt(d_R - 1)`` (NaN when a degree is below 1)."""
    if d_left < 1 or d_right < 1:
        return NAN
    return math.sqrt(d_left - 1) + math.sqrt(d_right - 1)


def narc_value(
    mu_hat: float,
    *,
    edges: int,
    left_nonisolated: int,
    right_nonisolated: int,
    m: int,
    n: int,
    convention: NarcConvention = "reference",
) -> float:
    """NaRC (normalised Ramanujan random coefficient) of a layer.

    ``[(mu^2/4 + 1) sqrt(|L'||R'|) - |e - (d_L / n)|L'||R'||] / (m n)`` with
    ``d_L = |E| / |L'|`` and ``e = 2|E|`` (``"reference"``, as released: the code
    counts the directed entries of an undirected edge list) or ``e = |E|``
    (``"undirected"``). ``m, n`` are the full layer dimensions.
    """
    if convention not in NARC_CONVENTIONS:
        raise ValueError(f"`narc` must be one of {NARC_CONVENTIONS}, got {convention!r}")
    e = 2 * edges if convention == "reference" else edges
    d_l = edges / left_nonisolated
    lr = float(left_nonisolated) * float(right_nonisolated)
    ls = (mu_hat**2 / 4.0 + 1.0) * math.sqrt(lr)
    rs = abs(e - (d_l / n) * lr)
    return (ls - rs) / (float(m) * float(n))


def degree_reason(d_left: float, d_right: float, min_degree: float) -> str | None:
    parts = []
    if not d_left >= min_degree:
        parts.append(f"d_L = {d_left:.4g} < {min_degree:g}")
    if not d_right >= min_degree:
        parts.append(f"d_R = {d_right:.4g} < {min_degree:g}")
    return " and ".join(parts) if parts else None


def imdb_value(
    B: sp.csr_matrix,
    *,
    spectral: sp.csr_matrix | np.ndarray | None = None,
    min_degree: int = 3,
    min_group: int = 3,
    method: Method = "auto",
    dense_max: int = DENSE_MAX,
    threads: int | None = None,
) -> tuple[float, int]:
    """IMDB (iterative mean difference of bound) and the number of kept ``G_d``.

    Args:
        B: 0/1 structure (m x n CSR, nonzero = edge); left degrees are its row counts.
        spectral: matrix whose ``sigma_2`` is taken per subgraph (default ``B``; the
            ``|W|``-weighted bi-adjacency for a weighted audit); a dense array is sliced
            directly (faster for small layers).
        min_degree: degree guard on ``d`` and ``d_R(G_d)`` (default 3, as released).
        min_group: smallest number of left nodes of one degree forming ``G_d`` (default 3).

    Returns:
        ``(imdb, kept)``; ``imdb`` is NaN when ``kept == 0``.
    """
    S = B if spectral is None else spectral
    deg_l = np.diff(B.indptr)
    order = np.argsort(deg_l, kind="stable")
    values, starts, counts = np.unique(deg_l[order], return_index=True, return_counts=True)
    col_ids = B.indices
    terms: list[float] = []
    for d, st, g in zip(values.tolist(), starts.tolist(), counts.tolist(), strict=True):
        if d == 0 or g < min_group or d < min_degree:
            continue
        rows = np.sort(order[st : st + g])
        # |R'_d|: distinct right nodes touched by these rows
        cols = np.concatenate([col_ids[B.indptr[r] : B.indptr[r + 1]] for r in rows])
        r_prime = int(np.count_nonzero(np.bincount(cols, minlength=B.shape[1])))
        d_r = (d * g) / r_prime
        if d_r < min_degree:
            continue
        mu = top_singular_values(S[rows], 2, method=method, dense_max=dense_max, threads=threads)[1]
        ub = math.sqrt(d - 1) + math.sqrt(d_r - 1)
        terms.append(1.0 - mu / ub)
    if not terms:
        return NAN, 0
    return float(np.mean(terms)), len(terms)
