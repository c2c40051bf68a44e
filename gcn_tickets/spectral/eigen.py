"""Top singular values of a bi-adjacency in float64, fast and exact.

For a bipartite graph with bi-adjacency ``B`` (m x n) the adjacency
``A = [[0, B], [B^T, 0]]`` has eigenvalues ``+-sigma_i(B)`` and ``|m - n|`` zeros,
so ``lambda_1(A) = sigma_1(B)`` and the largest non-trivial eigenvalue
``mu_hat = sigma_2(B)`` (the 3rd largest ``|lambda|`` of ``A``, as the reference
reads it from ``eigsh(k=3)`` in float32). Singular values beyond ``min(m, n)``
are 0 (the zero eigenvalues of ``A``).

Paths (``method``):

``"svd"``     LAPACK ``svdvals`` of the dense ``B``: tiny matrices, and where ARPACK
              cannot go (``min(m, n) <= k + 1``).
``"dense"``   the smaller Gram matrix ``G = B^T B`` (or ``B B^T``) built densely (float32
              ``syrk`` for 0/1 matrices, exact while ``max(m, n) < 2**24``; float64 otherwise,
              or a sparse product when cheaper), then LAPACK ``eigh`` on the top-``k`` index
              subset only.
``"sparse"``  ARPACK ``eigsh`` (Lanczos, ``tol=1e-10``) on ``G`` as a
              ``LinearOperator`` (``x -> B^T (B x)``), never forming ``G``.
``"auto"``    ``svd`` when ``m * n <= 4096`` or ``min(m, n) <= k + 1``; ``dense`` when
              ``min(m, n) <= dense_max`` (default 2048); ``sparse`` otherwise.

The Gram paths end with a Rayleigh-Ritz step on ``B`` itself: with ``V`` the
top-``k`` eigenvectors of ``G``, the values returned are ``svdvals(B V)``. This
gives ``sigma`` to ``~eps * sigma_1`` absolute (the Gram eigenvalue alone would
lose half the digits of a small ``sigma_2``), so all paths agree to ~1e-12.

BLAS threads are pinned (threadpoolctl; default 1 thread) while a solver runs:
oversubscribed BLAS threads slow the dense paths down (measurements: docs/spectral.md).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

__all__ = ["Method", "METHODS", "top_singular_values", "blas_threads", "default_threads"]

Method = Literal["auto", "svd", "dense", "sparse"]
METHODS: tuple[str, ...] = ("auto", "svd", "dense", "sparse")
SVD_MAX_ENTRIES = 4096
DENSE_MAX = 2048


def default_threads() -> int:
    """CPUs this process may use (``os.sched_getaffinity``), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


_PINNED = threading.local()
_CONTROLLER: Any = None


@contextlib.contextmanager
def blas_threads(threads: int | None = None) -> Iterator[None]:
    """Limit BLAS threads to ``threads`` (default 1) inside the block.

    Default 1: the solves here are small (``min(m, n) <= 4096``) and on a shared
    machine a second BLAS thread that has to wait for a busy core slows them down
    (measurements: docs/spectral.md).

    Re-entrant: inside an outer ``blas_threads`` block, inner ones are no-ops (the
    threadpoolctl library scan costs milliseconds, too much per small solve).
    """
    global _CONTROLLER
    n = 1 if threads is None else int(threads)
    if n < 1:
        raise ValueError(f"`threads` must be a positive integer, got {threads!r}")
    if getattr(_PINNED, "depth", 0) > 0:
        yield
        return
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl ships with scipy/scikit-learn
        yield
        return
    if _CONTROLLER is None:
        _CONTROLLER = ThreadpoolController()
    _PINNED.depth = 1
    try:
        with _CONTROLLER.limit(limits=n, user_api="blas"):
            yield
    finally:
        _PINNED.depth = 0


def _is_binary(B: sp.csr_matrix) -> bool:
    return bool(np.all(B.data == 1.0))


