"""Per-layer metrics with exact known values, closed forms, and the released definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from gcn_tickets.spectral import audit_layer, layer_spectrum, narc_value, ramanujan_bound


def _csr(D) -> sp.csr_matrix:
    return sp.csr_matrix(np.asarray(D, dtype=float))


# ----------------------------------------------------------------- exact values
def test_complete_biclique_is_ramanujan_with_mu_zero():
    r = layer_spectrum(_csr(np.ones((5, 5))))
    assert r.shape == (5, 5) and r.edges == 25 and r.density == 1.0
    assert r.left_isolated == r.right_isolated == 0
    assert r.d_left == r.d_right == 5.0
    assert r.lambda1 == pytest.approx(5.0, abs=1e-12)
    assert abs(r.mu_hat) < 1e-12
    assert r.ramanujan_bound == pytest.approx(4.0, abs=1e-12)
    assert r.delta_r == pytest.approx(4.0, abs=1e-12)
    assert r.delta_r_norm == pytest.approx(1.0, abs=1e-12)
    assert r.delta_s == pytest.approx(4.0, abs=1e-12)  # 2 sqrt(5 - 1) - 0
    assert r.is_ramanujan is True
    # one degree group (d = 5, 5 nodes): IMDB = 1 - 0 / 4
    assert r.imdb == pytest.approx(1.0, abs=1e-12) and r.imdb_subgraphs == 1
    # NaRC: [(0 + 1) sqrt(25) - |e - (5 / 5) 25|] / 25 with e = 2|E| = 50 or |E| = 25
    assert r.narc == pytest.approx((5 - 25) / 25, abs=1e-12)
    assert r.narc_undirected == pytest.approx(5 / 25, abs=1e-12)
    assert r.weighted_gap != r.weighted_gap and r.reasons["weighted_gap"] == "no weights given"
    assert set(r.reasons) == {"weighted_gap"}


def test_two_disjoint_bicliques_mu_is_sigma1_of_smaller():
    D = np.zeros((7, 9))
    D[:3, :3] = 1  # K_{3,3}: sigma = 3
    D[3:, 3:7] = 1  # K_{4,4}: sigma = 4
    # right nodes 7, 8 are isolated
    r = layer_spectrum(_csr(D))
    assert r.lambda1 == pytest.approx(4.0, abs=1e-12)
    assert r.mu_hat == pytest.approx(3.0, abs=1e-12)
    assert r.right_isolated == 2 and r.left_isolated == 0
    assert r.d_left == pytest.approx(25 / 7) and r.d_right == pytest.approx(25 / 7)
    ub = 2 * math.sqrt(25 / 7 - 1)
    assert r.ramanujan_bound == pytest.approx(ub, abs=1e-12)
    assert r.delta_r == pytest.approx(ub - 3.0, abs=1e-12)
    assert r.is_ramanujan is (ub > 3.0)
    # degree groups d = 3 (K_{3,3}) and d = 4 (K_{4,4}): both complete, mu(G_d) = 0
    assert r.imdb_subgraphs == 2 and r.imdb == pytest.approx(1.0, abs=1e-12)


def test_d_left_regular_layer_has_one_imdb_subgraph():
    rng = np.random.default_rng(0)
    m, n, d = 40, 15, 4
    D = np.zeros((m, n))
    for i in range(m):
        D[i, rng.choice(n, d, replace=False)] = 1
    r = layer_spectrum(_csr(D))
    assert r.d_left == d and r.imdb_subgraphs == 1
    # the one subgraph is the layer itself
    assert r.imdb == pytest.approx(r.delta_r_norm, abs=1e-12)


def test_below_degree_guard_is_nan_with_reason():
    D = np.zeros((10, 7))
    for i in range(10):
        D[i, [i % 7, (i + 1) % 7]] = 1  # 9 rows of degree 2 ...
    D[9, 4] = 1  # ... and one of degree 3: |E| = 21, d_L = 2.1, d_R = 3
    r = layer_spectrum(_csr(D))
    assert r.edges == 21 and r.d_left == pytest.approx(2.1) and r.d_right == pytest.approx(3.0)
    for key in ("ramanujan_bound", "delta_r", "delta_r_norm", "delta_s", "narc"):
        assert math.isnan(getattr(r, key)), key
        assert r.reasons[key] == "d_L = 2.1 < 3"
    assert r.is_ramanujan is None and r.reasons["is_ramanujan"] == "d_L = 2.1 < 3"
    assert math.isfinite(r.lambda1) and math.isfinite(r.mu_hat)  # always reported
    assert math.isnan(r.imdb) and "no degree group" in r.reasons["imdb"]


def test_all_zero_layer():
    r = audit_layer(torch.zeros(8, 4, 3, 3), weight=torch.randn(8, 4, 3, 3))
    assert r.edges == 0 and r.shape == (36, 8)
    assert r.left_isolated == 36 and r.right_isolated == 8
    for key in ("d_left", "lambda1", "mu_hat", "delta_r_norm", "imdb", "narc", "weighted_gap"):
        assert math.isnan(getattr(r, key)) and "all-zero" in r.reasons[key]
    assert r.is_ramanujan is None and r.imdb_subgraphs == 0


def test_linear_layer_and_weighted_gap():
    g = torch.Generator().manual_seed(5)
    mask = torch.rand(20, 50, generator=g) < 0.4  # Linear(50 -> 20)
    w = torch.randn(20, 50, generator=g, dtype=torch.float64)
    r = audit_layer(mask, weight=w)
    assert r.shape == (50, 20) and r.edges == int(mask.sum())
    D = mask.T.double().numpy()
    s = np.linalg.svd(D, compute_uv=False)
    assert r.lambda1 == pytest.approx(s[0], abs=1e-10) and r.mu_hat == pytest.approx(s[1], abs=1e-10)
    sw = np.linalg.svd((w * mask).abs().T.numpy(), compute_uv=False)
    assert r.weighted_gap == pytest.approx(sw[0] - sw[1], abs=1e-10)
    assert "weighted_gap" not in r.reasons
    rw = audit_layer(mask, weight=w, weighted=True)
    assert rw.lambda1 == pytest.approx(sw[0], abs=1e-10) and rw.mu_hat == pytest.approx(sw[1])
    assert rw.d_left == r.d_left  # degrees stay structural
    with pytest.raises(ValueError, match="weighted=True needs weights"):
        audit_layer(mask, weighted=True)
    with pytest.raises(ValueError, match="`narc` must be one of"):
        audit_layer(mask, narc="both")  # type: ignore[arg-type]


def test_formula_helpers():
    assert ramanujan_bound(5, 10) == pytest.approx(2 + 3)
    assert math.isnan(ramanujan_bound(0.5, 3))
    kw = dict(edges=30, left_nonisolated=10, right_nonisolated=6, m=12, n=8)
    # (mu^2/4 + 1) sqrt(60) - |e - (3 / 8) * 60|, / 96
    assert narc_value(2.0, **kw) == pytest.approx((2 * math.sqrt(60) - abs(60 - 22.5)) / 96)
    assert narc_value(2.0, convention="undirected", **kw) == pytest.approx(
        (2 * math.sqrt(60) - abs(30 - 22.5)) / 96
    )


# ----------------------------------------------------------------- closed forms
@pytest.mark.parametrize("rho, narc_expected", [(0.5, -1 / 6), (0.1, 0.02)])
def test_random_mask_closed_forms(rho, narc_expected):
    """3x3 conv, c_in = c_out = 128 (m = 1152, n = 128, r = 9).

    sigma_2 ~ sqrt(rho (1 - rho)) (sqrt(m) + sqrt(n)) within 3 %;
    NaRC ~ rho (1 - rho) (1 + sqrt r)^2 / (4 sqrt r) - rho within 0.01 (the closed form
    drops the 1/sqrt(mn) = 0.0026 term and finite-size fluctuations of sigma_2).
    """
    g = torch.Generator().manual_seed(int(rho * 100))
    mask = torch.rand(128, 128, 3, 3, generator=g) < rho
    r = audit_layer(mask)
    m, n = 1152, 128
    sigma2 = math.sqrt(rho * (1 - rho)) * (math.sqrt(m) + math.sqrt(n))
    assert r.mu_hat == pytest.approx(sigma2, rel=0.03)
    sq = math.sqrt(m / n)
    assert rho * (1 - rho) * (1 + sq) ** 2 / (4 * sq) - rho == pytest.approx(narc_expected)
    assert r.narc == pytest.approx(narc_expected, abs=0.01)
    # no isolated nodes: NaRC (reference) = (mu^2/4 + 1)/sqrt(mn) - |E|/(mn) exactly
    assert r.left_isolated == r.right_isolated == 0
    assert r.narc == pytest.approx((r.mu_hat**2 / 4 + 1) / math.sqrt(m * n) - r.edges / (m * n), abs=1e-12)
    assert r.narc_undirected == pytest.approx((r.mu_hat**2 / 4 + 1) / math.sqrt(m * n), abs=1e-12)


# -------------------------------------------------------- released definitions
def _released(D: np.ndarray) -> dict[str, float]:
    """Independent re-statement of the released scoring (full (m+n) adjacency, 3rd largest
    |eigenvalue|, isolated nodes filtered, e = number of directed entries), in float64."""

    def score(Dm: np.ndarray, dim_in_full: int, dim_out_full: int | None):
        m, n = Dm.shape
        A = np.block([[np.zeros((m, m)), Dm], [Dm.T, np.zeros((n, n))]])
        deg = A.sum(axis=1)
        keep = deg > 0
        lp, rp = int(keep[:m].sum()), int(keep[m:].sum())
        Ak = A[keep][:, keep]
        dl, dr = deg[:m][keep[:m]].mean(), deg[m:][keep[m:]].mean()
        if not (dl >= 3 and dr >= 3):
            return None
        ev = np.sort(np.abs(np.linalg.eigvalsh(Ak)))[::-1]
        t1, t2 = ev[0], ev[2]
        ub = math.sqrt(dl - 1) + math.sqrt(dr - 1)
        out = {"lambda1": t1, "mu": t2, "rm": ub - t2, "rm_norm": (ub - t2) / ub}
        if dim_out_full is not None:
            e = int((Ak != 0).sum())  # directed entries of the edge list
            ls = (t2**2 / 4 + 1) * math.sqrt(lp * rp)
            rs = abs(e - (dl / dim_out_full) * (lp * rp))
            out["narc"] = (ls - rs) / (dim_in_full * dim_out_full)
        return out

    m, n = D.shape
    full = score(D, m, n)
    deg_l = D.sum(axis=1)
    norms = []
    for d in np.unique(deg_l):
        rows = np.flatnonzero(deg_l == d)
        if d == 0 or rows.size < 3:
            continue
        s = score(D[rows], rows.size, None)
        if s is not None:
            norms.append(s["rm_norm"])
    return {**full, "imdb": float(np.mean(norms)) if norms else math.nan, "kept": len(norms)}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_agrees_with_released_definitions(seed):
    rng = np.random.default_rng(seed)
    m, n = 240, 24
    # heterogeneous degrees so that IMDB has several groups; some isolated nodes
    p = rng.choice([0.03, 0.2, 0.5], size=(m, 1))
    D = (rng.random((m, n)) < p).astype(float)
    D[:3] = 0
    D[:, -1] = 0
    r = layer_spectrum(_csr(D))
    ref = _released(D)
    assert r.left_isolated >= 3 and r.right_isolated >= 1
    assert r.lambda1 == pytest.approx(ref["lambda1"], abs=1e-9)
    assert r.mu_hat == pytest.approx(ref["mu"], abs=1e-9)
    assert r.delta_r == pytest.approx(ref["rm"], abs=1e-9)
    assert r.delta_r_norm == pytest.approx(ref["rm_norm"], abs=1e-9)
    assert r.narc == pytest.approx(ref["narc"], abs=1e-9)
    assert r.imdb_subgraphs == ref["kept"] > 1
    assert r.imdb == pytest.approx(ref["imdb"], abs=1e-9)
