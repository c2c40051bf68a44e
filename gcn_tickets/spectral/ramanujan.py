"""Ramanujan bound and gap, IMDB, NaRC and weighted gap of one bipartite layer.

Definitions (Hoang et al., "Revisiting pruning at initialization through the lens
of Ramanujan graph", ICLR 2023, as released; see docs/spectral.md). ``B`` is the
m x n bi-adjacency, ``E`` its edges (kept weights):

- isolated nodes are dropped: ``L'``, ``R'``; ``d_L = |E| / |L'|``, ``d_R = |E| / |R'|``;
- ``lambda1 = sigma_1(B)``, ``mu_hat = sigma_2(B)`` (float64);
- a layer is scored only if ``d_L >= 3`` and ``d_R >= 3`` (``min_degree``), else its
  scores are NaN with the reason (``lambda1`` and ``mu_hat`` are always reported);
- Ramanujan bound ``ub = sqrt(d_L - 1) + sqrt(d_R - 1)``; ``delta_r = ub - mu_hat``;
  ``delta_r_norm = 1 - mu_hat / ub``; ``is_ramanujan = delta_r > 0``;
  ``delta_s = 2 sqrt(lambda1 - 1) - mu_hat`` (NaN if ``lambda1 < 1``);
- IMDB: left nodes grouped by exact degree ``d``; every group of >= 3 nodes gives
  ``G_d`` = those nodes and all right nodes, isolated right nodes dropped,
  ``d_R(G_d) = |E(G_d)| / |R'_d|``; ``G_d`` is kept iff ``d >= 3`` and ``d_R(G_d) >= 3``;
  ``IMDB = mean_kept [1 - mu_hat(G_d) / (sqrt(d - 1) + sqrt(d_R(G_d) - 1))]``;
- NaRC = ``[(mu_hat^2/4 + 1) sqrt(|L'||R'|) - |e - (d_L / n) |L'||R'||] / (m n)`` with
  ``e = 2|E|`` (``"reference"``: the released code counts directed edge entries) or
  ``e = |E|`` (``"undirected"``);
- weighted gap = ``sigma_1(W) - sigma_2(W)`` of the ``|W|``-weighted bi-adjacency.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp

from gcn_tickets.spectral.eigen import DENSE_MAX, Method, blas_threads, top_singular_values
from gcn_tickets.spectral.metrics import (
    NARC_CONVENTIONS,
    NarcConvention,
    degree_reason,
    imdb_value,
    narc_value,
    ramanujan_bound,
)
from gcn_tickets.spectral.spectrum import METRICS, LayerSpectrum

__all__ = [
    "LayerSpectrum",
    "NarcConvention",
    "NARC_CONVENTIONS",
    "METRICS",
    "layer_spectrum",
    "ramanujan_bound",
    "narc_value",
    "imdb_value",
]

NAN = math.nan
#: layers with at most this many entries are copied densely once (64 MB in float32)
DENSE_ENTRIES = 2**24
#: ... and at least this density (sparser subgraphs go through sparse Gram products)
DENSE_FRACTION = 0.05


def _binary_structure(B: sp.spmatrix | sp.sparray | np.ndarray) -> sp.csr_matrix:
    S = sp.csr_matrix(B, dtype=np.float64, copy=True)
    S.eliminate_zeros()
    S.sort_indices()
    S.data[:] = 1.0
    return S


def layer_spectrum(
    B: sp.spmatrix | sp.sparray | np.ndarray,
    *,
    weights: sp.spmatrix | sp.sparray | np.ndarray | None = None,
    weighted: bool = False,
    narc: NarcConvention = "reference",
    min_degree: int = 3,
    method: Method = "auto",
    dense_max: int = DENSE_MAX,
    threads: int | None = None,
) -> LayerSpectrum:
    """Audit one bipartite layer.

    Args:
        B: bi-adjacency structure (m x n; every nonzero is an edge = a kept weight).
        weights: optional ``|W|``-weighted bi-adjacency with the same shape (entries outside
            ``B``'s pattern are ignored). Needed for ``weighted_gap``.
        weighted: if True, ``lambda1``, ``mu_hat`` and everything built on them (gaps, IMDB,
            NaRC) use the weighted matrix; degrees stay structural. Default False (0/1, as
            the reference).
        narc: NaRC convention reported as primary (both values are always computed).
        min_degree: degree guard (default 3).
        method, dense_max, threads: see :func:`~gcn_tickets.spectral.eigen.top_singular_values`.
    """
    S, W = _structure_and_weights(B, weights, weighted=weighted, narc=narc)
    kw: dict[str, Any] = dict(method=method, dense_max=dense_max, threads=threads)
    with blas_threads(threads):
        return _layer_spectrum(S, W, weighted=weighted, narc=narc, min_degree=min_degree, kw=kw)


def _structure_and_weights(
    B: sp.spmatrix | sp.sparray | np.ndarray,
    weights: sp.spmatrix | sp.sparray | np.ndarray | None,
    *,
    weighted: bool,
    narc: NarcConvention,
) -> tuple[sp.csr_matrix, sp.csr_matrix | None]:
    """Checked 0/1 structure ``S`` of ``B`` and ``|W|`` restricted to its pattern (or None)."""
    if narc not in NARC_CONVENTIONS:
        raise ValueError(f"`narc` must be one of {NARC_CONVENTIONS}, got {narc!r}")
    S = _binary_structure(B)
    m, n = S.shape
    if m == 0 or n == 0:
        raise ValueError(f"empty layer of shape {(m, n)}: nothing to audit")
    W: sp.csr_matrix | None = None
    if weights is not None:
        W = sp.csr_matrix(weights, dtype=np.float64)
        if W.shape != S.shape:
            raise ValueError(f"weights have shape {W.shape} but the layer has shape {S.shape}")
        W = abs(W.multiply(S)).tocsr()  # only kept entries count
    if weighted and W is None:
        raise ValueError("weighted=True needs weights: pass weights= (|W| bi-adjacency)")
    return S, W


def _empty_spectrum(base: dict[str, Any]) -> LayerSpectrum:
    """A layer with no kept weights: every metric NaN with the reason."""
    why = "layer has no kept weights (all-zero mask)"
    return LayerSpectrum(
        **base,
        d_left=NAN,
        d_right=NAN,
        lambda1=NAN,
        mu_hat=NAN,
        ramanujan_bound=NAN,
        delta_r=NAN,
        delta_r_norm=NAN,
        delta_s=NAN,
        is_ramanujan=None,
        imdb=NAN,
        imdb_subgraphs=0,
        narc=NAN,
        narc_undirected=NAN,
        weighted_gap=NAN,
        reasons={k: why for k in METRICS} | {"is_ramanujan": why},
    )


#: the scores a failed degree guard leaves undefined
_GUARDED = (
    "ramanujan_bound",
    "delta_r",
    "delta_r_norm",
    "delta_s",
    "is_ramanujan",
    "narc",
    "narc_undirected",
)


def _gap_scores(
    lam1: float,
    mu: float,
    guard: str | None,
    *,
    d_l: float,
    d_r: float,
    nkw: dict[str, int],
    reasons: dict[str, str],
) -> dict[str, Any]:
    """Ramanujan bound, gaps and NaRC (NaN with ``guard`` as reason when the guard fails)."""
    if guard is not None:
        reasons.update({key: guard for key in _GUARDED})
        return dict(
            ramanujan_bound=NAN,
            delta_r=NAN,
            delta_r_norm=NAN,
            delta_s=NAN,
            is_ramanujan=None,
            narc=NAN,
            narc_undirected=NAN,
        )
    ub = ramanujan_bound(d_l, d_r)
    delta_r = ub - mu
    delta_r_norm = 1.0 - mu / ub
    if lam1 >= 1:
        delta_s = 2.0 * math.sqrt(lam1 - 1.0) - mu
    else:
        delta_s = NAN
        reasons["delta_s"] = f"lambda1 = {lam1:.4g} < 1"
    return dict(
        ramanujan_bound=ub,
        delta_r=delta_r,
        delta_r_norm=delta_r_norm,
        delta_s=delta_s,
        is_ramanujan=bool(delta_r > 0),
        narc=narc_value(mu, convention="reference", **nkw),
        narc_undirected=narc_value(mu, convention="undirected", **nkw),
    )


def _weighted_gap(
    W: sp.csr_matrix | None,
    *,
    spec_is_w: bool,
    lam1: float,
    mu: float,
    kw: dict[str, Any],
    reasons: dict[str, str],
) -> float:
    """``sigma_1(W) - sigma_2(W)``: reused when the spectrum was already taken on ``W``."""
    if W is None:
        reasons["weighted_gap"] = "no weights given"
        return NAN
    if spec_is_w:
        return lam1 - mu
    s1, s2 = top_singular_values(W, 2, **kw)
    return float(s1 - s2)


def _layer_spectrum(
    S: sp.csr_matrix,
    W: sp.csr_matrix | None,
    *,
    weighted: bool,
    narc: NarcConvention,
    min_degree: int,
    kw: dict[str, Any],
) -> LayerSpectrum:
    """Body of :func:`layer_spectrum` on the checked structure ``S`` and ``|W|``, with
    ``kw`` the eigen-solver options, run with BLAS threads pinned."""
    m, n = S.shape
    edges = int(S.nnz)
    deg_l = np.diff(S.indptr)
    deg_r = np.bincount(S.indices, minlength=n)
    l_prime = int(np.count_nonzero(deg_l))
    r_prime = int(np.count_nonzero(deg_r))
    base = dict(
        shape=(int(m), int(n)),
        edges=edges,
        density=edges / (m * n),
        left_isolated=int(m - l_prime),
        right_isolated=int(n - r_prime),
        narc_convention=narc,
    )
    if edges == 0:
        return _empty_spectrum(base)
    reasons: dict[str, str] = {}
    d_l, d_r = edges / l_prime, edges / r_prime
    spec = W if (weighted and W is not None) else S
    method, dense_max = kw["method"], kw["dense_max"]
    # small, not too sparse layers: one dense copy serves the layer and all its IMDB
    # row groups (float32 is exact for the 0/1 Gram; weights stay float64)
    spec_d: sp.csr_matrix | np.ndarray = spec
    dense_ok = m * n <= DENSE_ENTRIES and edges >= DENSE_FRACTION * m * n
    if method in ("auto", "dense") and dense_ok and min(m, n) <= dense_max:
        spec_d = spec.toarray().astype(np.float32 if spec is S else np.float64, copy=False)
    lam1, mu = (float(x) for x in top_singular_values(spec_d, 2, **kw))

    nkw = dict(edges=edges, left_nonisolated=l_prime, right_nonisolated=r_prime, m=m, n=n)
    guard = degree_reason(d_l, d_r, min_degree)
    gaps = _gap_scores(lam1, mu, guard, d_l=d_l, d_r=d_r, nkw=nkw, reasons=reasons)

    imdb, kept = imdb_value(S, spectral=spec_d, min_degree=min_degree, **kw)
    if kept == 0:
        reasons["imdb"] = (
            f"no degree group G_d with >= 3 left nodes of degree d >= {min_degree} "
            f"and d_R(G_d) >= {min_degree}"
        )
    wgap = _weighted_gap(W, spec_is_w=spec is W, lam1=lam1, mu=mu, kw=kw, reasons=reasons)

    return LayerSpectrum(
        **base,
        d_left=d_l,
        d_right=d_r,
        lambda1=lam1,
        mu_hat=mu,
        **gaps,
        imdb=imdb,
        imdb_subgraphs=kept,
        weighted_gap=wgap,
        reasons=reasons,
    )
