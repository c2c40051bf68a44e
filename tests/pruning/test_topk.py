import pytest
import torch

from gcn_tickets.pruning.topk import lowest_mask, prune_count, prune_lowest, prune_random, topk_mask


def test_exact_fraction_and_global_threshold():
    torch.manual_seed(0)
    scores = {"a": torch.randn(10, 10), "b": torch.randn(50) * 10}
    kept = {"a": torch.ones(10, 10, dtype=torch.bool), "b": torch.ones(50, dtype=torch.bool)}
    new = prune_lowest(scores, kept, 0.2)
    assert sum(int(m.sum()) for m in new.values()) == 150 - 30
    kept_s = torch.cat([scores[n].abs()[new[n]] for n in new])
    pruned_s = torch.cat([scores[n].abs()[~new[n]] for n in new])
    assert kept_s.min() >= pruned_s.max()  # one global threshold, across layers
    # layer b has larger scores, so it loses fewer than its share
    assert int((~new["b"]).sum()) < 10


def test_only_remaining_entries_are_pruned_and_rounding():
    scores = {"w": torch.tensor([0.0, 5.0, 1.0, 2.0, 3.0, 4.0, 0.5])}
    kept = {"w": torch.tensor([True, True, False, True, True, True, True])}
    new = prune_lowest(scores, kept, 0.5)  # 6 kept -> remove round(3.0) = 3
    assert new["w"].tolist() == [False, True, False, False, True, True, False]
    assert prune_count(7, 0.05) == 0 and prune_count(10, 0.05) == 0 and prune_count(30, 0.05) == 2


def test_ties_are_broken_by_index():
    scores = {"w": torch.ones(6)}
    kept = {"w": torch.ones(6, dtype=torch.bool)}
    assert prune_lowest(scores, kept, 0.5)["w"].tolist() == [False] * 3 + [True] * 3


def test_random_pruning_exact_and_seeded():
    kept = {"a": torch.ones(20, dtype=torch.bool), "b": torch.rand(30) > 0.5}
    n0 = sum(int(m.sum()) for m in kept.values())
    a = prune_random(kept, 0.2, torch.Generator().manual_seed(3))
    b = prune_random(kept, 0.2, torch.Generator().manual_seed(3))
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert sum(int(m.sum()) for m in a.values()) == n0 - round(0.2 * n0)
    assert all(not (a[k] & ~kept[k]).any() for k in a)  # never un-prune


def test_bad_fraction():
    with pytest.raises(
        ValueError, match=r"`sparsity` \(the fraction of the kept entries to remove\) must be in \[0, 1\]"
    ):
        prune_count(10, 1.5)


# ----------------------------------------------------------------- the one top-k and its tie rule
def _sort_rule(scores: torch.Tensor, count: int) -> torch.Tensor:
    """Reference: the first ``count`` entries of a stable ascending sort are removed."""
    out = torch.zeros(scores.numel(), dtype=torch.bool)
    out[torch.sort(scores, stable=True).indices[:count]] = True
    return out


@pytest.mark.parametrize("dtype", [torch.int64, torch.float32, torch.float64])
@pytest.mark.parametrize("n, high", [(1, 1), (7, 2), (100, 3), (1000, 10), (5000, 50)])
def test_lowest_mask_equals_stable_sort_with_many_ties(dtype, n, high):
    g = torch.Generator().manual_seed(n * high)
    scores = torch.randint(0, high, (n,), generator=g).to(dtype)
    drawn = torch.randint(0, n + 1, (5,), generator=g).tolist()
    for count in sorted({0, 1, n // 3, n // 2, n - 1, n, *drawn}):
        got = lowest_mask(scores, count)
        assert int(got.sum()) == count
        assert torch.equal(got, _sort_rule(scores, count)), (n, high, count)
        assert torch.equal(topk_mask(scores, n - count), ~got)


def test_lowest_mask_nan_ranks_above_every_number_like_sort():
    s = torch.tensor([float("nan"), 1.0, float("inf"), 1.0, float("nan"), -float("inf"), 0.0])
    for count in range(s.numel() + 1):
        assert torch.equal(lowest_mask(s, count), _sort_rule(s, count)), count


def test_tie_rule_exact_values():
    # entries are removed in ascending (score, flat index): among ties the lower index goes first
    s = torch.tensor([2.0, 1.0, 1.0, 0.0, 1.0, 3.0])
    assert lowest_mask(s, 3).tolist() == [False, True, True, True, False, False]
    assert topk_mask(s, 3).tolist() == [True, False, False, False, True, True]
    assert topk_mask(torch.zeros(5), 2).tolist() == [False, False, False, True, True]
    with pytest.raises(ValueError, match=r"`count` must satisfy 0 <= count <= 6"):
        lowest_mask(s, 7)
    with pytest.raises(ValueError, match=r"`k` must satisfy 0 <= k <= 6 \(entries\), got -1"):
        topk_mask(s, -1)
    with pytest.raises(ValueError, match="must be 1-D"):
        lowest_mask(torch.zeros(2, 2), 1)
