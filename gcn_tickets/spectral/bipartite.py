"""Layer mask -> bipartite graph (bi-adjacency ``B``), and its networkx export.

A pruned layer is read as a bipartite graph between its inputs (left nodes)
and its outputs (right nodes), one edge per kept weight. Two encodings:

``"unrolled"`` (default, as Hoang et al. ICLR 2023)
    Conv weight ``[c_out, c_in, *kernel]``: left node ``i = c_in_index * taps + tap``
    (``taps = prod(kernel)``, i.e. the row-major flattening of ``weight[o]``),
    right node ``o``; ``B[i, o] = 1`` iff ``mask[o].flatten()[i]`` is kept.
    Linear weight ``[out, in]``: left = inputs, right = outputs, ``B = mask.T``.
    Shape ``m x n = (c_in * taps) x c_out``.
``"channel"``
    ``B[c, o] = 1`` iff ANY tap of kernel ``(o, c)`` is kept (X-Nets style);
    weighted, the entry is the Frobenius norm of the kept taps ``||W[o, c] * mask[o, c]||``.
    Shape ``c_in x c_out``.

With ``weight`` given, entries are ``|W|`` at kept positions (unrolled) or the
kernel norm (channel) instead of 1. Kept weights whose value is exactly 0 stay
edges of the structure (:func:`biadjacency` without ``weight``); they simply
contribute 0 to the weighted matrix.

All matrices are ``scipy.sparse.csr_matrix`` in float64.
"""

from __future__ import annotations

from typing import Literal

import networkx as nx
import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor

__all__ = ["Encoding", "ENCODINGS", "biadjacency", "layer_dims", "to_networkx"]

Encoding = Literal["unrolled", "channel"]
ENCODINGS: tuple[str, ...] = ("unrolled", "channel")


def _check_encoding(encoding: str) -> None:
    if encoding not in ENCODINGS:
        raise ValueError(f"`encoding` must be one of {ENCODINGS}, got {encoding!r}")


def _as_numpy_mask(mask: Tensor | np.ndarray, name: str) -> np.ndarray:
    """Validate a 0/1 mask of a weight (ndim >= 2) and return it as a numpy bool array."""
    if isinstance(mask, Tensor):
        t = mask.detach().cpu()
        if t.is_floating_point() and bool(torch.isnan(t).any()):
            raise ValueError(f"mask of '{name}' contains NaN: masks hold only 0 and 1")
        if t.dtype != torch.bool:
            if bool(((t != 0) & (t != 1)).any()):
                raise ValueError(f"mask of '{name}' is not binary: masks hold only 0 and 1 (True = kept)")
            t = t != 0
        arr = t.numpy()
    else:
        arr = np.asarray(mask)
        if arr.dtype != np.bool_:
            if np.issubdtype(arr.dtype, np.floating) and np.isnan(arr).any():
                raise ValueError(f"mask of '{name}' contains NaN: masks hold only 0 and 1")
            if ((arr != 0) & (arr != 1)).any():
                raise ValueError(f"mask of '{name}' is not binary: masks hold only 0 and 1 (True = kept)")
            arr = arr != 0
    if arr.ndim < 2:
        raise ValueError(
            f"mask of '{name}' has shape {tuple(arr.shape)}: a layer mask needs ndim >= 2 "
            "([out, in] or [out, in, *kernel]); biases and norms are not bipartite layers"
        )
    if arr.size == 0:
        raise ValueError(f"mask of '{name}' is empty (shape {tuple(arr.shape)})")
    return arr


def layer_dims(shape: tuple[int, ...], encoding: Encoding = "unrolled") -> tuple[int, int]:
    """``(m, n)`` = (left, right) node counts of a weight of ``shape`` under ``encoding``."""
    _check_encoding(encoding)
    if len(shape) < 2:
        raise ValueError(f"a layer weight needs ndim >= 2, got shape {tuple(shape)}")
    out, inp = int(shape[0]), int(shape[1])
    taps = int(np.prod(shape[2:], dtype=np.int64)) if len(shape) > 2 else 1
    return (inp * taps if encoding == "unrolled" else inp), out


