"""``gcn-tickets run``: a toy ticket method registered in one line runs through the CLI;
``method: ugs`` gives the masks of ``gcn-tickets ugs``; unknown methods and kinds exit 2."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from gcn_tickets.cli import main
from gcn_tickets.config import register_section
from gcn_tickets.io import atomic_write_text
from gcn_tickets.masks.joint import plain_state_dict
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.methods.registry import method_names, register_method, unregister_method
from gcn_tickets.pruning.topk import topk_mask
from gcn_tickets.tickets import Recipe, dense_masks, retrain_ticket, seeded


@dataclass(frozen=True, kw_only=True)
class OneShotConfig:
    density: float = 0.5
    hidden: int = 8
    epochs: int = 2


def run_one_shot(trainer, cfg, out_dir, *, log=print) -> dict:
    """Keep the ``round(density·n)`` largest |Θ0| of each GCN weight, rewind, retrain."""
    sec, seed = cfg.section("oneshot"), cfg.seeds[0]
    make_model = seeded(trainer.make_model, hidden=sec.hidden, num_layers=2, dropout=0.5)
    theta0 = plain_state_dict(make_model(seed))
    dense = dense_masks(trainer, make_model(seed))
    weights = {
        n: topk_mask(theta0[n].abs().flatten(), round(sec.density * theta0[n].numel())) for n in dense.weights
    }
    masks = MaskSet({n: m.view_as(theta0[n]) for n, m in weights.items()}, dense.graph, {"method": "oneshot"})
    recipe = Recipe(epochs=sec.epochs, lr=0.01, weight_decay=5e-4)
    res, _ = retrain_ticket(trainer, make_model, masks, recipe, seed=seed, init="rewind", theta0=theta0)
    masks.save(Path(out_dir) / "ticket.pt")
    result = {"kept": {n: int(m.sum()) for n, m in masks.weights.items()}, "test": res.test}
    atomic_write_text(Path(out_dir) / "result.json", json.dumps(result))
    log(f"kept {result['kept']}")
    return result


@pytest.fixture
def toy():
    register_section("oneshot", OneShotConfig)
    register_method("toy", run_one_shot, section="oneshot", kinds=("node",), help="one-shot magnitude")
    yield
    unregister_method("toy")


def _yaml(tmp_path: Path, text: str, name: str = "tiny.yaml") -> Path:
    f = tmp_path / name
    f.write_text(text)
    return f


TOY = "name: toy_cora\ndataset: Cora\nseeds: [0]\noneshot: {density: 0.25}\n"
UGS = "name: tiny\nmethod: ugs\ndataset: Cora\nseeds: [0]\nmodes: [random]\n"
UGS += "ugs: {rounds: 1, epochs: 2, retrain_epochs: 2, hidden: 8}\n"


def test_a_toy_method_registered_in_one_line_runs_through_the_cli(toy, tmp_path, capsys):
    f, out = _yaml(tmp_path, TOY), tmp_path / "runs"
    assert method_names()[-1] == "toy"
    assert main(["run", str(f), "--method", "toy", "--out", str(out), "oneshot.epochs=1"]) == 0
    path = next(out.iterdir())
    assert path.name.startswith("toy_cora-")  # --method and the override change the file's config
    result = json.loads((path / "result.json").read_text())
    # Cora: 1433 features, 7 classes; hidden 8 -> 11464 and 56 weights, a quarter kept
    assert result["kept"] == {"convs.0.lin.weight": 2866, "convs.1.lin.weight": 14}
    masks = MaskSet.load(path / "ticket.pt")
    assert masks.kept() == 2880 and masks.meta["method"] == "oneshot"
    config = json.loads((path / "config.json").read_text())
    assert config["method"] == "toy" and config["oneshot"] == {"density": 0.25, "hidden": 8, "epochs": 1}
    cap = capsys.readouterr().out
    assert f"run directory: {path} (new run; method toy;" in cap and '"convs.1.lin.weight": 14' in cap
    assert main(["run", str(f), "--method", "toy", "--out", str(out), "oneshot.epochs=1"]) == 0
    assert f"run directory: {path} (resuming; method toy;" in capsys.readouterr().out


def test_method_ugs_gives_the_masks_of_gcn_tickets_ugs(tmp_path, capsys):
    f = _yaml(tmp_path, UGS)
    assert main(["ugs", str(f), "--out", str(tmp_path / "a")]) == 0
    assert main(["run", str(f), "--out", str(tmp_path / "b")]) == 0
    text = capsys.readouterr().out
    assert f"run directory: {tmp_path / 'b' / 'tiny'} (new run; method ugs;" in text
    assert f"plot: {tmp_path / 'b' / 'tiny' / 'report.png'}" in text
    a, b = tmp_path / "a" / "tiny", tmp_path / "b" / "tiny"
    files = sorted(p.relative_to(a) for p in a.rglob("round_*.pt"))
    assert [str(p) for p in files] == ["dense/seed0/round_00.pt", "random/seed0/round_01.pt"]
    for p in files:
        ma, mb = MaskSet.load(a / p), MaskSet.load(b / p)
        assert torch.equal(ma.graph, mb.graph) and ma.weights.keys() == mb.weights.keys()
        assert all(torch.equal(ma.weights[n], mb.weights[n]) for n in ma.weights)
    assert json.loads((a / "config.json").read_text()) == json.loads((b / "config.json").read_text())


def test_unknown_missing_and_unsupported_methods_exit_2(toy, tmp_path, capsys):
    f, out = _yaml(tmp_path, TOY), tmp_path / "runs"
    assert main(["run", str(f), "--method", "bogus", "--out", str(out)]) == 2
    assert "error: `method` must be one of 'ugs', 'gebt', 'toy', got 'bogus'" in capsys.readouterr().err
    assert main(["run", str(f), "--out", str(out)]) == 2
    assert (
        f"error: {f} names no ticket method: add `method: NAME` at its top level or pass --method NAME "
        "(registered: ugs, gebt, toy)" in capsys.readouterr().err
    )
    g = _yaml(tmp_path, "name: cora_link\ndataset: Cora-link\nseeds: [0]\n", "link.yaml")
    assert main(["run", str(g), "--method", "toy", "--out", str(out)]) == 2
    assert "error: method 'toy' runs on node tasks, not on a link task" in capsys.readouterr().err
    assert not out.exists()


def test_method_gebt_reads_the_gebt_layout_and_writes_its_run(tmp_path, capsys):
    f = _yaml(tmp_path, "name: g\ndataset: Cora\nseeds: [0]\ngebt: {search_epochs: 3, retrain_epochs: 2}\n")
    assert main(["early-bird", str(f), "--out", str(tmp_path / "a")]) == 0
    assert main(["run", str(f), "--method", "gebt", "--out", str(tmp_path / "b")]) == 0
    text = capsys.readouterr().out
    assert f"run directory: {tmp_path / 'b' / 'g'} (new run; method gebt;" in text
    a, b = tmp_path / "a" / "g", tmp_path / "b" / "g"
    ma, mb = MaskSet.load(a / "seed0_g0.2_w0.5.pt"), MaskSet.load(b / "seed0_g0.2_w0.5.pt")
    assert torch.equal(ma.graph, mb.graph) and all(
        torch.equal(ma.weights[n], mb.weights[n]) for n in ma.weights
    )
    assert json.loads((a / "config.json").read_text()) == json.loads((b / "config.json").read_text())
    assert sorted(json.loads((b / "summary.json").read_text())) == ["dense", "pairs"]
