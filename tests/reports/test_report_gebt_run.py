"""Report of a GEBT run folder from hand-made seed files: exact summary table and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gcn_tickets.reports.gebt_run import gebt_pairs, gebt_summary_text, read_gebt_run, write_gebt_report


def _seed(test: float, fired: int | None) -> dict:
    rows = [
        {
            "graph_sparsity": 0.2,
            "weight_sparsity": 0.5,
            "fired_epoch": fired,
            "test": test,
            "last_test": 0.7,
            "random_test": 0.6,
        },
        {"graph_sparsity": 0.1, "weight_sparsity": 0.3, "fired_epoch": None, "test": test},
    ]
    return {"dense": {"test": 0.8}, "rows": rows}


def _run(tmp_path: Path, config: dict | None) -> Path:
    run = tmp_path / "cora_run"
    run.mkdir()
    for seed, test, fired in ((10, 0.82, 12), (2, 0.80, None)):
        (run / f"seed{seed}.json").write_text(json.dumps(_seed(test, fired)))
    (run / "seed2_g0.2_w0.5.json").write_text("{}")  # a mask's sparsity report: not a seed file
    if config is not None:
        (run / "config.json").write_text(json.dumps(config))
    return run


def test_summary_of_a_run_folder(tmp_path: Path) -> None:
    run = _run(tmp_path, {"dataset": "Cora", "seeds": [10, 2]})
    cfg, recs = read_gebt_run(run)
    assert list(recs) == [10, 2] and cfg["dataset"] == "Cora"
    text = write_gebt_report(run, plot=False)
    assert text.splitlines() == [
        "Cora: dense 80.00 ± 0.00 over seeds [10, 2]",
        "graph-sp  weight-sp  fired  median-epoch  ticket          last-epoch      random",
        "20%       50%        1/2    12            81.00 ± 1.41    70.00 ± 0.00    60.00 ± 0.00",
        "10%       30%        0/2    None          81.00 ± 1.41    -               -",
    ]
    summary = json.loads((run / "summary.json").read_text())
    assert summary["dense"] == [0.8, 0.8]
    assert summary["pairs"][0] == {
        "graph_sparsity": 0.2,
        "weight_sparsity": 0.5,
        "runs": 2,
        "fired": 1,
        "median_epoch": 12,
        "test": [0.82, 0.80],
        "last_test": [0.7, 0.7],
        "random_test": [0.6, 0.6],
    }
    assert not (run / "trajectory.png").exists()


def test_old_folder_without_config_sorts_seeds(tmp_path: Path) -> None:
    run = _run(tmp_path, None)
    assert write_gebt_report(run).splitlines()[0] == "cora_run: dense 80.00 ± 0.00 over seeds [2, 10]"
    assert not (run / "trajectory.png").exists()  # rows without trajectories: no plot


def test_pairs_keep_first_order_and_empty_folder_errors(tmp_path: Path) -> None:
    pairs = gebt_pairs([_seed(0.8, 3)])
    assert [(p["graph_sparsity"], p["weight_sparsity"]) for p in pairs] == [(0.2, 0.5), (0.1, 0.3)]
    assert gebt_summary_text("X", [], [], []).splitlines()[0] == "X: dense - over seeds []"
    with pytest.raises(FileNotFoundError, match="no seed<k>.json files of a GEBT run"):
        write_gebt_report(tmp_path)
