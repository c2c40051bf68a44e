"""An empty MaskSet is refused; a graph-only one (GEBT with no weight masks) is a mask set."""

from __future__ import annotations

import pytest
import torch

from gcn_tickets.masks.maskset import MaskError, MaskSet


def test_empty_mask_set_is_refused():
    msg = "empty mask set: give at least one weight mask (name -> 0/1 tensor) or a graph mask (graph=...)"
    with pytest.raises(MaskError, match=rf"^{msg.replace('(', '.').replace(')', '.')}$"):
        MaskSet({})
    with pytest.raises(MaskError, match="empty mask set"):
        MaskSet()


def test_graph_only_and_weight_only_sets_are_fine(tmp_path):
    g = MaskSet({}, graph=torch.tensor([1, 0, 1]))
    assert (len(g), int(g.graph.sum())) == (0, 2)
    g.save(tmp_path / "g.pt")
    assert MaskSet.load(tmp_path / "g.pt").graph.tolist() == [True, False, True]
    assert MaskSet({"w": torch.ones(2, 2)}).kept() == 4
