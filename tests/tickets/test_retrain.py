"""The ticket layer: building and retraining tickets, random controls, dense baseline, MACs
(tickets from a short GEBT search on the embedded Cora)."""

from __future__ import annotations

import pytest
import torch

from gcn_tickets.masks.joint import gcn_weight_names, plain_state_dict
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.methods.gebt import GEBTConfig, gebt_search, model_factory, retrain_recipe
from gcn_tickets.tickets import (
    Recipe,
    build_ticket,
    dense_macs,
    dense_runs,
    masked_macs,
    random_graph_ticket,
    random_prune,
    random_ticket,
    retrain_ticket,
    seeded,
    train_dense,
    training_macs,
)

CFG = GEBTConfig(search_epochs=12, retrain_epochs=5, fifo=3, eta=0.2)


@pytest.fixture(scope="module")
def trainer(tmp_path_factory):
    from gcn_tickets.data.datasets import load_dataset
    from gcn_tickets.training.trainers import NodeTrainer

    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield NodeTrainer(load_dataset("Cora", tmp_path_factory.mktemp("data")))
    torch.set_num_threads(old)


@pytest.fixture(scope="module")
def search(trainer):
    return gebt_search(trainer, CFG, 0, ratios=[(0.2, 0.5), (0.6, 0.9)], stop=False)


@pytest.fixture(scope="module")
def make_model(trainer):
    return model_factory(trainer, CFG)


@pytest.mark.parametrize("init", ["inherit", "rewind", "reinit"])
def test_retraining_initial_state(trainer, search, make_model, init: str) -> None:
    pt = search.pairs[(0.2, 0.5)]
    t = build_ticket(trainer, make_model, pt.masks, seed=0, init=init, state=pt.state, theta0=search.theta0)
    eff = {n: t.model.get_submodule(n.rsplit(".", 1)[0]).weight for n in t.masks.weight_names}
    for n, w in eff.items():
        mask = pt.masks.weights[n]
        assert torch.all(w[~mask] == 0)  # pruned weights are zero
        kept = w[mask]
        if init == "inherit":
            assert torch.equal(kept, pt.state[n][mask])
        elif init == "rewind":
            assert torch.equal(kept, search.theta0[n][mask])
        else:  # reinit: a fresh draw from seed + 10_000
            assert not torch.equal(kept, search.theta0[n][mask])
            assert not torch.equal(kept, pt.state[n][mask])
            fresh = plain_state_dict(make_model(10_000))[n]
            assert torch.equal(kept, fresh[mask])
    # biases follow the same rule (not masked)
    b = plain_state_dict(t.model)["convs.0.bias"]
    if init == "rewind":
        assert torch.equal(b, search.theta0["convs.0.bias"])
    # binary edges: the pruned edges are gone from edge_index, no edge weights
    assert t.edge_weight is None
    assert t.edge_index.size(1) == 2 * int(pt.masks.graph.sum())


def test_learned_edge_weights_and_retrain(trainer, search, make_model) -> None:
    pt = search.pairs[(0.2, 0.5)]
    kw = {"init": "inherit", "edge_weights": "learned", "state": pt.state, "graph_scores": pt.graph_scores}
    t = build_ticket(trainer, make_model, pt.masks, seed=0, **kw)
    assert t.edge_weight is not None and t.edge_weight.numel() == t.edge_index.size(1)
    keep = pt.masks.graph[t.masks.graph.inverse]
    assert torch.allclose(t.edge_weight, pt.graph_scores.abs()[t.masks.graph.inverse][keep])
    res, _ = retrain_ticket(trainer, make_model, pt.masks, retrain_recipe(CFG), seed=0, **kw)
    assert 0 <= res.best_epoch < 5 and 0.3 < res.test <= 1.0
    with pytest.raises(ValueError, match="graph_scores"):
        build_ticket(trainer, make_model, pt.masks, seed=0, edge_weights="learned", theta0=search.theta0)
    with pytest.raises(ValueError, match="state"):
        build_ticket(trainer, make_model, pt.masks, seed=0, init="inherit")
    with pytest.raises(ValueError, match="`init` must be one of"):
        build_ticket(trainer, make_model, pt.masks, seed=0, init="warm")


