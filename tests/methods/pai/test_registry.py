"""The PaI registry: a new score is a function plus one registration line, CLI included."""

from __future__ import annotations

import math

import pytest
import torch

from gcn_tickets.cli import main
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.methods import pai
from gcn_tickets.methods.pai import (
    METHODS,
    LayerCollapseWarning,
    methods,
    prune_at_init,
    register_mask,
    register_score,
    unregister,
)
from gcn_tickets.models.zoo import build_model

BUILTIN = ("rand", "uniform", "erk", "mag", "snip", "grasp", "synflow", "itersnip", "gem_miner")


def toy_scores(ctx, masks):
    """All scores tied: the kept entries are decided by the tie rule alone (higher index kept)."""
    params = dict(ctx.model.named_parameters())
    return {n: torch.ones(params[n].shape) for n in ctx.names}


@pytest.fixture
def toy():
    register_score("toy", toy_scores, needs_data=False)
    yield "toy"
    unregister("toy")


def test_builtin_methods_in_order_and_methods_derived_from_registry(toy):
    assert METHODS == BUILTIN  # imported before the fixture registered "toy"
    assert methods() == (*BUILTIN, "toy")
    assert pai.METHODS == (*BUILTIN, "toy")  # read at every access


def test_toy_score_through_the_cli_exact_kept_count(toy, tmp_path):
    out = tmp_path / "toy.pt"
    argv = ["prune", "--model", "digits_cnn", "--method", "toy", "--density", "0.1", "--out", str(out)]
    assert main(argv) == 0
    masks = MaskSet.load(out)
    torch.manual_seed(0)
    model = build_model("digits_cnn", in_channels=1)
    sizes = {n: p.numel() for n, p in model.named_parameters() if n in masks.weights}
    total = sum(sizes.values())
    assert masks.total() == total == 89632
    assert masks.kept() == round(0.1 * total) == 8963
    # all scores tie: the last 8963 entries in flat order are kept
    flat = torch.cat([masks.weights[n].reshape(-1) for n in sizes])
    assert flat[: total - 8963].sum() == 0 and bool(flat[total - 8963 :].all())
    assert masks.meta["method"] == "toy" and masks.meta["iterations"] == 1


def test_iterations_default_and_mask_methods():
    def half(ctx):
        return {n: torch.arange(math.prod(s)).reshape(s) % 2 == 0 for n, s in ctx.shapes.items()}

    register_score("toy_iter", toy_scores, needs_data=True, iterations=3)
    register_mask("toy_half", half, needs_data=False)
    try:
        model = build_model("digits_cnn", in_channels=1, width=8)
        with pytest.raises(ValueError, match="method 'toy_iter' needs data"):
            prune_at_init(model, "toy_iter", 0.5)
        data = (torch.zeros(2, 1, 8, 8), torch.zeros(2).long())
        with pytest.warns(LayerCollapseWarning, match="toy_iter at density 0.5 collapsed 5 layer"):
            m = prune_at_init(model, "toy_iter", 0.5, data=data)  # all ties: the early layers go
        assert m.meta["iterations"] == 3 and m.kept() == round(0.5 * m.total())
        h = prune_at_init(model, "toy_half", 0.5)
        assert h.kept() == sum((math.prod(t.shape) + 1) // 2 for t in h.weights.values())
    finally:
        unregister("toy_iter")
        unregister("toy_half")


def test_registry_errors_name_the_problem():
    with pytest.raises(ValueError, match="'mag' is already registered; pass replace=True"):
        register_score("mag", toy_scores, needs_data=False)
    with pytest.raises(ValueError, match=r"`iterations` must be an integer >= 1, got 0"):
        register_score("bad", toy_scores, needs_data=False, iterations=0)
    with pytest.raises(ValueError, match=r"`method` must be one of \['rand', 'uniform'.*got 'nope'"):
        unregister("nope")
    with pytest.raises(ValueError, match=r"`method` must be one of \[.*'gem_miner'\], got 'obd'"):
        prune_at_init(build_model("digits_cnn", in_channels=1, width=8), "obd", 0.1)
    assert "bad" not in methods()