def biadjacency(
    mask: Tensor | np.ndarray,
    *,
    encoding: Encoding = "unrolled",
    weight: Tensor | np.ndarray | None = None,
    name: str = "layer",
) -> sp.csr_matrix:
    """Bi-adjacency ``B`` (m x n, float64 CSR) of a layer mask.

    Args:
        mask: 0/1 (or bool) tensor of the weight's shape, ``[out, in]`` or ``[out, in, *kernel]``.
        encoding: ``"unrolled"`` (left = input channel x kernel tap) or ``"channel"``
            (left = input channel, edge iff any tap kept). Default ``"unrolled"``.
        weight: optional weight tensor of the same shape; entries become ``|W|`` (unrolled)
            or the kept-kernel Frobenius norm (channel). Default: 0/1 entries.
        name: used in error messages.

    Returns:
        ``scipy.sparse.csr_matrix`` of shape ``layer_dims(mask.shape, encoding)``; left
        nodes are rows, right nodes (outputs) columns.
    """
    _check_encoding(encoding)
    arr = _as_numpy_mask(mask, name)
    out = arr.shape[0]
    w: np.ndarray | None = None
    if weight is not None:
        w = weight.detach().cpu().numpy() if isinstance(weight, Tensor) else np.asarray(weight)
        if tuple(w.shape) != tuple(arr.shape):
            raise ValueError(
                f"weight of '{name}' has shape {tuple(w.shape)} but its mask has shape "
                f"{tuple(arr.shape)}: pass the weight the mask was made for"
            )
        if not np.isfinite(w).all():
            raise ValueError(f"weight of '{name}' contains NaN or inf")
    if encoding == "unrolled" or arr.ndim == 2:
        m2 = arr.reshape(out, -1)  # [n, m] ; B = m2.T
        values = None if w is None else w.reshape(out, -1)
    else:
        m3 = arr.reshape(out, arr.shape[1], -1)
        m2 = m3.any(axis=2)
        values = None
        if w is not None:
            w3 = w.reshape(out, arr.shape[1], -1).astype(np.float64) * m3
            values = np.sqrt(np.einsum("oct,oct->oc", w3, w3))
    return _transpose_bool_to_csr(m2, values)


def _transpose_bool_to_csr(m2: np.ndarray, values: np.ndarray | None) -> sp.csr_matrix:
    """CSR (float64) of ``B = m2.T`` from a boolean ``[n, m]`` array.

    The row-major nonzeros of ``m2`` are exactly the CSC arrays of ``B`` (no transposed
    copy of the mask); one O(nnz) conversion gives CSR. With ``values`` (``[n, m]``),
    kept entries are ``|values|`` instead of 1.
    """
    n, m = m2.shape
    m2 = np.ascontiguousarray(m2)
    flat = np.flatnonzero(m2)  # sorted by output j, then input i
    idx_dtype = np.int32 if max(m, n, flat.size) < 2**31 - 1 else np.int64
    indices = (flat % m).astype(idx_dtype)  # input (row of B) of every kept weight
    indptr = np.zeros(n + 1, dtype=idx_dtype)
    np.cumsum(m2.sum(axis=1, dtype=np.int64), out=indptr[1:])
    if values is None:
        vals = np.ones(flat.size, dtype=np.float64)
    else:
        vals = np.abs(values.reshape(-1)[flat]).astype(np.float64)
    return sp.csc_matrix((vals, indices, indptr), shape=(m, n)).tocsr()


def to_networkx(
    B: sp.spmatrix | sp.sparray,
    *,
    drop_isolated: bool = False,
    left_prefix: str = "L",
    right_prefix: str = "R",
) -> nx.Graph:
    """networkx ``Graph`` of a bi-adjacency, for inspection and drawing.

    Nodes are ``f"{left_prefix}{i}"`` (``bipartite=0``) and ``f"{right_prefix}{j}"``
    (``bipartite=1``), with the integer index as attribute ``index``; one edge per
    nonzero with attribute ``weight = B[i, j]``. ``nx.bipartite.sets`` and
    ``nx.bipartite_layout`` work on the result. ``drop_isolated=True`` leaves out
    degree-0 nodes (the L', R' of the audit).
    """
    coo = sp.coo_matrix(B)
    m, n = coo.shape
    G = nx.Graph()
    if drop_isolated:
        left = np.unique(coo.row)
        right = np.unique(coo.col)
    else:
        left, right = np.arange(m), np.arange(n)
    G.add_nodes_from((f"{left_prefix}{i}", {"bipartite": 0, "index": int(i)}) for i in left)
    G.add_nodes_from((f"{right_prefix}{j}", {"bipartite": 1, "index": int(j)}) for j in right)
    G.add_weighted_edges_from(
        (f"{left_prefix}{i}", f"{right_prefix}{j}", float(v))
        for i, j, v in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)
    )
    return G