def test_random_ticket_and_controls(search) -> None:
    pt = search.pairs[(0.6, 0.9)]
    rnd = random_ticket(pt.masks, 0, graph_sparsity=0.6, weight_sparsity=0.9)
    assert int((~rnd.graph).sum()) == int((~pt.masks.graph).sum()) == round(0.6 * 5278)
    assert rnd.kept() == pt.masks.kept()
    assert not torch.equal(rnd.graph, pt.masks.graph)
    assert rnd.meta == {"method": "random", "graph_sparsity": 0.6, "weight_sparsity": 0.9}
    again = random_ticket(pt.masks, 0, graph_sparsity=0.6, weight_sparsity=0.9)
    assert again.equal(rnd)
    mixed = random_graph_ticket(pt.masks, rnd)
    assert torch.equal(mixed.graph, rnd.graph)
    assert all(torch.equal(mixed.weights[n], pt.masks.weights[n]) for n in pt.masks.weights)
    with pytest.raises(ValueError, match="graph mask"):
        random_ticket(
            MaskSet({"w": torch.ones(3, dtype=torch.bool)}), 0, graph_sparsity=0.5, weight_sparsity=0.5
        )


def test_random_prune_removes_only_kept_entries() -> None:
    masks = MaskSet(
        {"w": torch.tensor([True, True, False, True, True])}, torch.tensor([True, False, True, True])
    )
    new = random_prune(
        masks,
        graph_sparsity=0.5,
        weight_sparsity=0.5,
        generator=torch.Generator().manual_seed(0),
        meta={"round": 1},
    )
    assert new.is_subset_of(masks)
    assert int(new.graph.sum()) == 3 - round(0.5 * 3) and int(new.weights["w"].sum()) == 2
    assert new.meta == {"round": 1}


def test_costs(trainer, search) -> None:
    pt = search.pairs[(0.6, 0.9)]
    make = seeded(trainer.make_model, hidden=16, num_layers=2, dropout=0.5)
    model = make(0)
    assert gcn_weight_names(model) == ["convs.0.lin.weight", "convs.1.lin.weight"]
    c = training_macs(model, trainer, pt.masks, search_epochs=10, retrain_epochs=100)
    n, e = 2708, 10556
    dense = n * (1433 * 16 + 16 * 7) + (e + n) * (16 + 7)
    assert c["dense_epoch"] == dense == dense_macs(model, trainer.edge_index, n)
    kept_e = 2 * int(pt.masks.graph.sum())
    assert c["ticket_epoch"] == n * pt.masks.kept() + (kept_e + n) * (16 + 7)
    assert c["ticket_epoch"] == masked_macs(model, trainer.edge_index, n, pt.masks)
    assert c["total"] == 3 * (10 * dense + 100 * c["ticket_epoch"])
    assert training_macs(model, trainer, None, search_epochs=1, retrain_epochs=1)["retrain"] == 3 * dense


def test_dense_baseline(trainer, make_model) -> None:
    recipe = Recipe(epochs=3, lr=0.01, weight_decay=5e-4)
    a, model = train_dense(trainer, make_model, recipe, seed=1)
    b, _ = train_dense(trainer, make_model, recipe, seed=1)
    assert (a.valid, a.test, a.best_epoch) == (b.valid, b.test, b.best_epoch)
    assert 0 <= a.best_epoch < 3 and gcn_weight_names(model) == ["convs.0.lin.weight", "convs.1.lin.weight"]
    runs = dense_runs(trainer, make_model, recipe, seeds=[1, 2], progress=False)
    assert [r["seed"] for r in runs["runs"]] == [1, 2] and runs["test"]["n"] == 2
    assert (runs["dataset"], runs["metric"]) == ("Cora", "accuracy")
    assert runs["params"] == 1433 * 16 + 16 + 16 * 7 + 7
    with pytest.raises(ValueError, match="`seeds` is empty"):
        dense_runs(trainer, make_model, recipe, seeds=[], progress=False)
