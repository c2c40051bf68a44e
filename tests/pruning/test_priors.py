"""Edge priors and ranks: resistance proxy, incident (labelled) edges, label agreement,
the lexicographic graph rank (hand-built graphs, exact values)."""

from __future__ import annotations

import pytest
import torch

from gcn_tickets.methods.early_bird import magnitude_masks


def test_resistance_proxy_by_hand() -> None:
    from gcn_tickets.pruning.priors import resistance_proxy

    # star 0-{1,2,3} plus 1-2: degrees 3, 2, 2, 1
    und = torch.tensor([[0, 0, 0, 1], [1, 2, 3, 2]])
    r = resistance_proxy(und, 4)
    torch.testing.assert_close(r, torch.tensor([1 / 3 + 1 / 2, 1 / 3 + 1 / 2, 1 / 3 + 1.0, 1.0]))
    with pytest.raises(ValueError, match=r"shape \[2, U\]"):
        resistance_proxy(torch.zeros(3, 2, dtype=torch.long), 4)


def test_incident_edges_by_hand() -> None:
    from gcn_tickets.masks.edges import incident_edges

    und = torch.tensor([[0, 0, 1, 2], [1, 3, 2, 3]])
    assert incident_edges(und, torch.tensor([1]), 4).tolist() == [True, False, True, False]
    mask = torch.tensor([False, False, False, True])
    assert incident_edges(und, mask, 4).tolist() == [False, True, False, True]
    assert incident_edges(und, torch.tensor([], dtype=torch.long), 4).tolist() == [False] * 4
    with pytest.raises(ValueError, match=r"lie in \[0, 4\)"):
        incident_edges(und, torch.tensor([4]), 4)
    with pytest.raises(ValueError, match="num_nodes=4"):
        incident_edges(und, torch.tensor([True, False]), 4)


def test_graph_rank_puts_protected_edges_above_all_others() -> None:
    from gcn_tickets.pruning.priors import graph_rank

    s = torch.tensor([0.5, -2.0, 0.1, 3.0])
    prior = torch.tensor([1.0, 0.5, 2.0, 1.0])
    torch.testing.assert_close(graph_rank(s, prior), torch.tensor([0.5, 1.0, 0.2, 3.0]))
    r = graph_rank(s, prior, torch.tensor([False, False, True, False]))
    # pruning 3 of 4 edges keeps only the protected one, although its score is the lowest
    assert torch.equal(magnitude_masks(r, 0.75), torch.tensor([False, False, True, False]))
    assert torch.equal(magnitude_masks(r, 0.25), torch.tensor([False, True, True, True]))


def test_label_agreement_by_hand() -> None:
    from gcn_tickets.pruning.priors import label_agreement

    # path 0-1-2, class 0 at node 0 and class 1 at node 2, one layer (no self-loops, degrees
    # 1, 2, 1): ŷ_0 = 0.1·[1, 0], ŷ_1 = 0.9/√2·[1, 1], ŷ_2 = 0.1·[0, 1]: cos = 1/√2 on both edges
    und = torch.tensor([[0, 1], [1, 2]])
    a = label_agreement(und, torch.tensor([0, 0, 1]), torch.tensor([0, 2]), 3, num_layers=1)
    torch.testing.assert_close(a, torch.full((2,), 2**-0.5))
    # path 0-1-2-3 labelled at both ends: the middle edge joins [1, 0] and [0, 1] mass: cos 0
    path = torch.tensor([[0, 1, 2], [1, 2, 3]])
    y = torch.tensor([0, 0, 1, 1])
    a = label_agreement(path, y, torch.tensor([0, 3]), 4, num_layers=1)
    torch.testing.assert_close(a, torch.tensor([1.0, 0.0, 1.0]))
    # only node 0 labelled: node 2 receives no mass in one layer, so its edges count as agreeing
    torch.testing.assert_close(label_agreement(path, y, torch.tensor([0]), 4, num_layers=1), torch.ones(3))
    with pytest.raises(ValueError, match="one integer class label per node"):
        label_agreement(path, y.float(), torch.tensor([0]), 4)
    with pytest.raises(ValueError, match="one integer class label per node"):
        label_agreement(path, y[:3], torch.tensor([0]), 4)


def test_edge_prior_names() -> None:
    from gcn_tickets.pruning.priors import edge_prior, label_agreement, resistance_proxy

    path = torch.tensor([[0, 1, 2], [1, 2, 3]])
    labels = (torch.tensor([0, 0, 1, 1]), torch.tensor([0, 3]))
    assert edge_prior("none", path, 4) is None
    torch.testing.assert_close(edge_prior("resistance", path, 4), resistance_proxy(path, 4))
    expected = resistance_proxy(path, 4) * label_agreement(path, *labels, 4)
    torch.testing.assert_close(edge_prior("label_resistance", path, 4, labels=labels), expected)
    with pytest.raises(ValueError, match="node-classification task"):
        edge_prior("label_resistance", path, 4)
    with pytest.raises(ValueError, match="must be one of"):
        edge_prior("degree", path, 4)
