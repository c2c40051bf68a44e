"""GEBT search, retraining modes, config and CLI on the embedded Cora (short budgets)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import torch

from gcn_tickets.methods.early_bird import magnitude_masks
from gcn_tickets.methods.gebt import GEBTConfig, gebt_search, load_config


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def trainer(root):
    from gcn_tickets.data.datasets import load_dataset
    from gcn_tickets.training.trainers import NodeTrainer

    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield NodeTrainer(load_dataset("Cora", root))
    torch.set_num_threads(old)


CFG = GEBTConfig(search_epochs=12, retrain_epochs=5, fifo=3, eta=0.2)


@pytest.fixture(scope="module")
def search(trainer):
    return gebt_search(trainer, CFG, 0, ratios=[(0.2, 0.5), (0.6, 0.9)], stop=False)


def test_search_masks_have_exact_counts_and_match_magnitudes(search, trainer) -> None:
    assert search.epochs_run == 12 and len(search.epoch_seconds) == 12
    num_und = 5278  # Cora: 10556 directed entries
    for (pg, pw), pt in search.pairs.items():
        m = pt.masks
        assert m is not None and m.graph is not None
        assert m.graph.numel() == num_und
        assert int((~m.graph).sum()) == round(pg * num_und)
        total = m.total()
        assert total == 1433 * 16 + 16 * 7
        assert total - m.kept() == round(pw * total)
        # the weight mask is the global magnitude mask of the weights at that epoch
        expected = magnitude_masks({n: pt.state[n] for n in m.weights}, pw)
        assert all(torch.equal(expected[n], m.weights[n]) for n in m.weights)
        # graph mask from |scores| at that epoch
        assert torch.equal(magnitude_masks(pt.graph_scores, pg), m.graph)
        assert len(pt.detector.trajectory) == 12
        assert pt.detector.trajectory[0].combined is None
        assert all(r.combined is not None for r in pt.detector.trajectory[1:])


def test_search_fires_and_snapshots_at_emergence(search) -> None:
    for pt in search.pairs.values():
        assert pt.fired_epoch is not None and 3 <= pt.fired_epoch <= 12
        assert pt.epoch == pt.fired_epoch
        assert pt.masks.meta["emerged"] is True
        rec = pt.detector.trajectory[pt.fired_epoch - 1]
        assert rec.fired and all(v < CFG.eta for v in rec.window)
    last = search.last[(0.2, 0.5)]
    assert last.epoch == 12 and last.masks.meta["emerged"] is False
    # Θ at emergence differs from Θ at the last epoch (training went on)
    eb = search.pairs[(0.2, 0.5)]
    n = "convs.0.lin.weight"
    if eb.epoch < 12:
        assert not torch.equal(eb.state[n], last.state[n])


def test_search_stops_at_emergence(trainer, search) -> None:
    short = gebt_search(trainer, CFG, 0, ratios=[(0.2, 0.5)], stop=True)
    fired = search.pairs[(0.2, 0.5)].fired_epoch
    assert short.epochs_run == fired  # deterministic: same emergence epoch, then stop
    assert short.pairs[(0.2, 0.5)].masks.equal(search.pairs[(0.2, 0.5)].masks)


def test_config_file_and_overrides(tmp_path) -> None:
    f = tmp_path / "x_gebt.yaml"
    f.write_text("dataset: CiteSeer\nseeds: [1, 2]\ngebt:\n  eta: 0.05\n  init: inherit\n")
    cfg = load_config(f, ["gebt.graph_sparsity=0.4", "fifo=5"])
    assert cfg.name == "x_gebt" and cfg.dataset == "CiteSeer" and cfg.seeds == (1, 2)
    assert (cfg.eta, cfg.init, cfg.graph_sparsity, cfg.fifo) == (0.05, "inherit", 0.4, 5)
    with pytest.raises(ValueError, match="unknown GEBT setting"):
        load_config(f, ["gebt.etaa=0.1"])
    with pytest.raises(ValueError, match="init"):
        load_config(f, ["init=warm"])
    with pytest.raises(ValueError, match="graph_sparsity"):
        replace(CFG, graph_sparsity=1.0)


def test_shipped_configs_rank_edges_and_retrain_as_measured() -> None:
    from pathlib import Path

    cfgs = Path(__file__).resolve().parents[3] / "configs"
    paper = GEBTConfig()
    assert (paper.graph_prior, paper.protect_labelled) == ("none", False)  # the dataclass: the paper
    for ds in ("cora", "citeseer", "pubmed"):
        cfg = load_config(cfgs / f"{ds}_gebt.yaml")
        assert (cfg.graph_prior, cfg.protect_labelled) == ("resistance", True), ds
        # tickets and the dense baseline: the 200-epoch dense recipe (docs/dense_baselines.md)
        assert (cfg.search_epochs, cfg.retrain_epochs) == (100, 200), ds
    ddi = load_config(cfgs / "ogbl_ddi_gebt.yaml")
    assert ddi.protect_labelled is False  # a link task has no labelled nodes


@pytest.mark.slow
def test_cli_early_bird_writes_and_resumes(root, tmp_path, monkeypatch, capsys) -> None:
    from gcn_tickets.cli import main

    monkeypatch.setenv("GCN_TICKETS_DATA", str(root))
    args = [
        "early-bird",
        "configs/cora_gebt.yaml",
        "seeds=[0]",
        "gebt.search_epochs=8",
        "gebt.retrain_epochs=3",
        "--out",
        str(tmp_path),
        "--threads",
        "1",
    ]
    import os
    from pathlib import Path

    monkeypatch.chdir(Path(__file__).resolve().parents[3])
    assert os.path.exists("configs/cora_gebt.yaml")
    assert main(args) == 0
    from gcn_tickets.runs import run_dir

    # the overrides change three values: the run gets its own folder (gcn_tickets.runs.run_dir)
    run = run_dir(tmp_path, "cora_gebt", {"retrain_epochs": 3, "search_epochs": 8, "seeds": [0]})
    assert run.name != "cora_gebt" and sorted(p.name for p in tmp_path.iterdir()) == [run.name]
    rec = json.loads((run / "seed0.json").read_text())
    row = rec["rows"][0]
    assert (row["graph_sparsity"], row["weight_sparsity"]) == (0.2, 0.5)
    assert {"test", "last_test", "random_test", "fired_epoch"} <= set(row)
    assert (run / "seed0_g0.2_w0.5.pt").exists() and (run / "trajectory.png").exists()
    assert (run / "heatmap.png").exists()
    summary = json.loads((run / "summary.json").read_text())
    assert summary["dense"] == [rec["dense"]["test"]]
    pair = summary["pairs"][0]
    assert (pair["graph_sparsity"], pair["weight_sparsity"], pair["runs"]) == (0.2, 0.5, 1)
    assert pair["test"] == [row["test"]] and pair["random_test"] == [row["random_test"]]
    assert json.loads((run / "config.json").read_text())["search_epochs"] == 8
    capsys.readouterr()
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert f"run directory: {run} (resuming: 1 finished seeds found;" in printed
    assert f"[seed 0] done earlier: {run / 'seed0.json'}" in printed
    assert main(["early-bird", "configs/cora_gebt.yaml", "gebt.bogus=1"]) == 2


def test_resistance_prior_ranks_edges_by_score_times_proxy(trainer) -> None:
    from gcn_tickets.masks.edges import undirected_edges
    from gcn_tickets.pruning.priors import resistance_proxy

    cfg = replace(CFG, graph_prior="resistance", search_epochs=3)
    res = gebt_search(trainer, cfg, 0, ratios=[(0.2, 0.5)], stop=False)
    pt = res.last[(0.2, 0.5)]
    und, _ = undirected_edges(trainer.edge_index, trainer.num_nodes)
    prior = resistance_proxy(und, trainer.num_nodes)
    assert torch.equal(magnitude_masks(pt.graph_scores.abs() * prior, 0.2), pt.masks.graph)
    assert not torch.equal(magnitude_masks(pt.graph_scores, 0.2), pt.masks.graph)
    with pytest.raises(ValueError, match="graph_prior"):
        replace(CFG, graph_prior="degree")


def test_protect_labelled_keeps_the_training_edges(trainer) -> None:
    from gcn_tickets.masks.edges import incident_edges, undirected_edges

    und, _ = undirected_edges(trainer.edge_index, trainer.num_nodes)
    prot = incident_edges(und, trainer.split["train"], trainer.num_nodes)
    assert int(prot.sum()) == 617  # edges at Cora's 140 public training nodes (11.7 % of 5278)
    cfg = replace(CFG, graph_prior="resistance", protect_labelled=True, search_epochs=3)
    res = gebt_search(trainer, cfg, 0, ratios=[(0.2, 0.5), (0.9, 0.5)], stop=False)
    g20 = res.last[(0.2, 0.5)].masks.graph
    g90 = res.last[(0.9, 0.5)].masks.graph
    assert bool(g20[prot].all()) and int(g20.sum()) == 5278 - 1056
    # 90 % prunes 4750 > 4661 unprotected edges: all of those go, then 89 protected ones
    assert not bool(g90[~prot].any()) and int(g90[prot].sum()) == 617 - 89
    link = type("T", (), {"kind": "link", "task": type("K", (), {"task": "link"})()})()
    with pytest.raises(ValueError, match="protect_labelled"):
        gebt_search(link, cfg, 0)
    with pytest.raises(ValueError, match="true or false"):
        load_config(None, ["gebt.protect_labelled=maybe"])
    assert load_config(None, ["gebt.protect_labelled=true"]).protect_labelled is True


def test_label_prior_ranks_by_score_proxy_and_agreement(trainer) -> None:
    from gcn_tickets.masks.edges import undirected_edges
    from gcn_tickets.pruning.priors import label_agreement, resistance_proxy

    n = trainer.num_nodes
    und, _ = undirected_edges(trainer.edge_index, n)
    u, v = und
    agree = label_agreement(und, trainer.y, trainer.split["train"], n)
    # Cora, public split, 10 layers: 230 edges score exactly 1 (109 of them where no training
    # label reaches); the 47 edges below 0.5 are 37 heterophilous (79 %, against 19 % of all)
    assert int((agree == 1).sum()) == 230 and int((agree < 0.5).sum()) == 47
    assert int((trainer.y[u] != trainer.y[v])[agree < 0.5].sum()) == 37
    cfg = replace(CFG, graph_prior="label_resistance", search_epochs=3)
    res = gebt_search(trainer, cfg, 0, ratios=[(0.2, 0.5)], stop=False)
    pt = res.last[(0.2, 0.5)]
    rank = pt.graph_scores.abs() * resistance_proxy(und, n) * agree
    assert torch.equal(magnitude_masks(rank, 0.2), pt.masks.graph)
    link = type("T", (), {"kind": "link", "task": type("K", (), {"task": "link"})()})()
    with pytest.raises(ValueError, match="label_resistance"):
        gebt_search(link, cfg, 0)
