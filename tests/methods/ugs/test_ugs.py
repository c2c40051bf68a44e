import json
import subprocess
import sys
import textwrap
import time

import pytest

from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.methods.ugs import UGSConfig, run_ugs
from gcn_tickets.training.trainers import make_trainer

CFG = UGSConfig(
    rounds=3,
    epochs=8,
    retrain_epochs=8,
    hidden=16,
    graph_sparsity_per_round=0.2,
    weight_sparsity_per_round=0.2,
)


def _quiet(_msg: str) -> None:
    pass


@pytest.fixture(scope="module")
def karate_run(tmp_path_factory, karate_task):
    out = tmp_path_factory.mktemp("ugs")
    trainer = make_trainer(karate_task)
    summary = run_ugs(trainer, CFG, out, seeds=(0,), log=_quiet)
    return out, summary


def test_schedule_sparsities_are_exact(karate_run):
    out, summary = karate_run
    # Karate: 78 undirected edges, weights 34*16 + 16*4 = 608
    g, w = 78, 608
    for r in range(1, 4):
        g -= round(0.2 * g)
        w -= round(0.2 * w)
        for mode in ("reference", "improved", "random"):
            m = MaskSet.load(out / mode / "seed0" / f"round_{r:02d}.pt")
            assert int(m.graph.sum()) == g and m.kept() == w, (mode, r)
            row = summary[mode][r - 1]
            assert row["graph_sparsity"] == pytest.approx(1 - g / 78)
            assert row["weight_sparsity"] == pytest.approx(1 - w / 608)


def test_masks_never_unprune(karate_run):
    out, _ = karate_run
    for mode in ("reference", "improved", "random"):
        prev = MaskSet.load(out / "dense" / "seed0" / "round_00.pt")
        for r in range(1, 4):
            cur = MaskSet.load(out / mode / "seed0" / f"round_{r:02d}.pt")
            assert cur.is_subset_of(prev), (mode, r)
            prev = cur


def test_results_and_reports(karate_run):
    out, summary = karate_run
    res = json.loads((out / "improved" / "seed0" / "round_02.result.json").read_text())
    assert set(res) >= {
        "graph_sparsity",
        "weight_sparsity",
        "valid",
        "test",
        "macs",
        "dense_macs",
        "params",
        "nonzero_params",
        "search",
    }
    assert res["macs"] < res["dense_macs"]
    assert res["nonzero_params"] < res["params"]
    assert summary["dense"][0]["round"] == 0
    from gcn_tickets.reports.ugs import write_ugs_report

    text = write_ugs_report(out, out / "report", title="t")
    assert "| 3 |" in text and (out / "report.png").stat().st_size > 1000


def test_same_seed_same_masks(karate_task, tmp_path, karate_run):
    out, _ = karate_run
    run_ugs(make_trainer(karate_task), CFG, tmp_path, seeds=(0,), modes=("reference",), log=_quiet)
    for r in range(1, 4):
        a = MaskSet.load(out / "reference" / "seed0" / f"round_{r:02d}.pt")
        b = MaskSet.load(tmp_path / "reference" / "seed0" / f"round_{r:02d}.pt")
        assert a.equal(b)


SCRIPT = textwrap.dedent("""
    import sys, torch
    from torch_geometric.datasets import KarateClub
    from gcn_tickets.data.datasets import GraphTask
    from gcn_tickets.training.trainers import make_trainer
    from gcn_tickets.methods.ugs import UGSConfig, run_ugs
    ds = KarateClub(); data = ds[0]
    perm = torch.randperm(34, generator=torch.Generator().manual_seed(0))
    split = {"train": data.train_mask.nonzero().view(-1), "valid": perm[:10], "test": perm[10:]}
    task = GraphTask("Karate", "node", data, split, ds.num_features, ds.num_classes, "accuracy")
    cfg = UGSConfig(rounds=3, epochs=8, retrain_epochs=8, hidden=16, graph_sparsity_per_round=0.2,
                    weight_sparsity_per_round=0.2)
    slow = sys.argv[2] == "slow"
    def log(msg):
        print(msg, flush=True)
        if slow:
            import time; time.sleep(1.5)
    run_ugs(make_trainer(task), cfg, sys.argv[1], seeds=(0,), modes=("reference",), log=log)
""")


@pytest.mark.slow
def test_resume_after_kill(tmp_path, karate_run):
    out_ref, _ = karate_run
    script = tmp_path / "run.py"
    script.write_text(SCRIPT)
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, str(script), str(out), "slow"])
    target = out / "reference" / "seed0" / "round_01.result.json"
    deadline = time.time() + 120
    while not target.exists() and time.time() < deadline:
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    assert target.exists(), "the run did not reach round 1"
    assert not (out / "reference" / "seed0" / "round_03.pt").exists()
    subprocess.run([sys.executable, str(script), str(out), "fast"], check=True, capture_output=True)
    for r in range(1, 4):
        a = MaskSet.load(out / "reference" / "seed0" / f"round_{r:02d}.pt")
        b = MaskSet.load(out_ref / "reference" / "seed0" / f"round_{r:02d}.pt")
        assert a.equal(b), r


