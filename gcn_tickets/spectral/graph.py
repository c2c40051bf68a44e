"""Spectral summary of a (sparsified) graph, and the audit of a GCN ticket.

For an undirected graph with adjacency ``A`` (symmetrised, self-loops dropped)
and degrees ``D``, the normalised Laplacian is ``L = I - D^{-1/2} A D^{-1/2}``
(isolated nodes: ``L_ii = 0``). Its eigenvalues lie in ``[0, 2]``; the multiplicity
of 0 is the number of connected components (isolated nodes included).

:class:`GraphSpectrum` fields:

- ``lambda2``: second smallest eigenvalue of ``L`` on the whole graph (0 when
  disconnected), the normalised algebraic connectivity;
- ``lambda2_lcc``: the same on the largest connected component (what a
  sparsifier damages first; NaN when the LCC has < 2 nodes);
- ``spectral_gap``: ``1 - max(|1 - lambda2_lcc|, |1 - lambda_max_lcc|)``, the
  expansion gap of the normalised adjacency ``D^{-1/2} A D^{-1/2}`` of the LCC
  (``<= 0`` for a bipartite LCC);
- ``components``, ``lcc_nodes``, ``isolated``, ``num_nodes``, ``num_edges`` (undirected).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
import scipy.sparse.linalg as spla
import torch
from torch import Tensor

from gcn_tickets.masks.edges import undirected_edges
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.spectral.eigen import blas_threads

__all__ = [
    "GraphSpectrum",
    "graph_spectrum",
    "sparsified_spectra",
    "audit_gcn_ticket",
    "normalized_adjacency",
]

DENSE_NODES = 1500


@dataclass(frozen=True, kw_only=True)
class GraphSpectrum:
    """Spectral summary of one undirected graph (see module doc)."""

    num_nodes: int
    num_edges: int
    isolated: int
    components: int
    lcc_nodes: int
    lambda2: float
    lambda2_lcc: float
    lambda_max_lcc: float
    spectral_gap: float

    def to_dict(self) -> dict[str, Any]:
        return {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in asdict(self).items()
        }


def _adjacency(
    edge_index: Tensor | np.ndarray, num_nodes: int, edge_weight: Tensor | np.ndarray | None
) -> sp.csr_matrix:
    ei = edge_index.detach().cpu().numpy() if isinstance(edge_index, Tensor) else edge_index
    ei = np.asarray(ei, dtype=np.int64)
    if ei.ndim != 2 or ei.shape[0] != 2:
        raise ValueError(f"edge_index must have shape [2, E], got {tuple(ei.shape)}")
    if ei.size and (ei.min() < 0 or ei.max() >= num_nodes):
        raise ValueError(f"edge_index holds node ids outside [0, {num_nodes})")
    if edge_weight is None:
        w = np.ones(ei.shape[1], dtype=np.float64)
    else:
        w = np.asarray(
            edge_weight.detach().cpu().numpy() if isinstance(edge_weight, Tensor) else edge_weight,
            dtype=np.float64,
        )
    keep = ei[0] != ei[1]
    A = sp.coo_matrix((w[keep], (ei[0, keep], ei[1, keep])), shape=(num_nodes, num_nodes)).tocsr()
    A = A.maximum(A.T)  # symmetrise; duplicates (both directions) count once
    A.eliminate_zeros()
    return A.tocsr()


def normalized_adjacency(A: sp.csr_matrix) -> sp.csr_matrix:
    """``D^{-1/2} A D^{-1/2}`` (rows/cols of isolated nodes are 0)."""
    deg = np.asarray(A.sum(axis=1)).ravel()
    inv = np.zeros_like(deg)
    nz = deg > 0
    inv[nz] = 1.0 / np.sqrt(deg[nz])
    Dm = sp.diags(inv)
    return (Dm @ A @ Dm).tocsr()


def _extreme_eigs(M: sp.csr_matrix, threads: int | None) -> tuple[float, float]:
    """Second largest and smallest eigenvalue of a symmetric normalised adjacency ``M``."""
    N = M.shape[0]
    with blas_threads(threads):
        if N <= DENSE_NODES:
            ev = sla.eigvalsh(M.toarray())
            return float(ev[-2]), float(ev[0])
        v0 = np.random.default_rng(0).standard_normal(N)
        top = spla.eigsh(M, k=2, which="LA", v0=v0, tol=1e-10, return_eigenvectors=False)
        bot = spla.eigsh(M, k=1, which="SA", v0=v0, tol=1e-10, return_eigenvectors=False)
        return float(np.sort(top)[0]), float(bot[0])


def graph_spectrum(
    edge_index: Tensor | np.ndarray | Any,
    num_nodes: int | None = None,
    *,
    edge_weight: Tensor | np.ndarray | None = None,
    threads: int | None = None,
) -> GraphSpectrum:
    """Spectral summary of the undirected graph ``edge_index`` (PyG convention).

    Args:
        edge_index: ``[2, E]`` directed entries (one or both directions per edge), or a
            PyG ``Data`` (its ``edge_index``, ``num_nodes`` and ``edge_weight`` are used).
        num_nodes: N (default ``edge_index.max() + 1``).
        edge_weight: optional ``[E]`` non-negative weights (default 1).
        threads: BLAS threads for the eigen-solver (default: available CPUs).
    """
    if hasattr(edge_index, "edge_index"):  # a PyG Data / graph object
        data = edge_index
        num_nodes = data.num_nodes if num_nodes is None else num_nodes
        if edge_weight is None:
            edge_weight = getattr(data, "edge_weight", None)
        edge_index = data.edge_index
    if num_nodes is None:
        num_nodes = int(np.asarray(edge_index).max()) + 1 if np.asarray(edge_index).size else 0
    if num_nodes < 1:
        raise ValueError("the graph has no nodes")
    A = _adjacency(edge_index, num_nodes, edge_weight)
    deg = np.diff(A.indptr)
    ncomp, labels = csgraph.connected_components(A, directed=False)
    sizes = np.bincount(labels)
    lcc = int(np.argmax(sizes))
    nodes = np.flatnonzero(labels == lcc)
    lam2_lcc = lam_max = gap = math.nan
    if nodes.size >= 2:
        M = normalized_adjacency(A[nodes][:, nodes].tocsr())
        if nodes.size == 2:
            mu2, mu_min = -1.0, -1.0
        else:
            mu2, mu_min = _extreme_eigs(M, threads)
        lam2_lcc, lam_max = 1.0 - mu2, 1.0 - mu_min
        gap = 1.0 - max(abs(mu2), abs(mu_min))
    lam2 = 0.0 if ncomp > 1 else lam2_lcc
    return GraphSpectrum(
        num_nodes=int(num_nodes),
        num_edges=int(A.nnz // 2),
        isolated=int(np.count_nonzero(deg == 0)),
        components=int(ncomp),
        lcc_nodes=int(nodes.size),
        lambda2=float(lam2),
        lambda2_lcc=float(lam2_lcc),
        lambda_max_lcc=float(lam_max),
        spectral_gap=float(gap),
    )


def sparsified_spectra(
    edge_index: Tensor,
    graph_mask: Tensor,
    num_nodes: int | None = None,
    *,
    threads: int | None = None,
) -> dict[str, GraphSpectrum]:
    """``{"original": ..., "sparsified": ...}`` for a graph and its graph mask.

    ``graph_mask`` holds one 0/1 entry per undirected edge in the canonical order of
    :func:`gcn_tickets.masks.edges.undirected_edges` (the :class:`MaskSet` graph mask).
    Nodes are kept (a sparsified graph has the same N, possibly more isolated nodes).
    """
    if num_nodes is None:
        num_nodes = int(edge_index.max()) + 1
    und, _ = undirected_edges(edge_index, num_nodes)
    mask = torch.as_tensor(graph_mask).bool().flatten()
    if mask.numel() != und.size(1):
        raise ValueError(
            f"graph mask has {mask.numel()} entries but the graph has {und.size(1)} undirected "
            "edges: was it made for another dataset?"
        )
    return {
        "original": graph_spectrum(und, num_nodes, threads=threads),
        "sparsified": graph_spectrum(und[:, mask], num_nodes, threads=threads),
    }


def audit_gcn_ticket(
    masks: MaskSet | Mapping[str, Any],
    *,
    edge_index: Tensor | None = None,
    num_nodes: int | None = None,
    weights: Mapping[str, Tensor] | None = None,
    **audit_kwargs: Any,
) -> dict[str, Any]:
    """Audit a GCN ticket: the bipartite graphs of its weight masks and, when the ticket
    has a graph mask and ``edge_index`` is given, the original vs sparsified graph spectra.

    GCN weights are ``[out, in]`` (``lin.weight``), so each layer is a Linear bi-adjacency.
    Returns ``{"weights": AuditResult, "graph": {"original": ..., "sparsified": ...} | None}``.
    """
    from gcn_tickets.spectral.audit import audit

    ms = masks if isinstance(masks, MaskSet) else MaskSet.from_object(masks)
    result = audit(ms, weights=weights, **audit_kwargs)
    graph = None
    if ms.graph is not None and edge_index is not None:
        graph = sparsified_spectra(edge_index, ms.graph, num_nodes)
    return {"weights": result, "graph": graph}
