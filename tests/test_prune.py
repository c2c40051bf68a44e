import pytest
import torch

from gcn_tickets.pruning.topk import prune_count, prune_lowest, prune_random


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
    with pytest.raises(ValueError, match=r"pruning fraction must be in \[0, 1\]"):
        prune_count(10, 1.5)