def _path_trainer():
    import torch
    from torch_geometric.data import Data

    from gcn_tickets.data.datasets import GraphTask
    from gcn_tickets.training.trainers import NodeTrainer

    src = torch.arange(5)
    ei = torch.cat([torch.stack([src, src + 1]), torch.stack([src + 1, src])], 1)
    torch.manual_seed(0)
    data = Data(x=torch.randn(6, 4), y=torch.tensor([0, 1, 0, 1, 0, 1]), edge_index=ei, num_nodes=6)
    split = {"train": torch.tensor([0]), "valid": torch.tensor([1]), "test": torch.tensor([2])}
    return NodeTrainer(GraphTask("path", "node", data, split, 4, 2, "accuracy"))


@pytest.mark.parametrize(
    ("mode", "threshold", "expected"), [("reference", 0.9, 2 / 5), ("improved", 0.0, 0.0)]
)
def test_edges_without_gradient_during_the_search(mode, threshold, expected):
    """Path 0-…-5 labelled at node 0 only: the reference's task loss never reaches 3-4 and
    4-5 in any step; improved's pseudo-labels (every unlabelled node at threshold 0) do."""
    from gcn_tickets.methods.ugs import UGSConfig, initial_state, search_scores

    trainer = _path_trainer()
    cfg = UGSConfig(epochs=5, hidden=8, pseudo_threshold=threshold)
    _, theta0, masks = initial_state(trainer, cfg, 0)
    scores = search_scores(trainer, cfg, mode, theta0, masks, 0, model_seed=0)
    assert scores.extras["unreached_edges"] == pytest.approx(2 / 5)  # task loss at Θ0, both modes
    assert scores.extras["edges_without_gradient"] == pytest.approx(expected)
    assert scores.graph.shape == (5,) and set(scores.weights) == {"convs.0.lin.weight", "convs.1.lin.weight"}


def test_unreached_edges_of_a_path():
    """2-layer GCN, labels on node 0 of the path 0-1-2-3-4-5: edges 0-1, 1-2 and (through the
    degree of node 2 in the normalisation) 2-3 get gradient; 3-4 and 4-5 get none."""
    from gcn_tickets.masks.joint import JointMasks
    from gcn_tickets.methods.ugs import unreached_fraction
    from gcn_tickets.models.gcn import GCN

    trainer = _path_trainer()
    model = GCN(4, 8, 2)
    jm = JointMasks(model, trainer.edge_index, 6)
    assert unreached_fraction(trainer, model, jm) == pytest.approx(2 / 5)


def test_link_and_graph_models_take_the_ugs_model_options():
    from gcn_tickets.models.gcn import GCN, GraphGCN, LinkGCN

    link = LinkGCN(10, 0, 8, num_layers=2, dropout=0.5, bias=False)
    assert link.emb.weight.shape == (10, 8) and all(c.bias is None for c in link.convs)
    graph = GraphGCN(3, 8, 1, num_layers=3, bias=False)
    assert len(graph.convs) == 3 and all(c.bias is None for c in graph.convs)
    assert GCN(3, 8, 2, bias=True).convs[0].bias is not None


def test_config_rejects_unknown_choices_and_bad_fractions():
    from gcn_tickets.methods.ugs import UGSConfig

    with pytest.raises(ValueError, match="graph_prior"):
        UGSConfig(graph_prior="degree")
    with pytest.raises(ValueError, match="improved_weight_opt"):
        UGSConfig(improved_weight_opt="rmsprop")
    with pytest.raises(ValueError, match="weight_sparsity_per_round"):
        UGSConfig(weight_sparsity_per_round=1.0)


def test_resistance_prior_ranks_the_path_edges_by_degree():
    """Path 0-…-5 with equal learned scores (mask lr 0, no noise): the prior prunes the
    interior edges (1/2 + 1/2 = 1) before the two leaf edges (1 + 1/2)."""
    from gcn_tickets.masks.joint import plain_state_dict
    from gcn_tickets.methods.ugs import UGSConfig, initial_model, ugs_round
    from gcn_tickets.tickets import dense_masks

    trainer = _path_trainer()
    cfg = UGSConfig(
        epochs=1,
        hidden=8,
        graph_prior="resistance",
        graph_sparsity_per_round=0.6,
        mask_lr=0.0,
        mask_noise=0.0,
    )
    model = initial_model(trainer, cfg, 0)
    masks = dense_masks(trainer, model)
    new, _ = ugs_round(trainer, cfg, "improved", plain_state_dict(model), masks, 0, 1, model_seed=0)
    # 5 edges, prune round(0.6 · 5) = 3: the interior 1-2, 2-3, 3-4; keep 0-1 and 4-5
    assert new.graph.tolist() == [True, False, False, False, True]


def test_ugs_prune_gives_the_masks_of_run_ugs(karate_task, karate_run):
    from gcn_tickets.methods.ugs import ugs_prune

    out, _ = karate_run
    trainer = make_trainer(karate_task)
    for mode in ("reference", "random"):
        _, masks = ugs_prune(trainer, CFG, mode, 0, rounds=3)
        assert masks.equal(MaskSet.load(out / mode / "seed0" / "round_03.pt")), mode
