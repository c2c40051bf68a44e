"""Early-bird detector: distance conventions, FIFO/threshold logic, trajectories."""

from __future__ import annotations

import math

import pytest
import torch

from gcn_tickets.methods.early_bird import (
    DEFAULT_ETA,
    EarlyBirdDetector,
    combine,
    magnitude_masks,
    mask_distance,
    pairwise_distances,
    replay,
    xor_stats,
)


def m(bits: str) -> torch.Tensor:
    return torch.tensor([c == "1" for c in bits])


# --------------------------------------------------------------- distances
def test_fraction_and_pruned_on_hand_made_masks() -> None:
    a, b = m("1111100000"), m("1111010000")  # 5 kept each, 2 entries differ
    assert mask_distance(a, b, "fraction") == pytest.approx(0.2)
    # pruned: 2 / (5 + 5)
    assert mask_distance(a, b, "pruned") == pytest.approx(0.2)
    c, d = m("1111111110"), m("1111111101")  # 10 % pruned: one swap
    assert mask_distance(c, d, "fraction") == pytest.approx(0.2)
    assert mask_distance(c, d, "pruned") == pytest.approx(1.0)  # the whole pruned set moved
    assert mask_distance(c, c, "pruned") == 0.0


def test_pruned_is_ratio_invariant_and_bounded() -> None:
    g = torch.Generator().manual_seed(0)
    for p in (0.05, 0.2, 0.5, 0.9):
        n = 1000
        k = int(p * n)
        a = torch.ones(n, dtype=torch.bool)
        a[torch.randperm(n, generator=g)[:k]] = False
        b = a.clone()
        # move exactly 10 % of the pruned set
        pruned = (~a).nonzero().flatten()
        kept = a.nonzero().flatten()
        s = max(1, k // 10)
        b[pruned[:s]] = True
        b[kept[:s]] = False
        assert mask_distance(a, b, "pruned") == pytest.approx(s / k)
        assert mask_distance(a, b, "fraction") == pytest.approx(2 * s / n)
        assert 0.0 <= mask_distance(a, ~a, "pruned") <= 1.0


def test_grouped_masks_pool_entries() -> None:
    a = {"l0": m("1100"), "l1": m("10")}
    b = {"l0": m("1010"), "l1": m("10")}
    s = xor_stats(a, b)
    assert (s.xor, s.n, s.pruned_a, s.pruned_b) == (2, 6, 3, 3)
    assert mask_distance(a, b, "pruned") == pytest.approx(2 / 6)
    with pytest.raises(ValueError, match="different parts"):
        xor_stats(a, {"l0": m("1100")})
    with pytest.raises(ValueError, match="not binary"):
        mask_distance(torch.tensor([0.0, 0.5]), torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="first"):
        mask_distance(m("10"), m("01"), "first")
    with pytest.raises(ValueError, match="convention"):
        mask_distance(m("10"), m("01"), "hamming")


def test_combine_rules() -> None:
    v = {"graph": 0.1, "weights": 0.3}
    assert combine(v, "sum") == pytest.approx(0.4)
    assert combine(v, "mean") == pytest.approx(0.2)
    assert combine(v, "max") == pytest.approx(0.3)
    assert combine(v, "graph") == pytest.approx(0.1)
    with pytest.raises(ValueError, match="neither"):
        combine(v, "median")


def test_pairwise_matches_scalar_distance() -> None:
    g = torch.Generator().manual_seed(1)
    masks = [torch.rand(50, generator=g) > 0.3 for _ in range(6)]
    for conv in ("fraction", "pruned"):
        d = pairwise_distances(masks, conv)
        assert d.shape == (6, 6)
        assert torch.allclose(d, d.T)
        assert torch.all(d.diagonal() == 0)
        for i in range(6):
            for j in range(6):
                assert d[i, j].item() == pytest.approx(mask_distance(masks[i], masks[j], conv))


def test_magnitude_masks_global_exact_count() -> None:
    scores = {"a": torch.tensor([[0.1, -5.0], [3.0, 0.2]]), "b": torch.tensor([-0.05, 4.0])}
    out = magnitude_masks(scores, 0.5)  # 3 of 6 pruned: 0.05, 0.1, 0.2
    assert out["a"].tolist() == [[False, True], [True, False]]
    assert out["b"].tolist() == [False, True]
    single = magnitude_masks(torch.tensor([1.0, 1.0, 1.0, 1.0]), 0.5)
    assert single.tolist() == [False, False, True, True]  # ties: first positions pruned
    with pytest.raises(ValueError, match="sparsity"):
        magnitude_masks(torch.ones(3), 1.0)


# --------------------------------------------------------------- detector
def seq(*bits: str) -> list[torch.Tensor]:
    return [m(b) for b in bits]


def test_fires_when_window_below_eta() -> None:
    det = EarlyBirdDetector(convention="pruned", combine="max", eta=0.3, fifo=3)
    masks = seq("1100", "0011", "0011", "0011", "0011")
    fired = [det.update(e, {"w": x}) for e, x in enumerate(masks)]
    # distances: -, 1, 0, 0, 0 ; window of 2 must be < 0.3 -> first at epoch 3
    assert fired == [False, False, False, True, False]
    assert det.fired_epoch == 3 and det.fired
    assert [d for _, d in det.group_trajectory("w")] == [None, 1.0, 0.0, 0.0, 0.0]
    assert det.trajectory[2].window == [1.0, 0.0]
    assert det.trajectory[3].window == [0.0, 0.0]
    assert det.trajectory[3].fired and not det.trajectory[4].fired
    assert len(det.trajectory) == 5  # keeps recording after firing


def test_never_fires_when_masks_keep_moving() -> None:
    det = EarlyBirdDetector(convention="pruned", eta=0.5, fifo=3)
    for e in range(20):
        assert not det.update(e, {"w": m("1100" if e % 2 else "0011")})
    assert det.fired_epoch is None
    assert all(r.combined == 1.0 for r in det.trajectory[1:])


def test_min_epoch_delays_firing() -> None:
    det = EarlyBirdDetector(convention="fraction", eta=0.1, fifo=2, min_epoch=5)
    res = [det.update(e, {"w": m("1010")}) for e in range(8)]
    assert res.index(True) == 5 and det.fired_epoch == 5


def test_combine_over_groups_and_single_group_rule() -> None:
    stable, moving = m("1100"), [m("1100"), m("0011")]

    def run(rule: str) -> EarlyBirdDetector:
        det = EarlyBirdDetector(convention="pruned", combine=rule, eta=0.5, fifo=2)
        for e in range(4):
            det.update(e, {"graph": stable, "weights": moving[e % 2]})
        return det

    assert run("graph").fired_epoch == 1  # graph alone is stable
    assert run("max").fired_epoch is None
    assert run("mean").fired_epoch is None  # mean = 0.5, not < 0.5
    assert run("sum").fired_epoch is None
    assert run("mean").trajectory[1].combined == pytest.approx(0.5)
    assert run("sum").trajectory[1].combined == pytest.approx(1.0)


def test_newest_pairs_compare_with_every_older_mask() -> None:
    # consecutive distances are small (one swap of 4 pruned) but the drift accumulates
    masks = seq("00001111", "10000111", "11000011", "11100001")
    det = EarlyBirdDetector(convention="pruned", eta=0.3, fifo=4, pairs="newest")
    for e, x in enumerate(masks):
        det.update(e, {"w": x})
    # newest vs previous: 1/4, vs two back: 2/4, vs three back: 3/4
    assert det.trajectory[-1].window == pytest.approx([0.25, 0.5, 0.75])
    assert det.fired_epoch is None
    det2 = EarlyBirdDetector(convention="pruned", eta=0.3, fifo=4, pairs="consecutive")
    for e, x in enumerate(masks):
        det2.update(e, {"w": x})
    assert det2.fired_epoch == 3  # every consecutive step is 0.25 < 0.3


def test_first_convention_divides_by_first_nonzero_distance() -> None:
    det = EarlyBirdDetector(convention="first", fifo=3, eta=0.6)
    n = 100
    base = torch.ones(n, dtype=torch.bool)
    base[:50] = False

    def swapped(k: int) -> torch.Tensor:
        x = base.clone()
        x[:k] = True
        x[50 : 50 + k] = False
        return x

    masks = [base, base, swapped(2), swapped(3), swapped(3)]
    for e, x in enumerate(masks):
        det.update(e, {"w": x})
    traj = [d for _, d in det.group_trajectory("w")]
    # fraction: 0, 4/100, 2/100, 0 -> first non-zero is 0.04
    assert traj == [None, 0.0, pytest.approx(1.0), pytest.approx(0.5), 0.0]
    # windows: [0, 1] at epoch 2, [1, 0.5] at 3, [0.5, 0] at 4
    assert det.fired_epoch == 4


def test_trajectory_to_dict_and_heatmap() -> None:
    det = EarlyBirdDetector(convention="pruned", fifo=2, keep_history=True)
    det.update(0, {"g": m("1100"), "w": {"a": m("10"), "b": m("01")}})
    det.update(1, {"g": m("1010"), "w": {"a": m("10"), "b": m("01")}})
    d = det.to_dict()
    assert d["settings"]["convention"] == "pruned" and d["settings"]["eta"] == DEFAULT_ETA["pruned"]
    assert d["trajectory"][1]["distances"] == {"g": 0.5, "w": 0.0}
    assert d["trajectory"][1]["combined"] == 0.5
    hm = det.heatmap("g", "fraction")
    assert hm.tolist() == [[0.0, 0.5], [0.5, 0.0]]
    assert det.heatmap("w").shape == (2, 2)


def test_argument_validation() -> None:
    with pytest.raises(ValueError, match="fifo"):
        EarlyBirdDetector(fifo=1)
    with pytest.raises(ValueError, match="eta"):
        EarlyBirdDetector(eta=-1.0)
    with pytest.raises(ValueError, match="eta"):
        EarlyBirdDetector(eta=math.nan)
    with pytest.raises(ValueError, match="combine"):
        EarlyBirdDetector(groups=("graph",), combine="weights")
    with pytest.raises(ValueError, match="pairs"):
        EarlyBirdDetector(pairs="all")
    det = EarlyBirdDetector(groups=("graph", "weights"))
    with pytest.raises(ValueError, match="tracks"):
        det.update(0, {"graph": m("10")})
    det.update(0, {"graph": m("10"), "weights": m("10")})
    with pytest.raises(ValueError, match="increase"):
        det.update(0, {"graph": m("10"), "weights": m("10")})
    with pytest.raises(ValueError, match="changed"):
        det.update(1, {"graph": m("100"), "weights": m("10")})
    with pytest.raises(RuntimeError, match="keep_history"):
        det.heatmap("graph")


def test_minority_convention() -> None:
    # 90 % pruned: one of the 10 kept entries swapped
    a = torch.zeros(100, dtype=torch.bool)
    a[:10] = True
    b = a.clone()
    b[0], b[50] = False, True
    assert mask_distance(a, b, "pruned") == pytest.approx(2 / 180)
    assert mask_distance(a, b, "minority") == pytest.approx(2 / 20)  # 1 of 10 kept changed
    c, d = m("1100"), m("0011")  # 50 %: minority == pruned
    assert mask_distance(c, d, "minority") == mask_distance(c, d, "pruned") == 1.0
    d2 = pairwise_distances([a, b], "minority")
    assert d2[0, 1].item() == pytest.approx(0.1)


@pytest.mark.parametrize("convention", ["fraction", "first", "pruned", "minority"])
def test_replay_matches_live_detector(convention: str) -> None:
    g = torch.Generator().manual_seed(3)
    base = torch.rand(200, generator=g)
    masks = []
    for e in range(30):
        noise = torch.rand(200, generator=g) * (0.5 / (e + 1))
        masks.append(
            {
                "graph": magnitude_masks(base + noise, 0.3),
                "weights": magnitude_masks(base.flip(0) + noise, 0.8),
            }
        )
    det = EarlyBirdDetector(convention=convention, eta=DEFAULT_ETA[convention], fifo=3)
    for e, x in enumerate(masks, start=1):
        det.update(e, x)
    stats = [r.stats for r in det.trajectory]
    assert replay(stats, convention=convention, fifo=3) == det.fired_epoch
    assert det.fired_epoch is not None
    as_lists = [{k: (None if v is None else v.to_list()) for k, v in r.items()} for r in stats]
    late = EarlyBirdDetector(convention=convention, fifo=3, min_epoch=25)
    for e, x in enumerate(masks, start=1):
        late.update(e, x)
    assert late.fired_epoch is not None and late.fired_epoch >= 25
    assert replay(as_lists, convention=convention, fifo=3, min_epoch=25) == late.fired_epoch


def test_docstrings_state_the_default_thresholds() -> None:
    import gcn_tickets.methods.early_bird.detector as det

    stated = ", ".join(f"{c} {DEFAULT_ETA[c]:g}" for c in ("fraction", "first", "pruned", "minority"))
    assert stated == "fraction 0.02, first 0.1, pruned 0.02, minority 0.03"
    for doc in (det.__doc__, EarlyBirdDetector.__doc__):
        assert stated in " ".join(doc.split())