def _syrk(D: np.ndarray, side: str, G: np.ndarray | None = None) -> np.ndarray:
    """Upper triangle of ``D^T D`` (side "right") or ``D D^T`` ("left"), accumulated into ``G``.

    float32 ``D`` uses ``ssyrk`` (exact for 0/1 matrices with fewer than 2**24 rows),
    anything else ``dsyrk`` in float64.
    """
    if D.dtype == np.float32:
        syrk = sla.blas.ssyrk
    else:
        syrk = sla.blas.dsyrk
        D = np.asarray(D, dtype=np.float64)
    s = D.shape[1] if side == "right" else D.shape[0]
    if G is None:
        G = np.zeros((s, s), dtype=D.dtype, order="F")
    trans = 1 if side == "right" else 0
    return syrk(alpha=1.0, a=D, trans=trans, beta=1.0, c=G, lower=0, overwrite_c=1)


def _gram_from_sparse(B: sp.csr_matrix, side: str) -> np.ndarray:
    """Dense float64 Gram of the smaller side: ``B^T B`` (side "right") or ``B B^T`` ("left").

    Picks a sparse product or a chunked dense ``syrk`` by a cost model. Only the upper
    triangle is guaranteed (LAPACK ``eigh`` with ``lower=False`` reads it).
    """
    X = B if side == "right" else B.T.tocsr()  # Gram = X^T X, X is (rows x s)
    rows, s = X.shape
    # cost model: sparse product ~ sum(row_nnz^2) scalar ops; dense syrk ~ rows*s^2/2 flops
    row_nnz = np.diff(X.indptr).astype(np.float64)
    sparse_cost = float(np.dot(row_nnz, row_nnz))
    dense_cost = rows * s * s / 2.0 / 100.0 + rows * s / 10.0
    if sparse_cost < dense_cost:
        return (X.T @ X).toarray().astype(np.float64, copy=False)
    dtype = np.float32 if (_is_binary(X) and rows < 2**24) else np.float64
    # accumulate over row chunks to bound the dense copy at ~64 MB
    chunk = max(1, int(2**26 // (max(s, 1) * np.dtype(dtype).itemsize)))
    G = None
    for start in range(0, rows, chunk):
        D = X[start : start + chunk].toarray().astype(dtype, copy=False)
        G = _syrk(D, "right", G)
    return np.asarray(G, dtype=np.float64)


def _top_from_gram(G: np.ndarray, kk: int) -> np.ndarray:
    s = G.shape[0]
    _, V = sla.eigh(G, lower=False, subset_by_index=[s - kk, s - 1], driver="evr")
    return V


def _ritz(B: sp.csr_matrix | np.ndarray, V: np.ndarray, side: str) -> np.ndarray:
    """Singular values of ``B V`` (right side) or ``B^T V`` (left side), descending, float64."""
    if isinstance(B, np.ndarray):
        BV = (B @ V) if side == "right" else (B.T @ V)  # V is float64: promotes
    else:
        BV = (B @ V) if side == "right" else (B.T @ V)
    return sla.svdvals(np.asarray(BV, dtype=np.float64))


def top_singular_values(
    B: sp.spmatrix | sp.sparray | np.ndarray,
    k: int = 2,
    *,
    method: Method = "auto",
    dense_max: int = DENSE_MAX,
    threads: int | None = None,
    tol: float = 1e-10,
    seed: int = 0,
) -> np.ndarray:
    """The ``k`` largest singular values of ``B`` in float64, descending.

    Args:
        B: m x n matrix, scipy sparse or a dense numpy array; any real values. A dense
            float32 array is used as is by the Gram path (exact for 0/1 entries and fewer
            than 2**24 rows); other dtypes are computed in float64.
        k: how many (default 2: ``sigma_1, sigma_2``). Values beyond ``min(m, n)`` are 0.
        method: ``"auto"`` (default), ``"svd"``, ``"dense"`` or ``"sparse"`` (module doc).
        dense_max: in ``auto``, the largest ``min(m, n)`` solved densely (default 2048).
        threads: BLAS threads while solving (default 1, see :func:`blas_threads`).
        tol: ARPACK relative tolerance of the sparse path (default 1e-10; the Ritz step
            squares the eigenvector error, so sigma is still exact to ~1e-12).
        seed: seed of ARPACK's start vector (default 0; results are deterministic).

    Returns:
        float64 array of shape ``[k]``.
    """
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"`k` must be a positive integer, got {k!r}")
    if method not in METHODS:
        raise ValueError(f"`method` must be one of {METHODS}, got {method!r}")
    B, dense_in, empty = _as_matrix(B)
    m, n = B.shape
    out = np.zeros(k, dtype=np.float64)
    if m == 0 or n == 0 or empty:
        return out
    s = min(m, n)
    side = "right" if n <= m else "left"
    method = _pick_method(method, m * n, s, k, dense_max)
    kk = min(k, s)
    with blas_threads(threads):
        vals = _solve(B, kk, method=method, side=side, dense_in=dense_in, tol=tol, seed=seed)
    vals = np.sort(np.asarray(vals, dtype=np.float64))[::-1]
    out[: vals.size] = vals[:k]
    return out


def _as_matrix(
    B: sp.spmatrix | sp.sparray | np.ndarray,
) -> tuple[sp.csr_matrix | np.ndarray, bool, bool]:
    """``(B as float32/float64 array or float64 CSR, dense input?, no nonzero?)``."""
    if isinstance(B, np.ndarray):
        if B.ndim != 2:
            raise ValueError(f"`B` must be 2-D, got shape {B.shape}")
        if B.dtype != np.float32:
            B = np.asarray(B, dtype=np.float64)
        return B, True, B.size == 0 or not B.any()
    B = sp.csr_matrix(B, dtype=np.float64)
    return B, False, B.nnz == 0


def _pick_method(method: Method, entries: int, s: int, k: int, dense_max: int) -> Method:
    """Resolve ``"auto"`` (svd for small matrices, dense up to ``dense_max``, else sparse);
    ``sparse`` falls back to ``svd`` where ARPACK cannot go."""
    if method == "auto":
        if entries <= SVD_MAX_ENTRIES or s <= k + 1:
            method = "svd"
        elif s <= dense_max:
            method = "dense"
        else:
            method = "sparse"
    if method == "sparse" and s <= k + 1:
        method = "svd"  # ARPACK needs k < N - 1 here; LAPACK goes everywhere
    return method


def _solve(
    B: sp.csr_matrix | np.ndarray,
    kk: int,
    *,
    method: Method,
    side: str,
    dense_in: bool,
    tol: float,
    seed: int,
) -> np.ndarray:
    """The ``kk`` top singular values by ``method`` (unsorted), BLAS threads already pinned."""
    if method == "svd":
        D = B if dense_in else B.toarray()
        return sla.svdvals(np.asarray(D, dtype=np.float64))[:kk]
    if method == "dense":
        G = _syrk(B, side) if dense_in else _gram_from_sparse(B, side)
        V = _top_from_gram(np.asarray(G, dtype=np.float64), kk)
        return _ritz(B, V, side)
    if dense_in:
        B = sp.csr_matrix(B, dtype=np.float64)
    s = min(B.shape)
    X = B if side == "right" else B.T.tocsr()
    XT = X.T.tocsr()
    op = spla.LinearOperator((s, s), matvec=lambda x: XT @ (X @ x), dtype=np.float64)
    v0 = np.random.default_rng(seed).standard_normal(s)
    ncv = min(s, max(2 * kk + 1, 24))
    _, V = spla.eigsh(op, k=kk, which="LA", tol=tol, v0=v0, ncv=ncv, maxiter=s * 50)
    return _ritz(B, V, side)
