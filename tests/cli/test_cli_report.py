"""``gcn-tickets report``: real small UGS (Karate) and GEBT (Cora) runs, stored runs, audit JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

from gcn_tickets.cli import main
from gcn_tickets.methods.ugs import run_ugs, summarize_run
from gcn_tickets.methods.ugs.config import UGSConfig
from gcn_tickets.reports.ugs import ugs_table
from gcn_tickets.runs import run_dir
from gcn_tickets.training.trainers import make_trainer

REPO = Path(__file__).resolve().parents[2]
CFG = UGSConfig(
    rounds=3,
    epochs=8,
    retrain_epochs=8,
    hidden=16,
    graph_sparsity_per_round=0.2,
    weight_sparsity_per_round=0.2,
)


@pytest.fixture(scope="module")
def ugs_run(tmp_path_factory, karate_task) -> Path:
    out = tmp_path_factory.mktemp("ugs_report") / "karate"
    run_ugs(make_trainer(karate_task), CFG, out, seeds=(0,), log=lambda _m: None)
    return out


def test_report_of_a_ugs_run(ugs_run: Path, capsys) -> None:
    assert main(["report", str(ugs_run), "--title", "UGS on Karate"]) == 0
    md = (ugs_run / "report.md").read_text().splitlines()
    assert md[0] == "# UGS on Karate"
    table = ugs_table(summarize_run(ugs_run)).splitlines()
    assert md[2 : 2 + len(table)] == table
    assert len(table) == 2 + 1 + 3  # header, rule, dense, rounds 1-3
    # Karate: 78 undirected edges, 20 % of the remaining ones per round (exact counts 16, 12, 10)
    cells = [row.split(" | ")[1] for row in table[3:]]
    assert cells == [f"{100 * 16 / 78:.2f} %", f"{100 * 28 / 78:.2f} %", f"{100 * 38 / 78:.2f} %"]
    assert table[2].startswith("| 0 (dense) | 0.00 % | 0.00 % | 100.0 | ")
    assert (ugs_run / "report.png").stat().st_size > 0
    out = capsys.readouterr().out
    assert f"plot: {ugs_run / 'report'}.png" in out and "![" not in out


def test_report_of_a_stored_ugs_run(tmp_path: Path) -> None:
    """A run folder written before the report verb existed (benchmarks/results/ugs/ogbl_ddi_ugs)."""
    run = tmp_path / "ddi"
    shutil.copytree(REPO / "benchmarks" / "results" / "ugs" / "ogbl_ddi_ugs", run)
    assert main(["report", str(run), "--out", str(tmp_path / "ddi_report"), "--title", "x"]) == 0
    text = (tmp_path / "ddi_report.md").read_text().splitlines()
    doc = (REPO / "docs" / "ugs_ogbl_ddi_ugs.md").read_text().splitlines()
    assert text[2:9] == doc[2:9]  # the table: header, rule, dense and 4 rounds
    assert text[3] == "|---|---|---|---|---|---|"
    assert text[4] == "| 0 (dense) | 0.00 % | 0.00 % | 100.0 | 4.42 ± 0.00 (n=1) | 4.42 ± 0.00 (n=1) |"


def _table_lines(out: str) -> list[str]:
    lines = out.splitlines()
    start = next(i for i, x in enumerate(lines) if ": dense " in x)
    return lines[start : start + 3]


def test_report_of_a_gebt_run(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("GCN_TICKETS_DATA", str(tmp_path / "data"))
    monkeypatch.chdir(REPO)
    args = ["early-bird", "configs/cora_gebt.yaml", "seeds=[0]", "gebt.search_epochs=8"]
    args += ["gebt.retrain_epochs=3", "--out", str(tmp_path), "--threads", "1"]
    assert main(args) == 0
    printed = _table_lines(capsys.readouterr().out)
    run = run_dir(tmp_path, "cora_gebt", {"retrain_epochs": 3, "search_epochs": 8, "seeds": [0]})
    summary = (run / "summary.json").read_text()
    (run / "summary.json").unlink()
    (run / "trajectory.png").unlink()
    assert main(["report", str(run)]) == 0
    assert _table_lines(capsys.readouterr().out) == printed
    assert printed[0].startswith("Cora: dense ") and printed[0].endswith(" over seeds [0]")
    assert printed[1].startswith("graph-sp  weight-sp  fired") and printed[2].startswith(
        "20%       50%        "
    )
    assert (run / "summary.json").read_text() == summary
    assert (run / "trajectory.png").exists()
    # a folder without config.json (older runs): named after the folder
    (run / "config.json").unlink()
    assert main(["report", str(run), "--no-plot"]) == 0
    assert _table_lines(capsys.readouterr().out)[0].startswith(f"{run.name}: dense ")


def test_report_of_an_audit_json(tmp_path: Path, capsys) -> None:
    from gcn_tickets.spectral import audit

    g = torch.Generator().manual_seed(0)
    masks = {"a.weight": torch.rand(8, 6, generator=g) < 0.5, "b.weight": torch.rand(4, 8, generator=g) < 0.5}
    audit(masks).save_json(tmp_path / "a.json")
    assert main(["report", str(tmp_path / "a.json"), "--out", str(tmp_path / "a.md")]) == 0
    lines = (tmp_path / "a.md").read_text().splitlines()
    doc = json.loads((tmp_path / "a.json").read_text())
    assert lines[0].startswith("| layer | m × n | density | d_L |")
    assert [x.split(" | ")[:3] for x in lines[2:4]] == [
        ["| a.weight", "6×8", f"{doc['layers']['a.weight']['density']:.4g}"],
        ["| b.weight", "8×4", f"{doc['layers']['b.weight']['density']:.4g}"],
    ]
    assert lines[-1].endswith(f"Ramanujan layers {doc['summary']['ramanujan_layers']}/2.")
    assert capsys.readouterr().out.startswith("| layer |")


def test_report_of_an_unknown_folder(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is not a run this verb knows" in err
    assert "*/seed*/round_*.result.json" in err and "seed<k>.json" in err
    (tmp_path / "x.json").write_text(json.dumps({"rows": []}))
    assert main(["report", str(tmp_path / "x.json")]) == 2
    assert "expected the keys 'layers' and 'summary'" in capsys.readouterr().err
