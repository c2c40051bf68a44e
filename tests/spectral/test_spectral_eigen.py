"""sigma_1, sigma_2 in float64: the svd, dense-Gram and sparse (ARPACK) paths agree to 1e-9."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from gcn_tickets.spectral import blas_threads, top_singular_values


def _random(m: int, n: int, rho: float, seed: int, weighted: bool = False) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    data = (lambda k: rng.random(k) + 0.1) if weighted else np.ones
    return sp.random(m, n, density=rho, format="csr", random_state=seed, data_rvs=data)


@pytest.mark.parametrize(
    "m, n, rho, weighted",
    [
        (400, 90, 0.3, False),  # tall (right Gram)
        (60, 500, 0.2, False),  # wide (left Gram)
        (700, 300, 0.02, False),  # very sparse: sparse Gram product
        (300, 120, 0.5, True),  # weighted: float64 Gram
    ],
)
def test_paths_agree_to_1e9(m, n, rho, weighted):
    B = _random(m, n, rho, seed=m + n, weighted=weighted)
    exact = np.linalg.svd(B.toarray(), compute_uv=False)[:3]
    scale = max(1.0, exact[0])
    for method in ("svd", "dense", "sparse", "auto"):
        got = top_singular_values(B, 3, method=method)
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, exact, rtol=0, atol=1e-9 * scale, err_msg=method)
    # dense numpy input (float32 0/1 is exact) gives the same values
    dtype = np.float64 if weighted else np.float32
    got = top_singular_values(B.toarray().astype(dtype), 3, method="dense")
    np.testing.assert_allclose(got, exact, rtol=0, atol=1e-9 * scale)


def test_tiny_sigma2_is_exact_not_sqrt_of_roundoff():
    # K_{6,6} plus nothing: sigma = (6, 0, ...); a Gram eigenvalue alone would give ~1e-7
    B = sp.csr_matrix(np.ones((6, 40)))
    for method in ("svd", "dense", "sparse"):
        s1, s2 = top_singular_values(B, 2, method=method)
        assert s1 == pytest.approx(np.sqrt(240), abs=1e-12)
        assert abs(s2) < 1e-10, method


def test_where_arpack_cannot_go_falls_back():
    B = sp.csr_matrix(np.array([[1.0, 2.0, 0.0, 1.0]]))  # 1 x 4: one singular value
    np.testing.assert_allclose(top_singular_values(B, 2, method="sparse"), [np.sqrt(6.0), 0.0], atol=1e-12)
    B2 = sp.csr_matrix(np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 1.0]]))
    exact = np.linalg.svd(B2.toarray(), compute_uv=False)
    np.testing.assert_allclose(top_singular_values(B2, 3, method="sparse"), exact, atol=1e-12)


def test_zero_and_empty():
    np.testing.assert_array_equal(top_singular_values(sp.csr_matrix((5, 7)), 2), [0.0, 0.0])
    np.testing.assert_array_equal(top_singular_values(np.zeros((3, 3)), 3), [0.0] * 3)


def test_argument_validation():
    B = sp.csr_matrix(np.eye(4))
    with pytest.raises(ValueError, match="`k` must be a positive integer"):
        top_singular_values(B, 0)
    with pytest.raises(ValueError, match="`method` must be one of"):
        top_singular_values(B, 2, method="lobpcg")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="`threads` must be a positive integer"):
        with blas_threads(0):
            pass


def test_blas_threads_pins_and_restores():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    before = [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    with blas_threads(1):
        inside = [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
        assert inside and all(t == 1 for t in inside)
    after = [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    assert after == before
